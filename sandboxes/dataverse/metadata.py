"""`EntityDefinitions…` routes, `PublishXml`/`PublishAllXml` (dataverse.md §8)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sandboxes.dataverse.customization import (activity_binds, build_column, build_key, build_table,
                                               without_complex_types)
from sandboxes.dataverse.document_management import FLAG, LOCATION, enable, update_definition
from sandboxes.dataverse.errors import DataverseError, bad_request, segment_not_found
from sandboxes.dataverse.keys import split_parenthesized
from sandboxes.dataverse.metadata_delete import delete_column, delete_key, delete_table
from sandboxes.dataverse.metadata_nodes import attribute_nodes, relationship_node, table_node
from sandboxes.dataverse.metadata_query import Node, metadata_filter, parse_options, shape
from sandboxes.dataverse.operation import Operation, Reply
from sandboxes.dataverse.relationships import many_to_one, one_to_many
from sandboxes.dataverse.schema import Table

if TYPE_CHECKING:
    from sandboxes.dataverse.state import DataverseState


def _table(state: DataverseState, selector: str) -> Table:
    match = re.fullmatch(r"LogicalName='([^']*)'", selector.strip())
    for table in state.catalog.tables():
        if (match and table.logical == match.group(1)) or table.metadata_id == selector.strip().lower():
            return table
    raise DataverseError(404, "0x80040217", f"Could not find an entity with the selector '{selector}'.")


def prefixes(state: DataverseState, operation: Operation) -> set[str]:
    """Publisher prefixes allowed: the named solution's publisher, else every publisher's (§8)."""
    solution_name = operation.headers.get("mscrm.solutionuniquename")
    publishers = {str(row["publisherid"]): str(row.get("customizationprefix") or "").lower()
                  for row in state.store.all("publisher")}
    if solution_name is None:
        return set(publishers.values())
    for solution in state.store.all("solution"):
        if solution.get("uniquename") == solution_name:
            return {publishers.get(str(solution.get("_publisherid_value")), "")}
    raise DataverseError(404, "0x8004F015", f"The solution {solution_name} does not exist.")


def record(state: DataverseState, operation: Operation, kind: str, name: str) -> None:
    solution = operation.headers.get("mscrm.solutionuniquename")
    if solution is not None:
        state.solution_components.append((solution, kind, name))


def collection(operation: Operation, nodes: list[Node], context: str) -> Reply:
    options = parse_options(operation.query)
    return Reply(200, {}, {"@odata.context": f"{operation.service_root}/$metadata#{context}",
                           "value": [shape(node, options) for node in metadata_filter(nodes, options.filter)]})


def member(operation: Operation, node: Node, context: str) -> Reply:
    return Reply(200, {}, {"@odata.context": f"{operation.service_root}/$metadata#{context}/$entity",
                           **shape(node, parse_options(operation.query))})


def find(nodes: list[Node], inner: str, what: str) -> Node:
    """A member by MetadataId or by `LogicalName='…'` / `SchemaName='…'`."""
    match = re.fullmatch(r"(LogicalName|SchemaName)='([^']*)'", inner.strip())
    for node in nodes:
        if node.item["MetadataId"] == inner.strip().lower() or (match and node.item.get(match.group(1)) ==
                                                                  match.group(2)):
            return node
    raise DataverseError(404, "0x80040217", f"Could not find {what} {inner}.")


def _attributes(state: DataverseState, operation: Operation, table: Table, inner: str | None,
                cast: str | None = None) -> Reply:
    url = f"{operation.service_root}/EntityDefinitions(LogicalName='{table.logical}')/Attributes"
    if operation.method == "POST" and inner is None and cast is None:
        with state.store.lock:
            column = build_column(table, operation.json(), prefixes(state, operation))
            table.columns[column.logical] = column
        record(state, operation, "Attribute", f"{table.logical}.{column.logical}")
        return Reply(204, {"OData-EntityId": f"{url}({column.metadata_id})"})
    if operation.method == "DELETE" and inner is not None and cast is None:
        node = find(attribute_nodes(state.catalog, table), inner, f"attribute on entity {table.logical}")
        with state.store.transaction():
            delete_column(state, table, table.columns[node.item["LogicalName"]])
        return Reply(204)
    if operation.method != "GET":
        raise DataverseError(405, "", f"{operation.method} is not supported on Attributes in the sandbox.")
    if cast is not None and (not cast.startswith("Microsoft.Dynamics.CRM.") or not cast.endswith("AttributeMetadata")):
        raise segment_not_found(cast)  # a derived-type cast, e.g. `/Attributes/Microsoft.Dynamics.CRM.…Metadata`
    nodes = attribute_nodes(state.catalog, table, cast and cast.removeprefix("Microsoft.Dynamics.CRM."))
    if inner is None:
        return collection(operation, nodes, f"EntityDefinitions('{table.metadata_id}')/Attributes")
    return member(operation, find(nodes, inner, f"attribute on entity {table.logical}"),
                  "EntityDefinitions/Attributes")


def _keys(state: DataverseState, operation: Operation, table: Table, inner: str | None) -> Reply:
    url = f"{operation.service_root}/EntityDefinitions(LogicalName='{table.logical}')/Keys"
    now = state.clock.now()
    if operation.method == "POST" and inner is None:
        with state.store.lock:
            key = build_key(table, operation.json(), prefixes(state, operation), now,
                            state.config.key_activation_delay_seconds, state.config.max_keys_per_table)
            table.keys.append(key)
            state.check_key_data(table, key)
        record(state, operation, "EntityKey", f"{table.logical}.{key.logical}")
        return Reply(204, {"OData-EntityId": f"{url}({key.metadata_id})"})
    nodes = table_node(state.catalog, table, now).navigations["Keys"]()
    assert isinstance(nodes, list)
    if operation.method == "DELETE" and inner is not None:
        found = find(nodes, inner, f"key on entity {table.logical}")
        with state.store.lock:
            delete_key(state, table, next(key for key in table.keys if key.metadata_id == found.item["MetadataId"]))
        return Reply(204)
    if operation.method != "GET":
        raise DataverseError(405, "", f"{operation.method} is not supported on Keys in the sandbox.")
    if inner is None:
        return collection(operation, nodes, f"EntityDefinitions('{table.metadata_id}')/Keys")
    return member(operation, find(nodes, inner, f"key on entity {table.logical}"), "EntityDefinitions/Keys")


def _add_table(state: DataverseState, operation: Operation, body: Any) -> Table:
    with state.store.lock:
        table = build_table(body, prefixes(state, operation), {known.entity_set for known in state.catalog.tables()})
        if state.catalog.by_logical(table.logical) is not None:
            raise bad_request(f"An entity with the name {table.schema_name} already exists.", "0x80047013")
        state.catalog.add(table)
        for owner, nav in activity_binds(table):
            owner_table = state.catalog.by_logical(owner)
            if owner_table is not None:
                owner_table.binds[nav] = (table.entity_set,)
        if table.definition.get(FLAG) is True and state.catalog.by_logical(LOCATION) is not None:
            enable(state.catalog, table)
    record(state, operation, "Entity", table.logical)
    return table


def _create_table(state: DataverseState, operation: Operation) -> Reply:
    table = _add_table(state, operation, operation.json())
    return Reply(204, {"OData-EntityId": f"{operation.service_root}/EntityDefinitions({table.metadata_id})"})


def create_entities(state: DataverseState, operation: Operation) -> Reply:
    """`POST /CreateEntities` with Complex*Metadata types (what the official SDK sends); the solution comes as
    the `SolutionUniqueName` query parameter there. Response shape inferred: the new MetadataIds."""
    if operation.method != "POST":
        raise DataverseError(404, "", "No HTTP resource was found that matches the request URI.")
    body = operation.json()
    entities = body.get("Entities") if isinstance(body, dict) else None
    if not isinstance(entities, list) or not entities:
        raise bad_request("CreateEntities requires a non-empty Entities array.")
    if "SolutionUniqueName" in operation.query:
        operation.headers["mscrm.solutionuniquename"] = operation.query["SolutionUniqueName"]
    tables: list[Table] = []
    try:
        for entity in entities:
            tables.append(_add_table(state, operation, without_complex_types(entity)))
    except DataverseError:
        for table in tables:  # all or nothing
            state.catalog.remove(table.logical)
        raise
    return Reply(200, {}, {"@odata.context": f"{operation.service_root}/$metadata#Microsoft.Dynamics.CRM."
                                             "CreateEntitiesResponse",
                           "EntityIds": [table.metadata_id for table in tables]})


def _relationships(state: DataverseState, operation: Operation, table: Table, segment: str) -> Reply:
    if operation.method != "GET":
        raise DataverseError(405, "", f"{operation.method} is not supported on {segment}; use RelationshipDefinitions.")
    known = many_to_one(state.catalog, table) if segment == "ManyToOneRelationships" else \
        one_to_many(state.catalog, table)
    return collection(operation, [relationship_node(relationship) for relationship in known],
                      f"EntityDefinitions('{table.metadata_id}')/{segment}")


def _update_table(state: DataverseState, operation: Operation, table: Table) -> Reply:
    """`PUT EntityDefinitions(…)` with the whole definition, as retrieved and then changed (TBL "Update table
    definitions"): 204, no content. Like other metadata changes here it applies at once; PublishXml is recorded.
    `MSCRM.MergeLabels` is optional (absent means false, TBL); the sandbox serves no labels, so it only records it."""
    merge_labels = operation.headers.get("mscrm.mergelabels")
    if merge_labels is not None and merge_labels.strip().lower() not in ("true", "false"):
        raise bad_request(f"The MSCRM.MergeLabels header must be true or false, not '{merge_labels}'.")
    with state.store.lock:
        served = table_node(state.catalog, table, state.clock.now()).item
        update_definition(state.catalog, table, operation.json(), served)
        state.definition_updates.append((table.logical, merge_labels))
    record(state, operation, "Entity", table.logical)
    return Reply(204)


def handle_definitions(state: DataverseState, operation: Operation) -> Reply:
    _, inner, rest = split_parenthesized(operation.path)
    now = state.clock.now()
    if inner is None:
        if operation.method == "POST":
            return _create_table(state, operation)
        return collection(operation, [table_node(state.catalog, table, now) for table in state.catalog.tables()],
                          "EntityDefinitions")
    table = _table(state, inner)
    if not rest:
        if operation.method == "PUT":
            return _update_table(state, operation, table)
        if operation.method == "DELETE":
            with state.store.transaction():
                delete_table(state, table)
            return Reply(204)
        if operation.method != "GET":
            raise DataverseError(405, "", "Update a table definition with PUT of the full definition, delete it with "
                                          "DELETE.")
        return member(operation, table_node(state.catalog, table, now), "EntityDefinitions")
    segment, child_inner, tail = split_parenthesized(rest.lstrip("/"))
    cast = tail.lstrip("/") or None
    if segment == "Attributes":
        return _attributes(state, operation, table, child_inner, cast)
    if cast:
        raise segment_not_found(cast)
    if segment == "Keys":
        return _keys(state, operation, table, child_inner)
    if segment in ("ManyToOneRelationships", "OneToManyRelationships") and child_inner is None:
        return _relationships(state, operation, table, segment)
    raise segment_not_found(segment)


def publish(state: DataverseState, operation: Operation, action: str) -> Reply:
    if operation.method != "POST":
        raise DataverseError(404, "", "No HTTP resource was found that matches the request URI.")
    body = operation.json() if operation.body.strip() else {}
    if action == "PublishXml" and not isinstance(body.get("ParameterXml"), str):
        raise bad_request("PublishXml requires the ParameterXml parameter.")
    state.publications.append(body.get("ParameterXml", "<all/>") if action == "PublishXml" else "<all/>")
    return Reply(204)
