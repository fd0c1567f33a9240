"""Reading a value out of a Clio record by path: `matter.id`, `practice_area.name`,
`email_addresses[primary=true].address`, `phone_numbers[0].number`,
`custom_field_values[custom_field.id=7203].value` (a selector field may itself be a path)."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_SEGMENT = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\[(?P<selector>[^\]]+)\])?$")


class PathError(ValueError):
    pass


def _split(path: str) -> list[str]:
    """Split on the dots outside selectors."""
    parts, current, depth = [], "", 0
    for char in path:
        depth += (char == "[") - (char == "]")
        if char == "." and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def parse(path: str) -> list[tuple[str, str | None]]:
    segments = []
    for part in _split(path):
        found = _SEGMENT.match(part)
        if not found:
            raise PathError(f"'{path}' is not a record path (segment '{part}')")
        segments.append((found.group("name"), found.group("selector")))
    return segments


def _select(items: list[Any], selector: str) -> Any:
    if selector.isdigit():
        index = int(selector)
        return items[index] if index < len(items) else None
    field, _, wanted = selector.partition("=")
    steps = field.split(".")
    for item in items:
        value: Any = item
        for step in steps:
            value = value.get(step) if isinstance(value, dict) else None
        if str(value).lower() == wanted.lower():
            return item
    return None


def resolve(record: Any, segments: list[tuple[str, str | None]]) -> Any:
    """The value at the path, or None where any step is missing."""
    current = record
    for name, selector in segments:
        if not isinstance(current, dict):
            return None
        current = current.get(name)
        if selector is not None:
            current = _select(current, selector) if isinstance(current, list) else None
    return current


def getter(segments: list[tuple[str, str | None]]) -> Callable[[Any], Any]:
    """`resolve` bound to one path; plain one- and two-step paths (most of a map) skip the general walk."""
    if len(segments) == 1 and segments[0][1] is None:
        name = segments[0][0]
        return lambda record: record.get(name) if isinstance(record, dict) else None
    if len(segments) == 2 and segments[0][1] is None and segments[1][1] is None:
        outer, inner = segments[0][0], segments[1][0]

        def nested(record: Any) -> Any:
            parent = record.get(outer) if isinstance(record, dict) else None
            return parent.get(inner) if isinstance(parent, dict) else None
        return nested
    return lambda record: resolve(record, segments)
