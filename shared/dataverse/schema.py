"""Schema provisioning through the metadata API (dataverse.md §8): custom tables, columns, lookups (many-to-one
relationships), document management on tables (§10) and alternate keys, created only where missing, in a named
solution under the publisher prefix; idempotent, with a report."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from shared.dataverse.client import DataverseClient, call_headers
from shared.ledger import LedgerWrite, WriteLedger

ColumnType = Literal["string", "memo", "integer", "decimal", "money", "datetime", "dateonly", "boolean",
                     "picklist"]
LANGUAGE = 1033
PRIMARY_NAME_LENGTH = 200


def label(text: str) -> dict[str, Any]:
    return {"@odata.type": "Microsoft.Dynamics.CRM.Label",
            "LocalizedLabels": [{"@odata.type": "Microsoft.Dynamics.CRM.LocalizedLabel", "Label": text,
                                 "LanguageCode": LANGUAGE}]}


_METADATA_TYPES: dict[str, tuple[str, str]] = {
    "string": ("StringAttributeMetadata", "String"), "memo": ("MemoAttributeMetadata", "Memo"),
    "integer": ("IntegerAttributeMetadata", "Integer"), "decimal": ("DecimalAttributeMetadata", "Decimal"),
    "money": ("MoneyAttributeMetadata", "Money"), "datetime": ("DateTimeAttributeMetadata", "DateTime"),
    "dateonly": ("DateTimeAttributeMetadata", "DateTime"), "boolean": ("BooleanAttributeMetadata", "Boolean"),
    "picklist": ("PicklistAttributeMetadata", "Picklist")}


def attribute_type(column_type: str) -> str:
    """Dataverse's AttributeType for one of our column types ("string" -> "String", "dateonly" -> "DateTime")."""
    return _METADATA_TYPES[column_type][1]


_FIXED_DETAILS: dict[str, dict[str, Any]] = {
    "integer": {"MinValue": -2_147_483_648, "MaxValue": 2_147_483_647, "Format": "None"},
    "decimal": {"Precision": 2, "MinValue": -1e11, "MaxValue": 1e11},
    "money": {"PrecisionSource": 2},
    "datetime": {"Format": "DateAndTime"},
    "dateonly": {"Format": "DateOnly"}}


def _attribute(odata_type: str, attribute_type: str, schema_name: str, text: str) -> dict[str, Any]:
    """The part every new column's metadata shares (dataverse.md §8)."""
    return {"@odata.type": f"Microsoft.Dynamics.CRM.{odata_type}", "AttributeType": attribute_type,
            "SchemaName": schema_name, "DisplayName": label(text),
            "RequiredLevel": {"Value": "None", "CanBeChanged": True,
                              "ManagedPropertyLogicalName": "canmodifyrequirementlevelsettings"}}


class ColumnSpec(BaseModel):
    table: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    schema_name: str = Field(pattern=r"^[a-z][a-z0-9]*_[A-Za-z0-9_]+$")
    type: ColumnType
    label: str
    max_length: int | None = Field(default=None, ge=1, le=1_048_576)
    options: list[tuple[int, str]] | None = None

    @model_validator(mode="after")
    def _shape(self) -> "ColumnSpec":
        if self.type == "picklist" and not self.options:
            raise ValueError(f"{self.schema_name}: a picklist needs options")
        return self

    @property
    def logical_name(self) -> str:
        return self.schema_name.lower()

    def metadata(self) -> dict[str, Any]:
        odata_type, attribute_type = _METADATA_TYPES[self.type]
        return {**_attribute(odata_type, attribute_type, self.schema_name, self.label), **self._details()}

    def _details(self) -> dict[str, Any]:
        """What each attribute type needs beyond the common part (dataverse.md §8)."""
        if self.type == "picklist":
            return {"OptionSet": {"@odata.type": "Microsoft.Dynamics.CRM.OptionSetMetadata", "IsGlobal": False,
                                  "OptionSetType": "Picklist",
                                  "Options": [{"Value": value, "Label": label(text)}
                                              for value, text in self.options or []]}}
        if self.type == "boolean":
            return {"OptionSet": {"@odata.type": "Microsoft.Dynamics.CRM.BooleanOptionSetMetadata",
                                  "OptionSetType": "Boolean", "TrueOption": {"Value": 1, "Label": label("Yes")},
                                  "FalseOption": {"Value": 0, "Label": label("No")}}}
        if self.type in ("string", "memo"):
            default = 100 if self.type == "string" else 1_048_576
            return {"MaxLength": self.max_length or default,
                    **({"FormatName": {"Value": "Text"}} if self.type == "string" else {"Format": "TextArea"})}
        return _FIXED_DETAILS[self.type]


class TableSpec(BaseModel):
    schema_name: str = Field(pattern=r"^[a-z][a-z0-9]*_[A-Za-z0-9_]+$")
    label: str
    plural_label: str
    primary_name: str = Field(pattern=r"^[a-z][a-z0-9]*_[A-Za-z0-9_]+$")
    has_notes: bool = True
    has_activities: bool = True

    @property
    def logical_name(self) -> str:
        return self.schema_name.lower()

    def metadata(self) -> dict[str, Any]:
        name = ColumnSpec(table=self.logical_name, schema_name=self.primary_name, type="string", label="Name",
                          max_length=PRIMARY_NAME_LENGTH).metadata()
        return {"@odata.type": "Microsoft.Dynamics.CRM.EntityMetadata", "SchemaName": self.schema_name,
                "DisplayName": label(self.label), "DisplayCollectionName": label(self.plural_label),
                "OwnershipType": "UserOwned", "IsActivity": False, "HasNotes": self.has_notes,
                "HasActivities": self.has_activities, "Attributes": [{**name, "IsPrimaryName": True}]}


class KeySpec(BaseModel):
    table: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    schema_name: str = Field(pattern=r"^[a-z][a-z0-9]*_[A-Za-z0-9_]+$")
    columns: list[str] = Field(min_length=1, max_length=16)


class LookupSpec(BaseModel):
    """A custom lookup column: a many-to-one relationship from `table` to `target` (dataverse.md §5, §8)."""
    table: str = Field(pattern=r"^[a-z][a-z0-9_]*$")  # the referencing table, which gets the column
    schema_name: str = Field(pattern=r"^[a-z][a-z0-9]*_[A-Za-z0-9_]+$")  # e.g. new_OpportunityId
    target: str = Field(pattern=r"^[a-z][a-z0-9_]*$")  # the referenced table
    label: str
    relationship: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9]*_[A-Za-z0-9_]+$", max_length=100)
    # RemoveLink: deleting a target row clears the lookup instead of deleting or blocking, so a rollback may
    # delete tables in any order.
    delete: Literal["RemoveLink", "Restrict", "Cascade"] = "RemoveLink"

    @property
    def logical_name(self) -> str:
        return self.schema_name.lower()

    @property
    def relationship_name(self) -> str:
        """The relationship's SchemaName: given, or `<prefix>_<target>_<table>_<lookup>` (must carry the prefix)."""
        prefix, lookup = self.schema_name.split("_", 1)
        return self.relationship or f"{prefix}_{self.target}_{self.table}_{lookup}"[:100]

    @property
    def navigation(self) -> str:
        """What the loader writes as `<navigation>@odata.bind`. For a lookup created through
        RelationshipDefinitions without ReferencingEntityNavigationPropertyName, Dataverse names the
        single-valued navigation property after the lookup's SchemaName, case and all (dataverse.md §5;
        microsoft/PowerPlatform-DataverseClient-Python's SDK guide: `new_CustomerId@odata.bind`, the lowercase
        logical name is an "undeclared property"). We send the name explicitly as well, so it cannot differ."""
        return self.schema_name

    def metadata(self, referenced_attribute: str) -> dict[str, Any]:
        cascade = {action: "NoCascade" for action in ("Assign", "Merge", "Reparent", "Share", "Unshare")}
        return {"@odata.type": "Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata",
                "SchemaName": self.relationship_name, "ReferencedEntity": self.target,
                "ReferencedAttribute": referenced_attribute, "ReferencingEntity": self.table,
                "ReferencingEntityNavigationPropertyName": self.navigation,
                "CascadeConfiguration": {**cascade, "Delete": self.delete},
                "Lookup": {**_attribute("LookupAttributeMetadata", "Lookup", self.schema_name, self.label),
                           "AttributeTypeName": {"Value": "LookupType"}}}


class SchemaRequest(BaseModel):
    tables: list[TableSpec] = Field(default_factory=list)
    columns: list[ColumnSpec] = Field(default_factory=list)
    lookups: list[LookupSpec] = Field(default_factory=list)
    keys: list[KeySpec] = Field(default_factory=list)
    # Tables (logical names) whose rows get SharePoint document locations: sharepointdocumentlocation binds
    # `regardingobjectid_<table>` only for tables with document management enabled (dataverse.md §10).
    document_management: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]] = Field(default_factory=list)


class SchemaReport(BaseModel):
    created: list[str] = Field(default_factory=list)
    existing: list[str] = Field(default_factory=list)
    conflicts: list[str] = Field(default_factory=list)
    keys: dict[str, str] = Field(default_factory=dict)  # "<table>.<key>" -> EntityKeyIndexStatus


class SchemaProvisioner:
    def __init__(self, client: DataverseClient, solution: str, prefix: str, custom_table_limit: int) -> None:
        self.client = client
        self.solution = solution
        self.prefix = prefix
        self.custom_table_limit = custom_table_limit

    def preflight(self, request: SchemaRequest) -> None:
        """The plan's custom-table allowance (product page: 15 on Professional), checked before anything moves."""
        definitions = self.client.get_json("EntityDefinitions", {"$select": "LogicalName,IsCustomEntity"})
        existing = {row["LogicalName"] for row in definitions.get("value", []) if row.get("IsCustomEntity")}
        needed = existing | {table.logical_name for table in request.tables}
        if len(needed) > self.custom_table_limit:
            raise ValueError(f"This migration needs {len(needed)} custom tables ({len(existing)} exist, "
                             f"{len(needed) - len(existing)} new) but the plan allows {self.custom_table_limit} "
                             "(DATAVERSE_CUSTOM_TABLE_LIMIT). Map more data to standard tables or raise the plan.")
        names = [t.schema_name for t in request.tables] + [c.schema_name for c in request.columns] + \
            [k.schema_name for k in request.keys] + \
            [name for lookup in request.lookups for name in (lookup.schema_name, lookup.relationship_name)]
        for name in names:
            if not name.startswith(f"{self.prefix}_"):
                raise ValueError(f"{name} does not carry the publisher prefix '{self.prefix}_'")

    def ensure_solution(self, report: SchemaReport) -> None:
        """The solution every component goes into, under a publisher with our prefix (created when missing)."""
        found = self.client.get_json("solutions", {"$select": "solutionid",
                                                   "$filter": f"uniquename eq '{self.solution}'"}).get("value", [])
        if found:
            return
        publishers = self.client.get_json("publishers", {
            "$select": "publisherid", "$filter": f"customizationprefix eq '{self.prefix}'"}).get("value", [])
        if publishers:
            publisher_id = publishers[0]["publisherid"]
        else:
            created = self.client.request("POST", "publishers", headers={"Prefer": "return=representation"},
                                          json_body={"uniquename": f"{self.prefix}clio", "friendlyname":
                                                     "Clio migration", "customizationprefix": self.prefix,
                                                     "customizationoptionvalueprefix": 72700})
            publisher_id = created.json()["publisherid"]
            report.created.append(f"publisher {self.prefix}")
        self.client.request("POST", "solutions", json_body={
            "uniquename": self.solution, "friendlyname": self.solution, "version": "1.0.0.0",
            "publisherid@odata.bind": f"/publishers({publisher_id})"})
        report.created.append(f"solution {self.solution}")

    def provision(self, request: SchemaRequest) -> SchemaReport:
        self.preflight(request)
        report = SchemaReport()
        self.ensure_solution(report)
        headers = call_headers(solution=self.solution)
        for table in request.tables:
            if self._exists(f"EntityDefinitions(LogicalName='{table.logical_name}')"):
                report.existing.append(table.logical_name)
            else:
                self.client.request("POST", "EntityDefinitions", json_body=table.metadata(), headers=headers)
                report.created.append(table.logical_name)
        for column in request.columns:
            name = f"{column.table}.{column.logical_name}"
            path = f"EntityDefinitions(LogicalName='{column.table}')/Attributes(LogicalName='{column.logical_name}')"
            found = self._get(path, {"$select": "AttributeType"})
            if found is None:
                self.client.request("POST", f"EntityDefinitions(LogicalName='{column.table}')/Attributes",
                                    json_body=column.metadata(), headers=headers)
                report.created.append(name)
            elif found.get("AttributeType") != attribute_type(column.type):
                report.conflicts.append(f"{name} exists as {found.get('AttributeType')}, "
                                        f"the map needs {attribute_type(column.type)}")
            else:
                report.existing.append(name)
        for lookup in request.lookups:
            self._ensure_lookup(lookup, headers, report)
        for table_name in request.document_management:
            self._ensure_document_management(table_name, headers, report)
        for key in request.keys:
            statuses = self.key_statuses(key.table)
            if key.schema_name.lower() not in statuses:
                self.client.request("POST", f"EntityDefinitions(LogicalName='{key.table}')/Keys", headers=headers,
                                    json_body={"SchemaName": key.schema_name, "DisplayName": label(key.schema_name),
                                               "KeyAttributes": key.columns})
                report.created.append(f"{key.table}.{key.schema_name.lower()}")
        for key in request.keys:
            report.keys[f"{key.table}.{key.schema_name.lower()}"] = \
                self.key_statuses(key.table).get(key.schema_name.lower(), "Missing")
        touched = sorted({name.split(".")[0] for name in report.created if " " not in name})
        if touched:
            xml = "".join(f"<entity>{table}</entity>" for table in touched)
            self.client.request("POST", "PublishXml", json_body={
                "ParameterXml": f"<importexportxml><entities>{xml}</entities></importexportxml>"})
        return report

    def _ensure_lookup(self, lookup: LookupSpec, headers: dict[str, str], report: SchemaReport) -> None:
        """Created when missing (POST RelationshipDefinitions, §8); an existing column must be a lookup to the
        same table, else it is reported as a conflict."""
        name = f"{lookup.table}.{lookup.logical_name}"
        path = f"EntityDefinitions(LogicalName='{lookup.table}')/Attributes(LogicalName='{lookup.logical_name}')"
        found = self._get(path, {"$select": "AttributeType"})
        if found is not None:
            targets: list[str] = []
            if found.get("AttributeType") in ("Lookup", "Customer", "Owner"):
                cast = self._get(f"{path}/Microsoft.Dynamics.CRM.LookupAttributeMetadata", {"$select": "Targets"})
                targets = (cast or {}).get("Targets") or []
            if lookup.target in targets:
                report.existing.append(name)
            else:
                shape = f"a lookup to {', '.join(targets)}" if targets else f"{found.get('AttributeType')}"
                report.conflicts.append(f"{name} exists as {shape}, the map needs a lookup to {lookup.target}")
            return
        target = self._get(f"EntityDefinitions(LogicalName='{lookup.target}')", {"$select": "PrimaryIdAttribute"})
        if target is None:
            report.conflicts.append(f"{name} needs a lookup to {lookup.target}, which does not exist")
        elif self._exists_relationship(lookup.relationship_name):
            report.conflicts.append(f"{name}: the relationship {lookup.relationship_name} already exists "
                                    "for another lookup")
        else:
            self.client.request("POST", "RelationshipDefinitions", headers=headers,
                                json_body=lookup.metadata(target["PrimaryIdAttribute"]))
            report.created.append(name)

    def _ensure_document_management(self, table: str, headers: dict[str, str], report: SchemaReport) -> None:
        """IsDocumentManagementEnabled on (SDK sample "Enable document management for entities"). Table definitions
        change only by PUT of the whole definition, retrieved and modified, with MSCRM.MergeLabels: true so labels
        in other languages survive (dataverse.md §8; "Update table definitions"); published with the rest."""
        name = f"{table}.document_management"
        path = f"EntityDefinitions(LogicalName='{table}')"
        definition = self._get(path, {})
        if definition is None:
            report.conflicts.append(f"{name}: the table {table} does not exist")
        elif definition.get("IsDocumentManagementEnabled"):
            report.existing.append(name)
        else:
            self.client.request("PUT", path, json_body={**definition, "IsDocumentManagementEnabled": True},
                                headers={**headers, "MSCRM.MergeLabels": "true"})
            report.created.append(name)

    def provision_recorded(self, request: SchemaRequest, ledger: WriteLedger) -> SchemaReport:
        """`provision`, after `record_absent`: what a migration's schema step calls, with its "schema" ledger."""
        self.record_absent(request, ledger)
        return self.provision(request)

    def record_absent(self, request: SchemaRequest, ledger: WriteLedger) -> None:
        """Records in `ledger` (the migration's "schema" partition) every component of the request that does not
        exist yet: what a rollback may remove (shared/rollback/schema_removal.py). Recorded before anything is
        created, so a worker that dies half-way still leaves a record of what it may have made."""
        ledger.record("schema", [LedgerWrite(key, "intent", "", origin="created", target=detail)
                                 for key, detail in self.absent(request)])

    def absent(self, request: SchemaRequest) -> list[tuple[str, str | None]]:
        """(ledger key, detail) for each component of `request` missing now: `solution:<name>`,
        `publisher:<prefix>`, `table:<t>`, `column:<t>.<c>`, `lookup:<t>.<c>` (detail: its relationship),
        `key:<t>.<key>`, `document-management:<t>`."""
        found: list[tuple[str, str | None]] = []
        if not self.client.get_json("solutions", {"$select": "solutionid",
                                                  "$filter": f"uniquename eq '{self.solution}'"}).get("value"):
            found.append((f"solution:{self.solution}", None))
            if not self.client.get_json("publishers", {"$select": "publisherid", "$filter":
                                                       f"customizationprefix eq '{self.prefix}'"}).get("value"):
                found.append((f"publisher:{self.prefix}", None))
        found += [(f"table:{table.logical_name}", None) for table in request.tables
                  if not self._exists(f"EntityDefinitions(LogicalName='{table.logical_name}')")]
        for kind, specs in (("column", request.columns), ("lookup", request.lookups)):
            for spec in specs:
                path = f"EntityDefinitions(LogicalName='{spec.table}')/Attributes(LogicalName='{spec.logical_name}')"
                if self._get(path, {"$select": "LogicalName"}) is None:
                    detail = spec.relationship_name if isinstance(spec, LookupSpec) else None
                    found.append((f"{kind}:{spec.table}.{spec.logical_name}", detail))
        statuses: dict[str, dict[str, str]] = {}
        for key in request.keys:
            if key.table not in statuses:
                known = self._get(f"EntityDefinitions(LogicalName='{key.table}')", {"$select": "LogicalName"})
                statuses[key.table] = self.key_statuses(key.table) if known is not None else {}
            if key.schema_name.lower() not in statuses[key.table]:
                found.append((f"key:{key.table}.{key.schema_name.lower()}", None))
        for table_name in request.document_management:
            definition = self._get(f"EntityDefinitions(LogicalName='{table_name}')", {})
            if definition is None or not definition.get("IsDocumentManagementEnabled"):
                found.append((f"document-management:{table_name}", None))
        return found

    def _exists_relationship(self, schema_name: str) -> bool:
        return self._get(f"RelationshipDefinitions(SchemaName='{schema_name}')", {"$select": "SchemaName"}) is not None

    def key_statuses(self, table: str) -> dict[str, str]:
        answer = self.client.get_json(f"EntityDefinitions(LogicalName='{table}')/Keys",
                                      {"$select": "SchemaName,KeyAttributes,EntityKeyIndexStatus"})
        return {row["SchemaName"].lower(): row["EntityKeyIndexStatus"] for row in answer.get("value", [])}

    def _get(self, path: str, params: dict[str, str]) -> dict[str, Any] | None:
        response = self.client.request("GET", path, params=params, allow=(404,))
        return None if response.status_code == 404 else response.json()

    def _exists(self, path: str) -> bool:
        return self._get(path, {"$select": "LogicalName"}) is not None
