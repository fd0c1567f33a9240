"""The target schema as the org has it now, read through the metadata API (dataverse.md §8): the same
`SchemaSnapshot` that `SchemaSnapshot.from_definitions` builds from the definitions export, with custom tables,
columns and lookups included and exact types and lengths.

Per table: the entity with its attributes and many-to-one relationships expanded, then one call per derived
attribute type whose own properties we need (MaxLength, options, Targets): the Web API only returns a derived
type's properties on a cast to that type."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.dataverse.client import DataverseClient
from shared.mapping.target_schema import ColumnSchema, Kind, SchemaSnapshot, TableSchema

# AttributeType -> the snapshot's kind. BigInt and Double have no kind of their own: "Number" is the snapshot's
# any-number kind (the definitions export calls Integer, Decimal and Double all "Number").
_KINDS: dict[str, Kind] = {
    "String": "String", "Memo": "Memo", "Integer": "Integer", "BigInt": "Number", "Double": "Number",
    "Decimal": "Decimal", "Money": "Money", "Boolean": "Boolean", "DateTime": "DateTime",
    "Picklist": "Picklist", "State": "Picklist", "Status": "Picklist",
    "Lookup": "Lookup", "Customer": "Lookup", "Owner": "Lookup"}
_CHOICES = ("Picklist", "State", "Status")
_SIZED = ("String", "Memo")


class _Row(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")
    logical_name: str = Field(alias="LogicalName")


class _Attribute(_Row):
    attribute_type: str | None = Field(default=None, alias="AttributeType")
    valid_for_create: bool = Field(default=False, alias="IsValidForCreate")
    valid_for_update: bool = Field(default=False, alias="IsValidForUpdate")


class _Relationship(BaseModel):
    model_config = ConfigDict(extra="ignore")
    referenced_entity: str = Field(alias="ReferencedEntity")
    referencing_attribute: str = Field(alias="ReferencingAttribute")
    navigation: str | None = Field(default=None, alias="ReferencingEntityNavigationPropertyName")


class _Entity(_Row):
    entity_set: str | None = Field(default=None, alias="EntitySetName")
    attributes: list[_Attribute] = Field(default_factory=list, alias="Attributes")
    many_to_one: list[_Relationship] = Field(default_factory=list, alias="ManyToOneRelationships")


class _Sized(_Row):
    max_length: int | None = Field(default=None, alias="MaxLength")


class _Option(BaseModel):
    value: int = Field(alias="Value")


class _OptionSet(BaseModel):
    options: list[_Option] = Field(default_factory=list, alias="Options")


class _Choice(_Row):
    option_set: _OptionSet | None = Field(default=None, alias="OptionSet")


class _Lookup(_Row):
    targets: list[str] = Field(default_factory=list, alias="Targets")


_ENTITY_QUERY = {
    "$select": "LogicalName,EntitySetName",
    "$expand": "Attributes($select=LogicalName,AttributeType,IsValidForCreate,IsValidForUpdate),"
               "ManyToOneRelationships($select=ReferencedEntity,ReferencingAttribute,"
               "ReferencingEntityNavigationPropertyName)"}


class _Reader:
    def __init__(self, client: DataverseClient) -> None:
        self.client = client
        definitions = client.get_json("EntityDefinitions", {"$select": "LogicalName,EntitySetName"})
        self.entity_sets = {row.logical_name: row.entity_set for row in
                            (_Entity.model_validate(item) for item in definitions.get("value", [])) if row.entity_set}

    def _cast(self, path: str, attribute_type: str, params: dict[str, str]) -> list[dict[str, Any]]:
        answer = self.client.get_json(f"{path}/Attributes/Microsoft.Dynamics.CRM.{attribute_type}AttributeMetadata",
                                      params)
        rows: list[dict[str, Any]] = answer.get("value", [])
        return rows

    def table(self, logical_name: str) -> TableSchema:
        path = f"EntityDefinitions(LogicalName='{logical_name}')"
        entity = _Entity.model_validate(self.client.get_json(path, _ENTITY_QUERY))
        lengths = {row.logical_name: row.max_length for kind in _SIZED for row in map(
            _Sized.model_validate, self._cast(path, kind, {"$select": "LogicalName,MaxLength"}))}
        options = {row.logical_name: {option.value for option in row.option_set.options} or None
                   for kind in _CHOICES for row in map(_Choice.model_validate, self._cast(
                       path, kind, {"$select": "LogicalName", "$expand": "OptionSet($select=Options)"}))
                   if row.option_set is not None}
        targets = {row.logical_name: row.targets for row in map(
            _Lookup.model_validate, self._cast(path, "Lookup", {"$select": "LogicalName,Targets"}))}
        columns = {attribute.logical_name: ColumnSchema(
            kind=_KINDS.get(attribute.attribute_type or "", "Other"), max_length=lengths.get(attribute.logical_name),
            options=options.get(attribute.logical_name)) for attribute in entity.attributes}
        entity_set = entity.entity_set or self.entity_sets[logical_name]
        return TableSchema(logical_name=logical_name, entity_set=entity_set, columns=columns,
                           navigations=self._navigations(entity, targets))

    def _navigations(self, entity: _Entity, targets: dict[str, list[str]]) -> dict[str, list[str]]:
        """Bindable navigation -> target entity sets, from the many-to-one relationships of the lookups a row may
        write. An owner lookup's relationship points at the abstract `owner`; its real targets are the lookup's
        Targets (systemuser, team)."""
        writable = {attribute.logical_name: attribute.attribute_type for attribute in entity.attributes
                    if attribute.valid_for_create or attribute.valid_for_update}
        navigations: dict[str, list[str]] = {}
        for relationship in entity.many_to_one:
            kind = writable.get(relationship.referencing_attribute)
            if kind is None or not relationship.navigation:
                continue
            referenced = targets.get(relationship.referencing_attribute, []) if kind == "Owner" else \
                [relationship.referenced_entity]
            known = navigations.setdefault(relationship.navigation, [])
            known.extend(entity_set for entity_set in (self.entity_sets.get(name) for name in referenced)
                         if entity_set and entity_set not in known)
        return {navigation: sets for navigation, sets in navigations.items() if sets}


def read_snapshot(client: DataverseClient, logical_names: Iterable[str]) -> SchemaSnapshot:
    """The tables named (logical names), keyed by entity set as `SchemaSnapshot` is."""
    reader = _Reader(client)
    tables = [reader.table(logical_name) for logical_name in logical_names]
    return SchemaSnapshot(tables={table.entity_set: table for table in tables})
