"""Index filters (clio.md §6, §7), driven by each endpoint's parameters in endpoints.json.

- `updated_since` / `created_since`: strictly after ("records having updated_at after a specific time"); bad -> 400.
- `ids[]`: repeatable.
- `<x>_id`: matches the record's `<x>_id` field, or the id of its `<x>` (or `<x>s` list) association; the keyword
  `null` matches records without one (clio.md §6 "Null matching").
- an enum/boolean parameter named like a scalar field of the record (type, status, state, parent_type, deleted)
  matches it, case-insensitively (matters `status` is lowercase in requests, title case in records); enum
  parameters take comma lists (matters `status=open,pending`, clio.md §7 Matters). A value outside the
  parameter's enum is 400 (inferred: strict).
- `include_deleted` (documents/folders): trashed records (deleted_at set) only when true (clio.md §6).

A parameter the spec lists for the endpoint but that this sandbox cannot apply faithfully (e.g. `query`, bills
`type{revenue|trust}` which names no record field) is refused with 400 rather than silently ignored, so a client
never gets unfiltered data it believes filtered. Parameters the spec does not list are ignored, as Clio does with
`offset` (clio.md §4: accepted though not in the spec).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.datastructures import QueryParams

from sandboxes.clio.errors import bad_request
from sandboxes.clio.params import parse_bool, parse_int, parse_timestamp
from sandboxes.clio.reference import Reference
from sandboxes.clio.resources import Param, ResourceSpec
from sandboxes.clio.store import Record, id_sort_key
from sandboxes.clio.timestamps import parse_iso8601

Predicate = Callable[[Record], bool]
NOT_FILTERS = frozenset({"fields", "limit", "order", "page_token", "offset"})
_ALIASES = {"parent_id": "parent"}


def _since(field: str, after: datetime) -> Predicate:
    return lambda record: record.get(field) is not None and parse_iso8601(record[field]) > after


def _association_ids(record: Record, base: str) -> list[Any] | None:
    """Ids the record links to under `<base>_id`, `<base>` or `<base>s`; None if it has no such link at all."""
    if f"{base}_id" in record:
        value = record[f"{base}_id"]
        return [] if value is None else [value]
    for key in (_ALIASES.get(f"{base}_id", base), f"{base}s"):
        if key in record:
            linked = record[key]
            items = linked if isinstance(linked, list) else [linked]
            return [item["id"] for item in items if isinstance(item, dict) and "id" in item]
    return None


def _association_filter(param: str, value: str) -> Predicate:
    base = param.removesuffix("_id")
    if value == "null":
        return lambda record: not _association_ids(record, base)
    wanted = id_sort_key(parse_int(param, value))
    return lambda record: any(id_sort_key(linked) == wanted for linked in _association_ids(record, base) or ())


class FilterBuilder:
    def __init__(self, reference: Reference) -> None:
        self.reference = reference

    def matcher(self, spec: ResourceSpec, query: QueryParams) -> Predicate:
        """One predicate for all the filters in the query (validated now, so errors come before any paging)."""
        predicates = self._predicates(spec, query)
        return lambda record: all(predicate(record) for predicate in predicates)

    def _predicates(self, spec: ResourceSpec, query: QueryParams) -> list[Predicate]:
        for param in spec.params.values():
            if param.required and param.name not in query:
                raise bad_request(f"{param.name} is required", "InvalidParameter")
        found: list[Predicate] = []
        if "include_deleted" in spec.params:
            include = parse_bool("include_deleted", query.get("include_deleted", "false"))
            if not include:
                found.append(lambda record: record.get("deleted_at") is None)
        for name in dict.fromkeys(query.keys()):
            if name in NOT_FILTERS or name == "include_deleted" or name not in spec.params:
                continue
            found.append(self._predicate(spec, spec.params[name], query.getlist(name)))
        return found

    def _predicate(self, spec: ResourceSpec, param: Param, values: list[str]) -> Predicate:
        name, value = param.name, values[-1]
        if name in ("updated_since", "created_since"):
            return _since(name.replace("_since", "_at"), parse_timestamp(name, value))
        if name == "ids[]":
            wanted = {id_sort_key(parse_int(name, v)) for v in values}
            return lambda record: id_sort_key(record["id"]) in wanted
        field_types = self.reference.scalar_field_types(spec.schema)
        if name.endswith("_id") and param.type == "integer" and self._links(spec.schema, name):
            return _association_filter(name, value)
        field = field_types.get(name)
        if field is not None and param.type == "boolean" and field.get("type") == "boolean":
            expected = parse_bool(name, value)
            return lambda record: record.get(name) is expected
        if field is not None and param.enum and _enums_overlap(param.enum, field.get("enum", ())):
            chosen = [v.strip() for v in value.split(",")]
            for choice in chosen:
                if choice not in param.enum:
                    raise bad_request(f"{name} must be one of {', '.join(param.enum)}, got {choice!r}",
                                      "InvalidParameter")
            lowered = {choice.lower() for choice in chosen}
            return lambda record: str(record.get(name, "")).lower() in lowered
        raise bad_request(f"the Clio sandbox does not implement the {name} filter on {spec.name}",
                          "UnsupportedBySandbox")


    def _links(self, schema: str, param: str) -> bool:
        """Whether records of `schema` carry what an `<x>_id` filter matches on."""
        scalars, nested = self.reference.field_names(schema)
        base = param.removesuffix("_id")
        return param in scalars or bool({_ALIASES.get(param, base), f"{base}s"} & set(nested))


def _enums_overlap(param_enum: tuple[str, ...], field_enum: Any) -> bool:
    return bool({v.lower() for v in param_enum} & {str(v).lower() for v in field_enum})
