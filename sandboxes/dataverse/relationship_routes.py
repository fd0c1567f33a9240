"""`RelationshipDefinitions` routes: create a lookup (one-to-many relationship), read and delete relationships (§8)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sandboxes.dataverse.errors import DataverseError, segment_not_found
from sandboxes.dataverse.keys import split_parenthesized
from sandboxes.dataverse.metadata import collection, find, member, prefixes, record
from sandboxes.dataverse.metadata_delete import delete_relationship
from sandboxes.dataverse.metadata_nodes import relationship_node
from sandboxes.dataverse.operation import Operation, Reply
from sandboxes.dataverse.relationships import add_relationship, all_relationships

if TYPE_CHECKING:
    from sandboxes.dataverse.state import DataverseState

_CASTS = ("Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata", "Microsoft.Dynamics.CRM.RelationshipMetadataBase")


def _create(state: DataverseState, operation: Operation) -> Reply:
    with state.store.lock:
        relationship = add_relationship(state.catalog, operation.json(), prefixes(state, operation))
    record(state, operation, "Relationship", relationship.schema_name)
    return Reply(204, {"OData-EntityId":
                       f"{operation.service_root}/RelationshipDefinitions({relationship.metadata_id})"})


def handle_relationships(state: DataverseState, operation: Operation) -> Reply:
    _, inner, rest = split_parenthesized(operation.path)
    cast = rest.lstrip("/")
    if cast and cast not in _CASTS:
        raise segment_not_found(cast)
    if inner is None and operation.method == "POST" and not cast:
        return _create(state, operation)
    relationships = all_relationships(state.catalog)
    nodes = [relationship_node(relationship) for relationship in relationships]
    if inner is not None and operation.method == "DELETE" and not cast:
        found = find(nodes, inner, "relationship")
        with state.store.transaction():
            delete_relationship(state, next(known for known, node in zip(relationships, nodes) if node is found))
        return Reply(204)
    if operation.method != "GET":
        raise DataverseError(405, "", f"{operation.method} is not supported on RelationshipDefinitions in the "
                                      "sandbox.")
    if inner is None:
        return collection(operation, nodes, "RelationshipDefinitions")
    return member(operation, find(nodes, inner, "relationship"), "RelationshipDefinitions")
