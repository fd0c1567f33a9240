"""Tables, columns, keys and relationships as metadata nodes (items plus their expandable navigations)."""
from __future__ import annotations

from sandboxes.dataverse.catalog import Catalog
from sandboxes.dataverse.customization import LookupInfo, column_metadata, key_metadata, option_set, table_metadata
from sandboxes.dataverse.document_management import FLAG, is_enabled
from sandboxes.dataverse.metadata_query import Node, attribute_properties
from sandboxes.dataverse.relationships import lookups, many_to_one, one_to_many, relationship_metadata
from sandboxes.dataverse.schema import Column, Relationship, Table

BASE_ATTRIBUTE = "AttributeMetadata"
_ENUM_TYPES = ("PicklistAttributeMetadata", "StateAttributeMetadata", "StatusAttributeMetadata")


def attribute_node(table: Table, column: Column, lookup: LookupInfo | None, as_type: str = BASE_ATTRIBUTE) -> Node:
    """A column typed as `as_type`: the base type unless the request cast to the column's own type."""
    node = Node(column_metadata(table, column, lookup), as_type, attribute_properties(as_type))
    if as_type in _ENUM_TYPES:
        node.navigations["OptionSet"] = lambda: _option_set_node(column)
    return node


def _option_set_node(column: Column) -> Node | None:
    options = option_set(column)
    return None if options is None else Node(options, "OptionSetMetadata")


def attribute_nodes(catalog: Catalog, table: Table, cast: str | None = None) -> list[Node]:
    """Every column, or with a cast (`PicklistAttributeMetadata`) only the columns of that type."""
    info = lookups(catalog, table)
    nodes = [attribute_node(table, column, info.get(name), cast or BASE_ATTRIBUTE)
             for name, column in sorted(table.columns.items())]
    return [node for node in nodes if cast is None or node.item["@odata.type"] == f"#Microsoft.Dynamics.CRM.{cast}"]


def relationship_node(relationship: Relationship) -> Node:
    return Node(relationship_metadata(relationship), "OneToManyRelationshipMetadata")


def table_node(catalog: Catalog, table: Table, now: float) -> Node:
    item = {**table_metadata(table), FLAG: is_enabled(catalog, table)}
    return Node(item, "EntityMetadata", None, {
        "Attributes": lambda: attribute_nodes(catalog, table),
        "Keys": lambda: [Node(key_metadata(table, key, now), "EntityKeyMetadata") for key in table.keys],
        "ManyToOneRelationships": lambda: [relationship_node(known) for known in many_to_one(catalog, table)],
        "OneToManyRelationships": lambda: [relationship_node(known) for known in one_to_many(catalog, table)]})
