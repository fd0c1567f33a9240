"""GET of one row or a collection: $select, $filter, $orderby, $top, $count, paging (dataverse.md §13)."""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sandboxes.dataverse.errors import bad_request
from sandboxes.dataverse.filters import compile_filter, readable_property
from sandboxes.dataverse.schema import Table
from sandboxes.dataverse.store import Row
from sandboxes.dataverse.writes import etag

_KNOWN_OPTIONS = {"$select", "$filter", "$orderby", "$top", "$count", "$skiptoken", "$expand", "$apply"}


@dataclass(frozen=True)
class Prefer:
    return_representation: bool = False
    max_page_size: int | None = None
    include_annotations: bool = False
    continue_on_error: bool = False

    @classmethod
    def parse(cls, header: str | None) -> Prefer:
        parts = [part.strip() for part in (header or "").split(",") if part.strip()]
        page_size = None
        for part in parts:
            if part.startswith("odata.maxpagesize="):
                page_size = int(part.split("=", 1)[1])
        return cls(return_representation="return=representation" in parts, max_page_size=page_size,
                   include_annotations=any(part.startswith("odata.include-annotations") for part in parts),
                   continue_on_error="odata.continue-on-error" in parts)


def _selected(table: Table, select: str | None) -> list[str] | None:
    if not select:
        return None
    return [readable_property(table, name.strip()) for name in select.split(",") if name.strip()]


def render(table: Table, row: Row, select: str | None, annotations: bool) -> dict[str, Any]:
    """A row as JSON: `@odata.etag`, the selected (or all stored) properties, the primary key always."""
    names = _selected(table, select)
    body: dict[str, Any] = {"@odata.etag": etag(row)}
    for name, value in row.items():
        if "@" in name:
            if annotations and (names is None or name.split("@", 1)[0] in names):
                body[name] = value
            continue
        if names is None or name in names:
            body[name] = value
    for name in names or []:
        body.setdefault(name, None)
    body[table.primary_id] = row[table.primary_id]
    return body


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    return (1, value.lower() if isinstance(value, str) else value)


def select_rows(table: Table, rows: list[Row], query: dict[str, str]) -> list[Row]:
    for option in query:
        if option.startswith("$") and option not in _KNOWN_OPTIONS:
            raise bad_request(f"The query parameter {option} is not supported")
    if "$expand" in query or "$apply" in query:
        raise bad_request("The sandbox does not implement $expand/$apply.")  # refuse rather than ignore
    if query.get("$filter"):
        predicate = compile_filter(query["$filter"], table)
        rows = [row for row in rows if predicate(row)]
    rows = sorted(rows, key=lambda row: str(row[table.primary_id]))
    for clause in reversed([part.strip() for part in query.get("$orderby", "").split(",") if part.strip()]):
        name, _, direction = clause.partition(" ")
        prop = readable_property(table, name)
        if direction.strip() not in ("", "asc", "desc"):
            raise bad_request(f"Invalid $orderby direction '{direction}'.")
        rows = sorted(rows, key=lambda row: _sort_key(row.get(prop)), reverse=direction.strip() == "desc")
    if "$top" in query:
        try:
            top = int(query["$top"])
        except ValueError as error:
            raise bad_request(f"Invalid $top value '{query['$top']}'.") from error
        rows = rows[:top]
    return rows


def page(rows: list[Row], query: dict[str, str], page_size: int, url: str) -> tuple[list[Row], str | None]:
    """One page and the nextLink (an opaque $skiptoken carrying the offset) if more remain."""
    offset = 0
    if "$skiptoken" in query:
        try:
            offset = int(json.loads(base64.urlsafe_b64decode(query["$skiptoken"]))["offset"])
        except (ValueError, KeyError) as error:
            raise bad_request("Invalid $skiptoken.") from error
    chunk = rows[offset:offset + page_size]
    if offset + page_size >= len(rows):
        return chunk, None
    token = base64.urlsafe_b64encode(json.dumps({"offset": offset + page_size}).encode()).decode()
    following = {key: value for key, value in query.items() if key != "$skiptoken"}
    following["$skiptoken"] = token
    return chunk, f"{url}?{urlencode(following)}"
