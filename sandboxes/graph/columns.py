"""The list behind a document library and its columns (GRAPH resources/list, resources/columndefinition,
list-post-columns): the built-in columns every library has, and the text and number columns a client adds.

Field values are checked as strictly as SharePoint does: a name that is no column of the list is refused (its
message, "Field 'X' is not recognized", is SharePoint's), as are a read-only column, a text longer than the
column's maxLength and a number that is not one. Internal names are matched exactly; a new column's name must
differ from every other case-insensitively (inferred from SharePoint's internal names).
"""
from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sandboxes.graph.errors import GraphError, invalid_request

FieldValue = Union[str, int, float, None]
ColumnKind = Literal["text", "number", "dateTime", "file"]  # "file": FileLeafRef, a type Graph shows no facet for
FILE_NAME = "FileLeafRef"
TEXT_MAX_LENGTH = 255  # a single line of text holds at most 255 characters, also its default maxLength


@dataclass
class Column:
    name: str
    display_name: str
    kind: ColumnKind
    facet: dict[str, Any] = field(default_factory=dict)  # the type facet as Graph shows it
    description: str = ""
    read_only: bool = False
    required: bool = False
    hidden: bool = False
    indexed: bool = False
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id, "name": self.name, "displayName": self.display_name, "description": self.description,
            "enforceUniqueValues": False, "hidden": self.hidden,
            "indexed": self.indexed, "readOnly": self.read_only, "required": self.required}
        if self.kind != "file":
            body[self.kind] = self.facet
        return body

    def check(self, value: Any) -> FieldValue:
        """The value to store, or a 400 invalidRequest naming the field."""
        if self.read_only:
            raise invalid_request(f"Field '{self.name}' is read-only.")
        if value is None:
            if self.required:
                raise invalid_request(f"Field '{self.name}' is required.")
            return None
        if self.kind == "number":
            return self._number(value)
        if not isinstance(value, str):
            raise invalid_request(f"Field '{self.name}' takes text, not {type(value).__name__}.")
        limit = self.facet.get("maxLength")
        if limit is not None and len(value) > limit:
            raise invalid_request(f"The value of field '{self.name}' is {len(value)} characters long; the column "
                                  f"holds at most {limit}.")
        return value

    def _number(self, value: Any) -> int | float:
        number = _finite(value)  # a number or its text (Graph's own update example once sent "934")
        if number is None:
            raise invalid_request(f"Field '{self.name}' takes a number, not {value!r}.")
        low, high = self.facet.get("minimum"), self.facet.get("maximum")
        if (low is not None and number < low) or (high is not None and number > high):
            raise invalid_request(f"The value of field '{self.name}' is outside {low} to {high}.")
        return int(number) if number.is_integer() else number


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def built_in_columns() -> list[Column]:
    """The columns of a new document library that a client sees (hidden ones left out)."""
    return [Column(FILE_NAME, "Name", "file", required=True),
            Column("Title", "Title", "text", _text_facet(TEXT_MAX_LENGTH)),
            Column("Created", "Created", "dateTime", {"displayAs": "default", "format": "dateTime"}, read_only=True),
            Column("Modified", "Modified", "dateTime", {"displayAs": "default", "format": "dateTime"},
                   read_only=True),
            Column("_UIVersionString", "Version", "text", _text_facet(TEXT_MAX_LENGTH), read_only=True)]


def _text_facet(max_length: int) -> dict[str, Any]:
    return {"allowMultipleLines": False, "appendChangesToExistingText": False, "linesForEditing": 0,
            "maxLength": max_length}


@dataclass
class DocumentList:
    id: str
    drive_id: str
    created: float
    columns: dict[str, Column] = field(default_factory=lambda: {c.name: c for c in built_in_columns()})
    last_item_id: int = 0  # list item ids count up from 1 per list, folders included

    def next_item_id(self) -> int:
        self.last_item_id += 1
        return self.last_item_id

    def add(self, column: Column) -> None:
        if any(name.casefold() == column.name.casefold() for name in self.columns):
            raise GraphError(409, "nameAlreadyExists", f'A duplicate field name "{column.name}" was found.')
        self.columns[column.name] = column

    def checked(self, values: dict[str, Any]) -> dict[str, FieldValue]:
        """Every value checked against its column before any is stored, so a refused update changes nothing."""
        checked: dict[str, FieldValue] = {}
        for name, value in values.items():
            column = self.columns.get(name)
            if column is None:
                raise invalid_request(f"Field '{name}' is not recognized")
            checked[name] = column.check(value)
        return checked


class _TextFacet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    allowMultipleLines: Literal[False] = False  # multi-line (note) columns are not in the sandbox
    appendChangesToExistingText: Literal[False] = False
    linesForEditing: int = Field(default=0, ge=0)
    maxLength: int = Field(default=TEXT_MAX_LENGTH, ge=1, le=TEXT_MAX_LENGTH)
    textType: Literal["plain"] = "plain"


class _NumberFacet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decimalPlaces: Literal["automatic", "none", "one", "two", "three", "four", "five"] = "automatic"
    displayAs: Literal["number", "percentage"] = "number"
    maximum: float | None = None
    minimum: float | None = None


class ColumnBody(BaseModel):
    """A POSTed columnDefinition: a name, and exactly one type facet of those the sandbox keeps (text, number)."""
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=255)
    displayName: str | None = Field(default=None, min_length=1, max_length=255)
    description: str = ""
    enforceUniqueValues: Literal[False] = False
    hidden: bool = False
    indexed: bool = False
    readOnly: bool = False
    required: bool = False
    text: _TextFacet | None = None
    number: _NumberFacet | None = None

    @model_validator(mode="after")
    def _one_type(self) -> ColumnBody:
        if (self.text is None) == (self.number is None):
            raise ValueError("a column needs exactly one type facet: 'text' or 'number'")
        return self

    @classmethod
    def parse(cls, body: dict[str, Any]) -> Column:
        try:
            parsed = cls.model_validate(body)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise invalid_request(f"Invalid columnDefinition: {where + ': ' if where else ''}{first['msg']}") \
                from None
        facet = parsed.text or parsed.number
        assert facet is not None
        return Column(parsed.name, parsed.displayName or parsed.name, "text" if parsed.text else "number",
                      facet.model_dump(exclude_none=True, exclude={"textType"}), parsed.description,
                      parsed.readOnly, parsed.required, parsed.hidden, parsed.indexed)
