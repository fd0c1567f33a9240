"""Entity-set routes: `<set>`, `<set>(<key>)` — create, read, upsert/update, delete (dataverse.md §2, §13)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sandboxes.dataverse.errors import DataverseError, bad_request, version_mismatch
from sandboxes.dataverse.keys import KeySpec, parse_key
from sandboxes.dataverse.operation import Operation, Reply
from sandboxes.dataverse.query import page, render, select_rows
from sandboxes.dataverse.references import find_row, missing
from sandboxes.dataverse.schema import Table
from sandboxes.dataverse.store import Row
from sandboxes.dataverse.writes import Conditions, etag

if TYPE_CHECKING:
    from sandboxes.dataverse.state import DataverseState


def _entity_url(operation: Operation, table: Table, key: KeySpec) -> str:
    return f"{operation.service_root}/{table.entity_set}{key.segment()}"


def _written(operation: Operation, table: Table, row: Row, key: KeySpec, created: bool) -> Reply:
    """§2: 204 + OData-EntityId; with return=representation 201 (created) / 200 (updated) + the row."""
    url = _entity_url(operation, table, key)
    headers = {"OData-EntityId": url}
    if not operation.prefer.return_representation:
        return Reply(204, headers)
    body = {"@odata.context": f"{operation.service_root}/$metadata#{table.entity_set}/$entity",
            **render(table, row, operation.query.get("$select"), operation.prefer.include_annotations)}
    headers.update({"Preference-Applied": "return=representation", "ETag": etag(row)})
    if created:
        headers["Location"] = url
    return Reply(201 if created else 200, headers, body)


def create(state: DataverseState, operation: Operation, table: Table) -> Reply:
    with state.store.transaction():
        row = state.writer.create(table, operation.json(), operation.principal, state.resolver(operation))
    return _written(operation, table, row, KeySpec(str(row[table.primary_id])), True)


def read_collection(state: DataverseState, operation: Operation, table: Table) -> Reply:
    rows = select_rows(table, state.store.all(table.logical), operation.query)
    size = min(operation.prefer.max_page_size or state.config.max_page_size, state.config.max_page_size)
    chunk, next_link = page(rows, operation.query, size, f"{operation.service_root}/{table.entity_set}")
    annotations = operation.prefer.include_annotations
    body: dict[str, object] = {"@odata.context": f"{operation.service_root}/$metadata#{table.entity_set}"}
    if operation.query.get("$count") == "true":
        body["@odata.count"] = len(rows)
    body["value"] = [render(table, row, operation.query.get("$select"), annotations) for row in chunk]
    if next_link:
        body["@odata.nextLink"] = next_link
    headers = {"Preference-Applied": f"odata.maxpagesize={size}"} if operation.prefer.max_page_size else {}
    return Reply(200, headers, body)


def read_one(state: DataverseState, operation: Operation, table: Table, key: KeySpec) -> Reply:
    row = find_row(table, key, state.store)
    if row is None:
        raise missing(table, key)
    if operation.headers.get("if-none-match") == etag(row):
        return Reply(304)
    body = {"@odata.context": f"{operation.service_root}/$metadata#{table.entity_set}/$entity",
            **render(table, row, operation.query.get("$select"), operation.prefer.include_annotations)}
    return Reply(200, {"ETag": etag(row)}, body)


def patch(state: DataverseState, operation: Operation, table: Table, key: KeySpec) -> Reply:
    conditions = Conditions(operation.headers.get("if-match"), operation.headers.get("if-none-match"))
    if conditions.if_none_match not in (None, "*", "null"):
        raise bad_request("If-None-Match on PATCH must be '*' (or the no-op 'null').")
    with state.store.transaction():
        result = state.writer.upsert(table, key, operation.json(), operation.principal, state.resolver(operation),
                                     conditions)
    return _written(operation, table, result.row, key, result.created)


def delete(state: DataverseState, operation: Operation, table: Table, key: KeySpec) -> Reply:
    row = find_row(table, key, state.store)
    if row is None:
        raise missing(table, key)
    match = operation.headers.get("if-match")
    if match not in (None, "*") and match != etag(row):
        raise version_mismatch()
    with state.store.transaction():
        state.writer.delete(table, row)
    return Reply(204)


def handle(state: DataverseState, operation: Operation, table: Table, inner: str | None) -> Reply:
    method = operation.method
    if inner is None:
        if method == "GET":
            return read_collection(state, operation, table)
        if method == "POST":
            return create(state, operation, table)
        raise DataverseError(405, "0x80060888", f"The HTTP method '{method}' is not allowed on '{table.entity_set}'.")
    key = parse_key(inner, table, state.clock.now())
    if method == "GET":
        return read_one(state, operation, table, key)
    if method == "PATCH":
        return patch(state, operation, table, key)
    if method == "DELETE":
        return delete(state, operation, table, key)
    raise DataverseError(405, "0x80060888", f"The HTTP method '{method}' is not allowed on a single entity.")
