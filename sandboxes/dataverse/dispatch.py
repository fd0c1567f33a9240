"""Routing one operation below /api/data/v9.2/ to its handler (dataverse.md §13.1)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sandboxes.dataverse import actions, bulk, entities, metadata
from sandboxes.dataverse.relationship_routes import handle_relationships
from sandboxes.dataverse.errors import DataverseError, segment_not_found
from sandboxes.dataverse.keys import split_parenthesized
from sandboxes.dataverse.operation import Operation, Reply

if TYPE_CHECKING:
    from sandboxes.dataverse.state import DataverseState

_BOUND_PREFIX = "Microsoft.Dynamics.CRM."


def execute(state: DataverseState, operation: Operation) -> Reply:
    """The reply for one operation; errors become Dataverse error replies."""
    try:
        return _route(state, operation)
    except DataverseError as error:
        return Reply.of_error(error)


def _route(state: DataverseState, operation: Operation) -> Reply:
    path = operation.path
    name, inner, rest = split_parenthesized(path)
    if name == "EntityDefinitions":
        return metadata.handle_definitions(state, operation)
    if name == "RelationshipDefinitions":
        return handle_relationships(state, operation)
    if name == "WhoAmI" and inner in (None, "") and not rest:
        return actions.who_am_i(state, operation)
    if name in actions.ACTIONS and inner is None and not rest:
        return actions.close(state, operation, name)
    if name == "CreateEntities" and inner is None and not rest:
        return metadata.create_entities(state, operation)
    if name in ("PublishXml", "PublishAllXml") and inner is None and not rest:
        return metadata.publish(state, operation, name)
    table = state.catalog.require_set(name)
    if not rest:
        return entities.handle(state, operation, table, inner)
    segment = rest.lstrip("/")
    if inner is None and segment.startswith(_BOUND_PREFIX) and segment[len(_BOUND_PREFIX):] in bulk.MESSAGES:
        return bulk.handle(state, operation, table, segment[len(_BOUND_PREFIX):])
    raise segment_not_found(segment)
