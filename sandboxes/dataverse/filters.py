"""OData `$filter` -> a row predicate: eq ne lt gt le ge, and/or/not, parentheses, `in (…)`,
`Microsoft.Dynamics.CRM.In(PropertyName='x',PropertyValues=[…])`, contains/startswith/endswith."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sandboxes.dataverse.errors import DataverseError, bad_request
from sandboxes.dataverse.schema import Table
from sandboxes.dataverse.store import Row

Predicate = Callable[[Row], bool]
_TOKEN = re.compile(r"\s*(?:(?P<string>'(?:[^']|'')*')"
                    r"|(?P<guid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
                    r"|(?P<datetime>\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:\d{2}))?)"
                    r"|(?P<number>-?\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][\w.]*)|(?P<punct>[(),\[\]=]))")
_COMPARE = {"eq", "ne", "lt", "gt", "le", "ge"}


def _filter_error(detail: str) -> DataverseError:
    return bad_request(f"Invalid filter expression: {detail}", "0x80060888")


def _property_error(name: str, table: Table) -> DataverseError:
    # §11 (ERRWEB)
    return bad_request(f"Could not find a property named '{name}' on type 'Microsoft.Dynamics.CRM.{table.logical}'.")


def readable_property(table: Table, name: str) -> str:
    """A property name as the Web API reads it: columns, `_<lookup>_value`; lookups by bare name do not exist."""
    match = re.fullmatch(r"_(\w+)_value", name)
    if match and table.columns.get(match.group(1)) is not None and table.columns[match.group(1)].kind == "Lookup":
        return name
    column = table.columns.get(name)
    if column is None or column.kind == "Lookup":
        raise _property_error(name, table)
    return name


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _comparable(value: Any) -> Any:
    if isinstance(value, str):
        try:
            if re.match(r"\d{4}-\d{2}-\d{2}", value):
                moment = value.replace("Z", "+00:00") if "T" in value else value + "T00:00:00+00:00"
                return datetime.fromisoformat(moment)
        except ValueError:
            return value.lower()
        return value.lower()
    return value


def _compare(operator: str, left: Any, right: Any) -> bool:
    if operator in ("eq", "ne"):
        same = _comparable(left) == _comparable(right) if left is not None and right is not None else left is right
        return same if operator == "eq" else not same
    if left is None or right is None:
        return False
    a, b = _comparable(left), _comparable(right)
    try:
        return bool({"lt": a < b, "gt": a > b, "le": a <= b, "ge": a >= b}[operator])
    except TypeError:
        return False


def _either(first: Predicate, second: Predicate) -> Predicate:
    return lambda row: first(row) or second(row)


def _both(first: Predicate, second: Predicate) -> Predicate:
    return lambda row: first(row) and second(row)


class _Parser:
    def __init__(self, text: str, table: Table) -> None:
        self.table = table
        self.tokens: list[tuple[str, str]] = []
        position = 0
        while position < len(text):
            if text[position:].strip() == "":
                break
            match = _TOKEN.match(text, position)
            if match is None or match.end() == position:
                raise _filter_error(f"unexpected text at {text[position:position + 20]!r}")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind)))
            position = match.end()
        self.index = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (expected is not None and token[1] != expected):
            raise _filter_error(f"expected {expected or 'more'}, found {token[1] if token else 'end'}")
        self.index += 1
        return token

    def parse(self) -> Predicate:
        predicate = self.disjunction()
        if self.peek() is not None:
            raise _filter_error(f"unexpected {self.peek()[1]!r}")  # type: ignore[index]
        return predicate

    def disjunction(self) -> Predicate:
        left = self.conjunction()
        while self.peek() == ("name", "or"):
            self.take()
            left = _either(left, self.conjunction())
        return left

    def conjunction(self) -> Predicate:
        left = self.unary()
        while self.peek() == ("name", "and"):
            self.take()
            left = _both(left, self.unary())
        return left

    def unary(self) -> Predicate:
        token = self.peek()
        if token == ("name", "not"):
            self.take()
            inner = self.unary()
            return lambda row: not inner(row)
        if token == ("punct", "("):
            self.take()
            inner = self.disjunction()
            self.take(")")
            return inner
        return self.comparison()

    def literal(self) -> Any:
        kind, text = self.take()
        if kind == "string":
            return text[1:-1].replace("''", "'")
        if kind in ("datetime", "guid"):
            return text.lower() if kind == "guid" else text
        if kind == "number":
            return float(text) if "." in text else int(text)
        if kind == "name" and text in ("null", "true", "false"):
            return {"null": None, "true": True, "false": False}[text]
        raise _filter_error(f"expected a literal, found {text!r}")

    def literal_list(self, opening: str, closing: str) -> list[Any]:
        self.take(opening)
        values = [self.literal()]
        while self.peek() == ("punct", ","):
            self.take()
            values.append(self.literal())
        self.take(closing)
        return values

    def comparison(self) -> Predicate:
        kind, name = self.take()
        if kind != "name":
            raise _filter_error(f"expected a property, found {name!r}")
        if name in ("contains", "startswith", "endswith"):
            self.take("(")
            prop = readable_property(self.table, self.take()[1])
            self.take(",")
            needle = str(self.literal()).lower()
            self.take(")")
            test = {"contains": str.__contains__, "startswith": str.startswith, "endswith": str.endswith}[name]
            return lambda row: isinstance(row.get(prop), str) and test(row[prop].lower(), needle)
        if name == "Microsoft.Dynamics.CRM.In":
            self.take("(")
            arguments: dict[str, Any] = {}
            while True:
                argument = self.take()[1]
                self.take("=")
                arguments[argument] = self.literal_list("[", "]") if argument == "PropertyValues" else self.literal()
                if self.peek() != ("punct", ","):
                    break
                self.take()
            self.take(")")
            prop = readable_property(self.table, str(arguments.get("PropertyName", "")))
            return _member_of(prop, arguments.get("PropertyValues", []))
        prop = readable_property(self.table, name)
        operator = self.take()[1]
        if operator == "in":
            return _member_of(prop, self.literal_list("(", ")"))
        if operator not in _COMPARE:
            raise _filter_error(f"unknown operator {operator!r}")
        value = self.literal()
        return lambda row: _compare(operator, row.get(prop), value)


def _member_of(prop: str, values: list[Any]) -> Predicate:
    wanted = frozenset(_comparable(value) for value in values)  # a set: key lookups of 1,000 values stay cheap
    if all(isinstance(value, str) and not _DATE.match(value) for value in values):  # plain text: no date parsing
        return lambda row: isinstance(row.get(prop), str) and row[prop].lower() in wanted
    return lambda row: _comparable(row.get(prop)) in wanted


def compile_filter(text: str, table: Table) -> Predicate:
    return _Parser(text, table).parse()
