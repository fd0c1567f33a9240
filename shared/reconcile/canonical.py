"""One canonical text form per value, so that what we staged and what Dataverse returns compare equal when they
mean the same thing: 12.5 and 12.50, `2024-01-05T10:00:00+02:00` and `2024-01-05T08:00:00Z`, a GUID in any case.
The form depends only on the column's kind, never on the other side's value, so each side can be digested alone."""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

Kind = Literal["text", "integer", "decimal", "boolean", "date", "datetime", "guid", "other"]

_FRACTION = re.compile(r"(T\d{2}:\d{2}:\d{2})\.\d+")
_BIND = re.compile(r"^/?(?P<set>[A-Za-z_][A-Za-z0-9_]*)\((?:(?P<column>[A-Za-z_][A-Za-z0-9_]*)=)?"
                   r"(?P<value>'(?:[^']|'')*'|[0-9A-Fa-f-]{36})\)$")


@dataclass(frozen=True)
class Bind:
    """An `@odata.bind` value: the referenced entity set and either an alternate-key value or the row's GUID."""
    entity_set: str
    key_column: str | None
    key: str | None
    guid: str | None


def parse_bind(value: str) -> Bind | None:
    """`/accounts(new_clioid='12')` or `/systemusers(<guid>)` (dataverse.md §5); None for anything else."""
    found = _BIND.match(value)
    if found is None:
        return None
    literal = found.group("value")
    if literal.startswith("'"):
        return Bind(found.group("set"), found.group("column"), literal[1:-1].replace("''", "'"), None)
    if found.group("column"):
        return None  # a key column with an unquoted value: not a form the loader writes
    return Bind(found.group("set"), None, None, literal.lower())


def canonical(kind: Kind, value: Any) -> str | None:
    """The value's canonical text, None for no value. A value that does not read as its kind keeps its own text, so
    it compares unequal to anything well-formed rather than failing the comparison."""
    if value is None or value == "":  # Dataverse stores an empty string as null
        return None
    try:
        return _CANONICAL[kind](value)
    except (ValueError, TypeError, InvalidOperation):
        return str(value)


def _decimal(value: Any) -> str:
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    number = Decimal(str(value).strip())
    if not number.is_finite():
        raise ValueError("not a finite number")
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _integer(value: Any) -> str:
    number = Decimal(_decimal(value))
    if number != number.to_integral_value():
        raise ValueError("not a whole number")
    return str(int(number))


def _boolean(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    folded = str(value).strip().lower()
    if folded in ("true", "1"):
        return "true"
    if folded in ("false", "0"):
        return "false"
    raise ValueError("not a boolean")


def _moment(value: Any) -> datetime:
    """A timestamp in UTC; no offset reads as UTC, a plain date as its midnight UTC."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        text = _FRACTION.sub(r"\1", str(value).strip()).replace("Z", "+00:00")
        moment = datetime.fromisoformat(text) if "T" in text else datetime.fromisoformat(text + "T00:00:00")
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _datetime(value: Any) -> str:
    # Dataverse keeps whole seconds: fractions are dropped on both sides.
    return _moment(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def _date(value: Any) -> str:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return date.fromisoformat(value.strip()).isoformat()
    return _moment(value).date().isoformat()


def _guid(value: Any) -> str:
    return str(uuid.UUID(str(value).strip("{} ")))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


_CANONICAL = {"text": _text, "integer": _integer, "decimal": _decimal, "boolean": _boolean, "date": _date,
              "datetime": _datetime, "guid": _guid, "other": _text}
