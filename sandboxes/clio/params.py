"""Typed query-parameter values; a value of the wrong type is 400 (the spec lists 400, not 422, on index
operations)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sandboxes.clio.errors import bad_request
from sandboxes.clio.timestamps import parse_iso8601

T = TypeVar("T")


def _parsed(param: str, value: str, parse: Callable[[str], T], expected: str) -> T:
    try:
        return parse(value)
    except ValueError:
        raise bad_request(f"{param} must be {expected}, got {value!r}", "InvalidParameter") from None


def _boolean(value: str) -> bool:
    if value.lower() not in ("true", "false"):
        raise ValueError(value)
    return value.lower() == "true"


def parse_timestamp(param: str, value: str) -> datetime:
    return _parsed(param, value, parse_iso8601, "an ISO-8601 timestamp")


def parse_bool(param: str, value: str) -> bool:
    return _parsed(param, value, _boolean, "true or false")


def parse_int(param: str, value: str) -> int:
    return _parsed(param, value, int, "an integer")
