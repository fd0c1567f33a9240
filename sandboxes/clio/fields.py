"""The `fields` query parameter (clio.md §5 [FIELDS]): parsing, validation and rendering of records.

Defaults are `id,etag`; one nesting level with braces; a nested association without braces returns its
defaults; a brace inside braces or an unknown name is 400 InvalidFields. Served associations are stored as
`{"id": N}` stubs (README) and filled from the referenced record.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandboxes.clio.errors import invalid_field
from sandboxes.clio.reference import Reference
from sandboxes.clio.resources import resource_of_ref
from sandboxes.clio.store import FirmStore, Record

DEFAULT_FIELDS = ("id", "etag")


@dataclass(frozen=True)
class FieldRequest:
    name: str
    subfields: tuple[str, ...] | None = None


def _split_top_level(text: str) -> list[str]:
    parts: list[str] = []
    depth, start = 0, 0
    for pos, char in enumerate(text):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                raise invalid_field(text[start:pos + 1].strip())
        elif char == "," and depth == 0:
            parts.append(text[start:pos])
            start = pos + 1
    if depth != 0:
        raise invalid_field(text[start:].strip())
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]


def _parse_segment(segment: str) -> FieldRequest:
    if "{" not in segment:
        return FieldRequest(segment)
    name, _, rest = segment.partition("{")
    if not rest.endswith("}"):
        raise invalid_field(segment)
    inner = _split_top_level(rest[:-1])
    for sub in inner:
        if "{" in sub:  # a second nesting level is not allowed (clio.md §5)
            raise invalid_field(sub.partition("{")[0].strip())
    return FieldRequest(name.strip(), tuple(inner))


def parse_fields(text: str | None) -> list[FieldRequest]:
    if text is None or not text.strip():
        return [FieldRequest(name) for name in DEFAULT_FIELDS]
    return [_parse_segment(segment) for segment in _split_top_level(text)]


class FieldRenderer:
    def __init__(self, reference: Reference, store: FirmStore) -> None:
        self.reference = reference
        self.store = store

    def validate(self, schema: str, requests: list[FieldRequest]) -> None:
        scalars, nested = self.reference.field_names(schema)
        for request in requests:
            if request.name in scalars and request.subfields is None:
                continue
            if request.name not in nested:
                raise invalid_field(request.name)
            sub_scalars, sub_nested = self.reference.field_names(nested[request.name]["ref"])
            for sub in request.subfields or ():
                if sub not in sub_scalars and sub not in sub_nested:
                    raise invalid_field(sub)

    def render(self, schema: str, record: Record, requests: list[FieldRequest]) -> Record:
        _, nested = self.reference.field_names(schema)
        out: Record = {}
        for request in requests:
            if request.name not in record:
                continue
            value = record[request.name]
            if request.name in nested and value is not None:
                ref = nested[request.name]["ref"]
                value = self._render_association(ref, value, request.subfields)
            out[request.name] = value
        return out

    def _render_association(self, ref: str, value: Any, subfields: tuple[str, ...] | None) -> Any:
        if isinstance(value, list):
            return [self._render_one(ref, item, subfields) for item in value]
        return self._render_one(ref, value, subfields)

    def resolve(self, ref: str, stored: Record) -> Record:
        resource = resource_of_ref(ref)
        if resource is None or "id" not in stored:
            return stored
        return self.store.get(resource, stored["id"]) or stored

    def _render_one(self, ref: str, stored: Any, subfields: tuple[str, ...] | None) -> Any:
        if not isinstance(stored, dict):
            return stored
        source = self.resolve(ref, stored)
        scalars, nested = self.reference.field_names(ref)
        names = subfields if subfields is not None else tuple(f for f in DEFAULT_FIELDS if f in scalars)
        out: Record = {}
        for name in names:
            if name not in source:
                continue
            value = source[name]
            if name in nested and value is not None:
                # One level only: a nested association inside braces returns its defaults.
                value = self._render_association(nested[name]["ref"], value, None)
            out[name] = value
        return out
