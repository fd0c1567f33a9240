"""Parsing `(…)` key segments: `(<guid>)`, `(pk=<guid>)`, `(k1='v',k2=2)` (dataverse.md §2, AKREF)."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sandboxes.dataverse.errors import DataverseError, bad_request
from sandboxes.dataverse.schema import Table

KeyValue = str | int | float


@dataclass(frozen=True)
class KeySpec:
    """A parsed key: either the row id or alternate-key column values."""
    row_id: str | None
    values: tuple[tuple[str, KeyValue], ...] = ()

    def segment(self) -> str:
        if self.row_id is not None:
            return f"({self.row_id})"
        return "(" + ",".join(f"{name}={format_key_value(value)}" for name, value in self.values) + ")"


def format_key_value(value: KeyValue) -> str:
    if isinstance(value, str) and not _is_guid(value):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def _is_guid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return len(text) == 36


def split_parenthesized(text: str) -> tuple[str, str | None, str]:
    """`name(inner)rest` -> (name, inner, rest), honouring quotes; `name/rest` -> (name, None, "/rest")."""
    opening = text.find("(")
    slash = text.find("/")
    if opening < 0 or (0 <= slash < opening):
        return (text, None, "") if slash < 0 else (text[:slash], None, text[slash:])
    quoted = False
    for position in range(opening + 1, len(text)):
        char = text[position]
        if char == "'":
            quoted = not quoted
        elif char == ")" and not quoted:
            return text[:opening], text[opening + 1:position], text[position + 1:]
    raise bad_request(f"Bad Request - Error in query syntax: unbalanced parentheses in '{text}'.")


# §2 (AK): key values containing these characters break GET/PATCH/upsert in Dataverse.
UNSAFE_KEY_CHARACTERS = frozenset("/<>*%&:\\?+")


def _literal(raw: str) -> KeyValue:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] == "'":
        body = raw[1:-1]
        if re.search(r"(?<!')'(?!')", body.replace("''", "")):
            raise bad_request(f"Bad Request - Error in query syntax: '{raw}'.")
        if UNSAFE_KEY_CHARACTERS & set(body):
            raise bad_request(f"The alternate key value {raw} contains a character Dataverse cannot route "
                              "(/ < > * % & : \\ ? +).")
        return body.replace("''", "'")
    if _is_guid(raw):
        return raw.lower()
    if re.fullmatch(r"-?\d+", raw):
        return int(raw)
    if re.fullmatch(r"-?\d+\.\d+", raw):
        return float(raw)
    raise bad_request(f"Bad Request - Error in query syntax: unrecognized key literal '{raw}'.")


def _split_commas(inner: str) -> list[str]:
    parts, current, quoted = [], "", False
    for char in inner:
        if char == "'":
            quoted = not quoted
        if char == "," and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def _key_column(table: Table, name: str) -> str:
    """`_primarycontactid_value` names the lookup column `primarycontactid` in a key (AKREF)."""
    match = re.fullmatch(r"_(\w+)_value", name)
    if match and match.group(1) in table.columns and table.columns[match.group(1)].kind == "Lookup":
        return match.group(1)
    return name


def invalid_key(table: Table) -> DataverseError:
    # §2 (AKREF): non-key column(s) in the URL.
    return bad_request(f"The key in the request URI is not valid for resource 'Microsoft.Dynamics.CRM.{table.logical}'."
                       " Ensure that the names and number of key properties match the declared or alternate key "
                       "properties for the resource 'Microsoft.Dynamics.CRM." + table.logical + "'.")


def parse_key(inner: str, table: Table, now: float) -> KeySpec:
    """A key segment checked against the table's primary key and its *Active* alternate keys."""
    inner = inner.strip()
    if "=" not in inner:
        if not _is_guid(inner):
            raise bad_request(f"Bad Request - Error in query syntax: '{inner}' is not a valid Guid.")
        return KeySpec(inner.lower())
    pairs: dict[str, KeyValue] = {}
    for part in _split_commas(inner):
        name, equals, raw = part.partition("=")
        if not equals or name.strip() in pairs:
            raise invalid_key(table)
        pairs[_key_column(table, name.strip())] = _literal(raw)
    if set(pairs) == {table.primary_id}:
        value = pairs[table.primary_id]
        # §2 (AKREF): systemuser/team cannot use the named primary-key form.
        if table.logical in ("systemuser", "team") or not isinstance(value, str) or not _is_guid(value):
            raise invalid_key(table)
        return KeySpec(value)
    for key in table.keys:
        if set(key.attributes) == set(pairs):
            if key.status(now) != "Active":
                raise invalid_key(table)  # §8: unusable until the index is Active
            return KeySpec(None, tuple((name, pairs[name]) for name in key.attributes))
    raise invalid_key(table)
