"""What a restore needs to know of a table, from the metadata API (dataverse.md §5, §8): which columns an update
may write, each lookup's target tables, and the navigation property that binds a lookup to each target (a
polymorphic lookup has one per target: `parentcustomerid_account`, `parentcustomerid_contact`; an owner lookup's
relationship names the abstract `owner`, its real targets being the attribute's Targets), and which lookups make a
row go with the row they point at (CascadeConfiguration.Delete, dataverse.md §12)."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shared.dataverse.client import DataverseClient

OWNER = "owner"


class _Meta(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")


class _Column(_Meta):
    logical_name: str = Field(alias="LogicalName")
    updatable: bool = Field(default=False, alias="IsValidForUpdate")


class _ManyToOne(_Meta):
    referenced: str = Field(alias="ReferencedEntity")
    lookup: str = Field(alias="ReferencingAttribute")
    navigation: str | None = Field(default=None, alias="ReferencingEntityNavigationPropertyName")
    cascade: dict[str, str] = Field(default_factory=dict, alias="CascadeConfiguration")


class _Definition(_Meta):
    logical_name: str = Field(alias="LogicalName")
    entity_set: str | None = Field(default=None, alias="EntitySetName")
    primary_id: str | None = Field(default=None, alias="PrimaryIdAttribute")
    columns: list[_Column] = Field(default_factory=list, alias="Attributes")
    many_to_one: list[_ManyToOne] = Field(default_factory=list, alias="ManyToOneRelationships")


class _LookupColumn(_Meta):
    logical_name: str = Field(alias="LogicalName")
    targets: list[str] = Field(default_factory=list, alias="Targets")


class TableShape(BaseModel):
    logical: str
    entity_set: str
    primary_id: str
    updatable: frozenset[str]
    targets: dict[str, list[str]]  # lookup column -> the tables it may point at
    navigations: dict[str, dict[str, str]]  # lookup column -> target table (or "owner") -> navigation property
    cascading: dict[str, list[str]]  # lookup column -> the tables whose row's delete deletes this row (§12)

    def navigation(self, lookup: str, target: str) -> str | None:
        by_target = self.navigations.get(lookup, {})
        return by_target.get(target) or by_target.get(OWNER)


class Shapes:
    """Table shapes read once, and where each table's rows live (entity set, primary id)."""

    def __init__(self, client: DataverseClient) -> None:
        self.client = client
        self._shapes: dict[str, TableShape] = {}
        self._places: dict[str, tuple[str, str]] | None = None

    def place(self, logical: str) -> tuple[str, str] | None:
        """(entity set, primary id) of a table, None if the org has no such table."""
        if self._places is None:
            answer = self.client.get_json("EntityDefinitions",
                                          {"$select": "LogicalName,EntitySetName,PrimaryIdAttribute"})
            found = [_Definition.model_validate(item) for item in answer.get("value", [])]
            self._places = {item.logical_name: (item.entity_set, item.primary_id) for item in found
                            if item.entity_set and item.primary_id}
        return self._places.get(logical)

    def of(self, logical: str) -> TableShape:
        if logical not in self._shapes:
            self._shapes[logical] = self._read(logical)
        return self._shapes[logical]

    def _read(self, logical: str) -> TableShape:
        path = f"EntityDefinitions(LogicalName='{logical}')"
        definition = _Definition.model_validate(self.client.get_json(path, {
            "$select": "LogicalName,EntitySetName,PrimaryIdAttribute",
            "$expand": "Attributes($select=LogicalName,IsValidForUpdate),ManyToOneRelationships($select="
                       "ReferencedEntity,ReferencingAttribute,ReferencingEntityNavigationPropertyName,CascadeConfiguration)"}))
        lookups = self.client.get_json(f"{path}/Attributes/Microsoft.Dynamics.CRM.LookupAttributeMetadata",
                                       {"$select": "LogicalName,Targets"}).get("value", [])
        navigations: dict[str, dict[str, str]] = {}
        cascading: dict[str, list[str]] = {}
        for relationship in definition.many_to_one:
            if relationship.navigation:
                navigations.setdefault(relationship.lookup, {})[relationship.referenced] = relationship.navigation
            if relationship.cascade.get("Delete") == "Cascade":
                cascading.setdefault(relationship.lookup, []).append(relationship.referenced)
        assert definition.entity_set and definition.primary_id, f"{logical} has no entity set"
        return TableShape(logical=logical, entity_set=definition.entity_set, primary_id=definition.primary_id,
                          updatable=frozenset(c.logical_name for c in definition.columns if c.updatable),
                          targets={column.logical_name: column.targets
                                   for column in map(_LookupColumn.model_validate, lookups)},
                          navigations=navigations, cascading=cascading)
