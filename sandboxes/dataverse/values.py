"""Type checks for one column value (dataverse.md §2 write-time validation, §13.2 types)."""
from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Any

from sandboxes.dataverse.errors import DataverseError, bad_request
from sandboxes.dataverse.schema import Column, Table

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})")
_INT32 = (-2_147_483_648, 2_147_483_647)


def _type_error(table: Table, name: str, expected: str, value: Any) -> DataverseError:
    # OData-layer conversion failures are 400 0x0 (ERRWEB family); wording modelled on the OData message.
    return bad_request(f"Cannot convert the literal '{value}' to the expected type '{expected}' for property "
                       f"'{name}' of entity 'Microsoft.Dynamics.CRM.{table.logical}'.")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_number(table: Table, column: Column, value: Any, expected: str) -> Any:
    if not _is_number(value):
        raise _type_error(table, column.logical, expected, value)
    low = column.min_value if column.min_value is not None else None
    high = column.max_value if column.max_value is not None else None
    if (low is not None and value < low) or (high is not None and value > high):
        raise bad_request(f"A validation error occurred. The value {value} of '{column.logical}' on record of type "
                          f"'{table.logical}' is outside the valid range({low} to {high}).", "0x80044330")
    return value


def _check_string(table: Table, column: Column, value: Any) -> Any:
    if not isinstance(value, str):
        raise _type_error(table, column.logical, "Edm.String", value)
    if column.max_length is not None and len(value) > column.max_length:
        # §2 (BATCH): exact message.
        raise bad_request(f"A validation error occurred. The length of the '{column.logical}' attribute of the "
                          f"'{table.logical}' entity exceeded the maximum allowed length of '{column.max_length}'.",
                          "0x80044331")
    return value


def _check_datetime(table: Table, column: Column, value: Any) -> Any:
    if column.kind == "DateOnly":
        if not isinstance(value, str) or not _DATE.fullmatch(value):
            raise _type_error(table, column.logical, "Edm.Date", value)
        date.fromisoformat(value)
        return value
    if not isinstance(value, str) or not _TIMESTAMP.fullmatch(value):
        raise _type_error(table, column.logical, "Edm.DateTimeOffset", value)
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise _type_error(table, column.logical, "Edm.DateTimeOffset", value) from error
    return value


def _check_picklist(table: Table, column: Column, value: Any) -> Any:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _type_error(table, column.logical, "Edm.Int32", value)
    if column.options is not None and value not in column.options:
        # §11: PicklistValueOutOfRange (community code).
        raise bad_request(f"A validation error occurred. The value {value} of '{column.logical}' on record of type "
                          f"'{table.logical}' is outside the valid range.", "0x8004431A")
    return value


def check_value(table: Table, column: Column, value: Any) -> Any:
    """The value as stored, or a DataverseError. None clears any column."""
    if value is None:
        return None
    kind = column.kind
    if kind in ("String", "Memo"):
        return _check_string(table, column, value)
    if kind in ("DateTime", "DateOnly"):
        return _check_datetime(table, column, value)
    if kind == "Picklist":
        return _check_picklist(table, column, value)
    if kind == "Boolean":
        if not isinstance(value, bool):
            raise _type_error(table, column.logical, "Edm.Boolean", value)
        return value
    if kind == "Integer":
        if isinstance(value, float) or not _is_number(value) or not _INT32[0] <= value <= _INT32[1]:
            raise _type_error(table, column.logical, "Edm.Int32", value)
        return _check_number(table, column, value, "Edm.Int32")
    if kind == "BigInt":
        if isinstance(value, float):
            raise _type_error(table, column.logical, "Edm.Int64", value)
        return _check_number(table, column, value, "Edm.Int64")
    if kind in ("Number", "Decimal", "Double", "Money"):
        return _check_number(table, column, value, "Edm.Decimal")
    if kind == "Uniqueidentifier":
        try:
            return str(uuid.UUID(str(value))) if isinstance(value, str) and len(value) == 36 else _bad_guid()
        except ValueError as error:
            raise _type_error(table, column.logical, "Edm.Guid", value) from error
    raise _type_error(table, column.logical, kind, value)


def _bad_guid() -> str:
    raise ValueError("not a guid")
