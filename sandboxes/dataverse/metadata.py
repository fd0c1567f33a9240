"""`EntityDefinitions…` routes, `PublishXml`/`PublishAllXml` (dataverse.md §8)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sandboxes.dataverse.customization import (activity_binds, build_column, build_key, build_table,
                                               column_metadata, key_metadata, table_metadata,
                                               without_complex_types)
from sandboxes.dataverse.errors import DataverseError, bad_request, segment_not_found
from sandboxes.dataverse.keys import split_parenthesized
from sandboxes.dataverse.operation import Operation, Reply
from sandboxes.dataverse.schema import Table

if TYPE_CHECKING:
    from sandboxes.dataverse.state import DataverseState


def _pick(item: dict[str, Any], select: str | None) -> dict[str, Any]:
    if not select:
        return item
    names = [name.strip() for name in select.split(",")] + ["MetadataId", "OptionSet"]
    return {name: value for name, value in item.items() if name in names or name.startswith("@")}


def _metadata_filter(items: list[dict[str, Any]], text: str | None) -> list[dict[str, Any]]:
    """The `Name eq 'value'` (joined by `and`/`or`) filters clients send against metadata."""
    if not text:
        return items
    clauses = re.findall(r"(\w+)\s+eq\s+'((?:[^']|'')*)'", text)
    if not clauses:
        raise bad_request(f"Unsupported metadata $filter '{text}'.")
    joiner = any if " or " in text else all
    return [item for item in items
            if joiner(str(item.get(name)) == value.replace("''", "'") for name, value in clauses)]


def _table(state: DataverseState, selector: str) -> Table:
    match = re.fullmatch(r"LogicalName='([^']*)'", selector.strip())
    for table in state.catalog.tables():
        if (match and table.logical == match.group(1)) or table.metadata_id == selector.strip().lower():
            return table
    raise DataverseError(404, "0x80040217", f"Could not find an entity with the selector '{selector}'.")


def _prefixes(state: DataverseState, operation: Operation) -> set[str]:
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


def _record(state: DataverseState, operation: Operation, kind: str, name: str) -> None:
    solution = operation.headers.get("mscrm.solutionuniquename")
    if solution is not None:
        state.solution_components.append((solution, kind, name))


def _collection(operation: Operation, items: list[dict[str, Any]], context: str) -> Reply:
    chosen = _metadata_filter(items, operation.query.get("$filter"))
    return Reply(200, {}, {"@odata.context": f"{operation.service_root}/$metadata#{context}",
                           "value": [_pick(item, operation.query.get("$select")) for item in chosen]})


def _member(operation: Operation, item: dict[str, Any], context: str) -> Reply:
    return Reply(200, {}, {"@odata.context": f"{operation.service_root}/$metadata#{context}/$entity",
                           **_pick(item, operation.query.get("$select"))})


def _attributes(state: DataverseState, operation: Operation, table: Table, inner: str | None,
                cast: str | None = None) -> Reply:
    url = f"{operation.service_root}/EntityDefinitions(LogicalName='{table.logical}')/Attributes"
    if operation.method == "POST" and inner is None and cast is None:
        with state.store.lock:
            column = build_column(table, operation.json(), _prefixes(state, operation))
            table.columns[column.logical] = column
        _record(state, operation, "Attribute", f"{table.logical}.{column.logical}")
        return Reply(204, {"OData-EntityId": f"{url}({column.metadata_id})"})
    if operation.method != "GET":
        raise DataverseError(405, "", f"{operation.method} is not supported on Attributes in the sandbox.")
    items = [column_metadata(table, column) for _, column in sorted(table.columns.items())]
    if cast is not None:
        # A derived-type cast, e.g. `/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata` (SDK).
        if not cast.startswith("Microsoft.Dynamics.CRM.") or not cast.endswith("AttributeMetadata"):
            raise segment_not_found(cast)
        items = [item for item in items if item["@odata.type"] == f"#{cast}"]
    if inner is None:
        return _collection(operation, items, f"EntityDefinitions('{table.metadata_id}')/Attributes")
    match = re.fullmatch(r"LogicalName='([^']*)'", inner)
    for item in items:
        if (match and item["LogicalName"] == match.group(1)) or item["MetadataId"] == inner:
            return _member(operation, item, "EntityDefinitions/Attributes")
    raise DataverseError(404, "0x80040217", f"Could not find attribute {inner} on entity {table.logical}.")


def _keys(state: DataverseState, operation: Operation, table: Table, inner: str | None) -> Reply:
    url = f"{operation.service_root}/EntityDefinitions(LogicalName='{table.logical}')/Keys"
    now = state.clock.now()
    if operation.method == "POST" and inner is None:
        with state.store.lock:
            key = build_key(table, operation.json(), _prefixes(state, operation), now,
                            state.config.key_activation_delay_seconds, state.config.max_keys_per_table)
            table.keys.append(key)
            state.check_key_data(table, key)
        _record(state, operation, "EntityKey", f"{table.logical}.{key.logical}")
        return Reply(204, {"OData-EntityId": f"{url}({key.metadata_id})"})
    if operation.method != "GET":
        raise DataverseError(405, "", f"{operation.method} is not supported on Keys in the sandbox.")
    items = [key_metadata(table, key, now) for key in table.keys]
    if inner is None:
        return _collection(operation, items, f"EntityDefinitions('{table.metadata_id}')/Keys")
    for item in items:
        if item["MetadataId"] == inner or inner == f"LogicalName='{item['LogicalName']}'":
            return _member(operation, item, "EntityDefinitions/Keys")
    raise DataverseError(404, "0x80040217", f"Could not find key {inner} on entity {table.logical}.")


def _add_table(state: DataverseState, operation: Operation, body: Any) -> Table:
    with state.store.lock:
        table = build_table(body, _prefixes(state, operation), {known.entity_set for known in state.catalog.tables()})
        if state.catalog.by_logical(table.logical) is not None:
            raise bad_request(f"An entity with the name {table.schema_name} already exists.", "0x80047013")
        state.catalog.add(table)
        for owner, nav in activity_binds(table):
            owner_table = state.catalog.by_logical(owner)
            if owner_table is not None:
                owner_table.binds[nav] = (table.entity_set,)
    _record(state, operation, "Entity", table.logical)
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


def handle_definitions(state: DataverseState, operation: Operation) -> Reply:
    _, inner, rest = split_parenthesized(operation.path)
    if inner is None:
        if operation.method == "POST":
            return _create_table(state, operation)
        items = [table_metadata(table) for table in state.catalog.tables()]
        return _collection(operation, items, "EntityDefinitions")
    table = _table(state, inner)
    if not rest:
        if operation.method != "GET":
            raise DataverseError(405, "", "Update metadata with PUT of the full definition (not in the sandbox).")
        return _member(operation, table_metadata(table), "EntityDefinitions")
    segment, child_inner, tail = split_parenthesized(rest.lstrip("/"))
    if segment == "Attributes" and child_inner is None and tail:
        return _attributes(state, operation, table, None, tail.lstrip("/"))
    if tail:
        raise segment_not_found(tail.lstrip("/"))
    if segment == "Attributes":
        return _attributes(state, operation, table, child_inner)
    if segment == "Keys":
        return _keys(state, operation, table, child_inner)
    raise segment_not_found(segment)


def publish(state: DataverseState, operation: Operation, action: str) -> Reply:
    if operation.method != "POST":
        raise DataverseError(404, "", "No HTTP resource was found that matches the request URI.")
    body = operation.json() if operation.body.strip() else {}
    if action == "PublishXml" and not isinstance(body.get("ParameterXml"), str):
        raise bad_request("PublishXml requires the ParameterXml parameter.")
    state.publications.append(body.get("ParameterXml", "<all/>") if action == "PublishXml" else "<all/>")
    return Reply(204)
