"""What reading a table back needs from the org's metadata (dataverse.md §8): each column's canonical kind, the
lookup attribute behind each navigation a bind names (`regardingobjectid_opportunity_task` -> `regardingobjectid`,
read back as `_regardingobjectid_value`), and every entity set's primary id."""
from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from shared.dataverse.client import DataverseClient
from shared.reconcile.canonical import Kind

# AttributeType -> canonical kind; DateTime is split by its Format (DateOnly or DateAndTime).
_KINDS: dict[str, Kind] = {
    "String": "text", "Memo": "text", "EntityName": "text", "Integer": "integer", "BigInt": "integer",
    "Picklist": "integer", "State": "integer", "Status": "integer", "Decimal": "decimal", "Money": "decimal",
    "Double": "decimal", "Boolean": "boolean", "DateTime": "datetime", "Lookup": "guid", "Customer": "guid",
    "Owner": "guid", "Uniqueidentifier": "guid"}


class _Metadata(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Attribute(_Metadata):
    name: str = Field(alias="LogicalName")
    type: str | None = Field(default=None, alias="AttributeType")
    format: str | None = Field(default=None, alias="Format")


class _ManyToOne(_Metadata):
    attribute: str = Field(alias="ReferencingAttribute")
    navigation: str | None = Field(default=None, alias="ReferencingEntityNavigationPropertyName")


class _Definition(_Metadata):
    logical_name: str = Field(alias="LogicalName")
    entity_set: str | None = Field(default=None, alias="EntitySetName")
    primary_id: str | None = Field(default=None, alias="PrimaryIdAttribute")
    attributes: list[_Attribute] = Field(default_factory=list, alias="Attributes")
    many_to_one: list[_ManyToOne] = Field(default_factory=list, alias="ManyToOneRelationships")


class TableShape(BaseModel):
    logical_name: str
    columns: dict[str, Kind]
    navigations: dict[str, str]  # bind navigation -> lookup attribute

    def kind(self, column: str) -> Kind:
        return self.columns.get(column, "other")


class OrgShape(BaseModel):
    tables: dict[str, TableShape]  # by logical name
    primary_ids: dict[str, str]  # entity set -> primary id attribute, for every table of the org


def read_shape(client: DataverseClient, logical_names: Iterable[str]) -> OrgShape:
    """Two calls per table (the entity with its columns and many-to-one relationships; its DateTime columns' Format,
    which the Web API returns only on a cast to DateTimeAttributeMetadata) and one for every table's primary id."""
    every = client.get_json("EntityDefinitions", {"$select": "LogicalName,EntitySetName,PrimaryIdAttribute"})
    definitions = [_Definition.model_validate(item) for item in every.get("value", [])]
    primary_ids = {d.entity_set: d.primary_id for d in definitions if d.entity_set and d.primary_id}
    return OrgShape(tables={name: _table(client, name) for name in sorted(set(logical_names))},
                    primary_ids=primary_ids)


def _table(client: DataverseClient, logical_name: str) -> TableShape:
    path = f"EntityDefinitions(LogicalName='{logical_name}')"
    entity = _Definition.model_validate(client.get_json(path, {
        "$select": "LogicalName", "$expand": "Attributes($select=LogicalName,AttributeType),ManyToOneRelationships("
                                             "$select=ReferencingAttribute,ReferencingEntityNavigationPropertyName)"}))
    dated = client.get_json(f"{path}/Attributes/Microsoft.Dynamics.CRM.DateTimeAttributeMetadata",
                            {"$select": "LogicalName,Format"})
    date_only = {a.name for a in map(_Attribute.model_validate, dated.get("value", [])) if a.format == "DateOnly"}
    columns: dict[str, Kind] = {a.name: "date" if a.name in date_only else _KINDS.get(a.type or "", "other")
                                for a in entity.attributes}
    navigations = {r.navigation: r.attribute for r in entity.many_to_one if r.navigation}
    return TableShape(logical_name=logical_name, columns=columns, navigations=navigations)
