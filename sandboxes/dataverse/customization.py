"""Building custom columns, tables and keys from posted metadata (dataverse.md §8)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sandboxes.dataverse import facts
from sandboxes.dataverse.errors import bad_request
from sandboxes.dataverse.payload import SYSTEM_COLUMNS
from sandboxes.dataverse.schema import AlternateKey, Column, ColumnKind, Table

# @odata.type -> (kind, AttributeType)
ATTRIBUTE_TYPES: dict[str, tuple[ColumnKind, str]] = {
    "Microsoft.Dynamics.CRM.StringAttributeMetadata": ("String", "String"),
    "Microsoft.Dynamics.CRM.MemoAttributeMetadata": ("Memo", "Memo"),
    "Microsoft.Dynamics.CRM.IntegerAttributeMetadata": ("Integer", "Integer"),
    "Microsoft.Dynamics.CRM.BigIntAttributeMetadata": ("BigInt", "BigInt"),
    "Microsoft.Dynamics.CRM.DecimalAttributeMetadata": ("Decimal", "Decimal"),
    "Microsoft.Dynamics.CRM.DoubleAttributeMetadata": ("Double", "Double"),
    "Microsoft.Dynamics.CRM.MoneyAttributeMetadata": ("Money", "Money"),
    "Microsoft.Dynamics.CRM.DateTimeAttributeMetadata": ("DateTime", "DateTime"),
    "Microsoft.Dynamics.CRM.BooleanAttributeMetadata": ("Boolean", "Boolean"),
    "Microsoft.Dynamics.CRM.PicklistAttributeMetadata": ("Picklist", "Picklist"),
}
# §8 (AK): columns an alternate key may use. Anchor "Number" is Integer or Decimal: allowed.
KEY_KINDS = frozenset({"Decimal", "Integer", "Number", "String", "DateTime", "DateOnly", "Lookup", "Picklist"})
_STRING_LIMITS = {"String": (100, 4000), "Memo": (2000, 1048576)}


def check_prefix(schema_name: Any, prefixes: set[str], what: str) -> str:
    """§8: SchemaName must carry the publisher's customization prefix."""
    if not isinstance(schema_name, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", schema_name):
        raise bad_request(f"The SchemaName '{schema_name}' of the {what} is not valid.", "0x80040203")
    prefix = schema_name.split("_", 1)[0].lower() if "_" in schema_name else ""
    if prefix not in prefixes:
        raise bad_request(f"The SchemaName '{schema_name}' of the {what} must start with a publisher customization "
                          f"prefix followed by '_' (one of: {', '.join(sorted(prefixes))}).", "0x80048403")
    return schema_name


def new_attribute_name(table: Table, schema_name: Any, prefixes: set[str]) -> str:
    """A prefixed SchemaName no column of `table` has yet (§8 CODES: duplicates by schema or physical name)."""
    checked = check_prefix(schema_name, prefixes, "attribute")
    existing = table.columns.get(checked.lower())
    if existing is not None:
        if existing.custom and existing.schema_name != checked:
            raise bad_request(f"An attribute with the SchemaName {checked} already exists.", "0x80047013")
        raise bad_request(f"Attribute {checked.lower()} already exists for entity {table.logical}.", "0x80060304")
    return checked


def build_column(table: Table, body: Any, prefixes: set[str]) -> Column:
    if not isinstance(body, dict):
        raise bad_request("The attribute definition must be a JSON object.")
    odata_type = str(body.get("@odata.type", "")).lstrip("#")
    if odata_type not in ATTRIBUTE_TYPES:
        raise bad_request(f"Unsupported or missing attribute @odata.type '{odata_type}'.", "0x80040203")
    kind, attribute_type = ATTRIBUTE_TYPES[odata_type]
    if body.get("AttributeType", attribute_type) != attribute_type:
        raise bad_request(f"AttributeType {body.get('AttributeType')} does not match {odata_type}.", "0x80040203")
    schema_name = new_attribute_name(table, body.get("SchemaName"), prefixes)
    column = Column(schema_name.lower(), kind, schema_name=schema_name, custom=True, definition=dict(body))
    if kind in _STRING_LIMITS:
        default, ceiling = _STRING_LIMITS[kind]
        length = body.get("MaxLength", default)
        if not isinstance(length, int) or not 1 <= length <= ceiling:
            raise bad_request(f"MaxLength must be between 1 and {ceiling}.", "0x80040203")
        column.max_length = length
    if kind == "DateTime" and (body.get("Format") == "DateOnly" or body.get("DateTimeBehavior", {}).get("Value")
                               == "DateOnly"):
        column.kind = "DateOnly"
    if kind in ("Integer", "Decimal", "Double", "Money", "BigInt"):
        column.min_value = body.get("MinValue")
        column.max_value = body.get("MaxValue")
    if kind == "Picklist":
        options = (body.get("OptionSet") or {}).get("Options") or []
        values = [option.get("Value") for option in options if isinstance(option, dict)]
        if not values or not all(isinstance(value, int) for value in values) or len(set(values)) != len(values):
            raise bad_request("A Picklist column needs OptionSet.Options with distinct integer Values.", "0x80040203")
        column.options = frozenset(int(value) for value in values if isinstance(value, int))
    return column


_TYPE_NAMES = {"DateOnly": "DateTime", "Number": "Decimal"}
_METADATA_CLASSES = {"Customer": "Lookup", "Owner": "Lookup", "Uniqueidentifier": "UniqueIdentifier"}
_STATE_COLUMNS = {"statecode": "State", "statuscode": "Status"}  # StateAttributeMetadata, StatusAttributeMetadata


def attribute_type(column: Column, lookup_type: str = "Lookup") -> str:
    """Dataverse's AttributeType: statecode/statuscode are State/Status, lookups Lookup/Customer/Owner."""
    if column.kind == "Lookup":
        return lookup_type
    if column.kind == "Picklist" and column.logical in _STATE_COLUMNS:
        return _STATE_COLUMNS[column.logical]
    return _TYPE_NAMES.get(column.kind, column.kind)


@dataclass(frozen=True)
class LookupInfo:
    attribute_type: str  # Lookup, Customer or Owner
    targets: list[str]  # logical names
    navs: list[str]  # the navigation properties that write the column


def column_metadata(table: Table, column: Column, lookup: LookupInfo | None = None) -> dict[str, Any]:
    kind = attribute_type(column, lookup.attribute_type if lookup else "Lookup")
    navs = lookup.navs if lookup else []
    system = column.logical in SYSTEM_COLUMNS or (column.kind == "Lookup" and not navs)
    body: dict[str, Any] = {
        "@odata.type": f"#Microsoft.Dynamics.CRM.{_METADATA_CLASSES.get(kind, kind)}AttributeMetadata",
        "MetadataId": column.metadata_id, "LogicalName": column.logical,
        "SchemaName": column.schema_name or column.logical, "EntityLogicalName": table.logical,
        "AttributeType": kind, "AttributeTypeName": {"Value": f"{kind}Type"},
        "IsCustomAttribute": column.custom, "IsPrimaryId": column.logical == table.primary_id,
        "IsPrimaryName": column.logical == table.primary_name, "IsValidForRead": True,
        "IsValidForCreate": not system,
        "IsValidForUpdate": not system and column.logical != table.primary_id and (
            column.kind != "Lookup" or any(nav not in table.bind_create_only for nav in navs)),
    }
    if column.max_length is not None:
        body["MaxLength"] = column.max_length
    if column.kind in ("DateOnly", "DateTime"):
        body["Format"] = "DateOnly" if column.kind == "DateOnly" else "DateAndTime"
    if column.kind == "Lookup":
        body["Targets"] = list(lookup.targets if lookup else [])
    return body


def option_set(column: Column) -> dict[str, Any] | None:
    """The `OptionSet` navigation of a choice column (only returned when expanded)."""
    if column.kind != "Picklist":
        return None
    labels = {value: label for label, value in column.option_labels.items()}
    return {"MetadataId": column.metadata_id, "IsGlobal": False, "OptionSetType": attribute_type(column),
            "Options": [{"Value": value, "Label": {"LocalizedLabels": [
                {"Label": labels.get(value, str(value)), "LanguageCode": 1033}]}}
                for value in sorted(column.options or [])]}


def build_key(table: Table, body: Any, prefixes: set[str], now: float, delay: float, limit: int) -> AlternateKey:
    if not isinstance(body, dict):
        raise bad_request("The key definition must be a JSON object.")
    schema_name = check_prefix(body.get("SchemaName"), prefixes, "entity key")
    if len(table.keys) >= limit:
        raise bad_request(f"Entity {table.logical} already has the maximum of {limit} alternate keys.", "0x80060893")
    if any(key.logical == schema_name.lower() for key in table.keys):
        raise bad_request(f"An entity key with the name {schema_name} already exists.", "0x80047013")
    attributes = body.get("KeyAttributes")
    if not isinstance(attributes, list) or not attributes or len(attributes) > 16:
        raise bad_request("KeyAttributes must list 1 to 16 columns.", "0x80040203")
    for name in attributes:
        column = table.columns.get(name) if isinstance(name, str) else None
        if column is None:
            raise bad_request(f"Attribute {name} does not exist on entity {table.logical}.", "0x80040203")
        if column.kind not in KEY_KINDS or (column.kind == "String" and (column.max_length or 0) > 4000):
            raise bad_request(f"Attribute {name} of type {column.kind} cannot be used in an entity key.",
                              "0x80060894")
    return AlternateKey(schema_name, schema_name.lower(), tuple(attributes), now, now + delay)


def key_metadata(table: Table, key: AlternateKey, now: float) -> dict[str, Any]:
    return {"@odata.type": "#Microsoft.Dynamics.CRM.EntityKeyMetadata", "MetadataId": key.metadata_id,
            "SchemaName": key.schema_name, "LogicalName": key.logical, "EntityLogicalName": table.logical,
            "KeyAttributes": list(key.attributes), "EntityKeyIndexStatus": key.status(now)}


def plural(logical: str) -> str:
    if logical.endswith("y") and logical[-2:-1] not in "aeiou":
        return logical[:-1] + "ies"
    if logical.endswith(("s", "x", "z", "ch", "sh")):
        return logical + "es"
    return logical + "s"


def build_table(body: Any, prefixes: set[str], catalog_sets: set[str]) -> Table:
    if not isinstance(body, dict) or str(body.get("@odata.type", "")).lstrip("#") != \
            "Microsoft.Dynamics.CRM.EntityMetadata":
        raise bad_request("A table definition needs '@odata.type': 'Microsoft.Dynamics.CRM.EntityMetadata'.",
                          "0x80040203")
    schema_name = check_prefix(body.get("SchemaName"), prefixes, "entity")
    logical = schema_name.lower()
    ownership = body.get("OwnershipType", "UserOwned")
    if ownership not in ("UserOwned", "OrganizationOwned"):
        raise bad_request(f"OwnershipType {ownership} is not supported.", "0x80040203")
    primary_id = f"{logical}id"
    columns: dict[str, Column] = {
        primary_id: Column(primary_id, "Uniqueidentifier"),
        "statecode": Column("statecode", "Picklist", options=frozenset({0, 1})),
        "statuscode": Column("statuscode", "Picklist", options=frozenset({1, 2})),
        "createdon": Column("createdon", "DateTime"), "modifiedon": Column("modifiedon", "DateTime"),
        "overriddencreatedon": Column("overriddencreatedon", "DateTime"),
        "versionnumber": Column("versionnumber", "BigInt"),
        "createdby": Column("createdby", "Lookup"), "modifiedby": Column("modifiedby", "Lookup"),
        "createdonbehalfby": Column("createdonbehalfby", "Lookup"),
    }
    binds: dict[str, tuple[str, ...]] = {}
    if ownership == "UserOwned":
        columns["ownerid"] = Column("ownerid", "Lookup")
        binds["ownerid"] = ("systemusers", "teams")
    table = Table(logical, plural(logical), primary_id, columns, binds, frozenset(), schema_name=schema_name,
                  custom=True, definition={key: value for key, value in body.items() if key != "Attributes"},
                  status_state={1: 0, 2: 1})
    if table.entity_set in catalog_sets:
        raise bad_request(f"An entity with the name {schema_name} already exists.", "0x80047013")
    primaries = [attribute for attribute in body.get("Attributes") or [] if isinstance(attribute, dict)
                 and attribute.get("IsPrimaryName")]
    if len(primaries) != 1:
        raise bad_request("A new table needs exactly one StringAttributeMetadata with IsPrimaryName true.",
                          "0x80040203")
    for attribute in body.get("Attributes") or []:
        column = build_column(table, attribute, prefixes)
        table.columns[column.logical] = column
        if attribute.get("IsPrimaryName"):
            table.primary_name = column.logical
    return table


def table_metadata(table: Table) -> dict[str, Any]:
    return {"@odata.type": "#Microsoft.Dynamics.CRM.EntityMetadata", "MetadataId": table.metadata_id,
            "LogicalName": table.logical, "SchemaName": table.schema_name or table.logical,
            "EntitySetName": table.entity_set, "LogicalCollectionName": table.entity_set,
            "PrimaryIdAttribute": table.primary_id, "PrimaryNameAttribute": table.primary_name,
            "IsCustomEntity": table.custom, "OwnershipType": table.definition.get("OwnershipType", "UserOwned"),
            "HasNotes": table.definition.get("HasNotes", not table.custom),
            "HasActivities": table.definition.get("HasActivities", not table.custom),
            "IsCustomizable": {"Value": table.logical not in facts.NOT_CUSTOMIZABLE,
                               "CanBeChanged": table.logical not in facts.NOT_CUSTOMIZABLE,
                               "ManagedPropertyLogicalName": "iscustomizable"}}


def activity_binds(table: Table) -> list[tuple[str, str]]:
    """(activity/note table, nav) pairs a new table with HasNotes/HasActivities gets (§5 naming)."""
    pairs: list[tuple[str, str]] = []
    if table.definition.get("HasNotes"):
        pairs.append(("annotation", f"objectid_{table.logical}"))
    if table.definition.get("HasActivities"):
        pairs.extend((activity, f"regardingobjectid_{table.logical}_{activity}")
                     for activity in sorted(facts.ACTIVITY_TABLES))
    return pairs



def without_complex_types(value: Any) -> Any:
    """`Microsoft.Dynamics.CRM.ComplexStringAttributeMetadata` -> `…StringAttributeMetadata` (CreateEntities)."""
    if isinstance(value, list):
        return [without_complex_types(item) for item in value]
    if not isinstance(value, dict):
        return value
    converted = {key: without_complex_types(item) for key, item in value.items()}
    kind = converted.get("@odata.type")
    if isinstance(kind, str) and kind.lstrip("#").startswith("Microsoft.Dynamics.CRM.Complex"):
        converted["@odata.type"] = kind.replace("Microsoft.Dynamics.CRM.Complex", "Microsoft.Dynamics.CRM.")
    return converted
