"""A request body -> the column changes it asks for (dataverse.md §2, §5, §13.2)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from sandboxes.dataverse.errors import bad_request, invalid_property, payload_error
from sandboxes.dataverse.schema import Table
from sandboxes.dataverse.values import check_value

Mode = Literal["create", "update"]
# Resolves an @odata.bind value to (target table logical name, row id) or raises.
BindResolver = Callable[[str, tuple[str, ...]], tuple[str, str]]

# Maintained by the platform; values sent for them are rejected here (Dataverse ignores some: stricter).
SYSTEM_COLUMNS = frozenset({"createdon", "modifiedon", "versionnumber", "createdby", "modifiedby",
                            "createdonbehalfby", "modifiedonbehalfby", "owningbusinessunit", "owninguser",
                            "owningteam", "timezoneruleversionnumber", "utcconversiontimezonecode"})
_IGNORED_ANNOTATIONS = frozenset({"@odata.etag", "@odata.context"})


@dataclass
class Changes:
    columns: dict[str, Any] = field(default_factory=dict)  # stored form: lookups as `_x_value` (+ target annotation)
    row_id: str | None = None


def lookup_target_annotation(lookup: str) -> str:
    return f"_{lookup}_value@Microsoft.Dynamics.CRM.lookuplogicalname"


def _bind(table: Table, nav: str, value: Any, mode: Mode, resolve: BindResolver, changes: Changes) -> None:
    if nav not in table.binds:
        lookup = table.columns.get(nav)
        detail = (f"An undeclared property '{nav}' which only has property annotations in the payload but no "
                  "property value was found in the payload. In OData, only declared navigation properties and "
                  "declared named streams can be represented as properties without values.")
        if lookup is None or lookup.kind != "Lookup":
            detail = f"An undeclared property '{nav}' was found in the payload (not a navigation property)."
        raise payload_error(table.entity_set, detail)  # §5: un-suffixed polymorphic names land here too
    if mode == "update" and nav in table.bind_create_only:
        raise bad_request(f"The navigation property '{nav}' of 'Microsoft.Dynamics.CRM.{table.logical}' is valid "
                          "only on create.", "0x80048d19")
    lookup_name = table.lookup_of(nav)
    if lookup_name is None:
        raise payload_error(table.entity_set, f"Navigation property '{nav}' has no lookup column.")
    if value is None:
        if mode == "create":
            return
        changes.columns[f"_{lookup_name}_value"] = None
        changes.columns[lookup_target_annotation(lookup_name)] = None
        return
    if not isinstance(value, str):
        raise payload_error(table.entity_set, f"The value of '{nav}@odata.bind' must be an entity reference URL.")
    target_logical, target_id = resolve(value, table.binds[nav])
    changes.columns[f"_{lookup_name}_value"] = target_id
    changes.columns[lookup_target_annotation(lookup_name)] = target_logical


def parse_changes(table: Table, body: Any, mode: Mode, resolve: BindResolver) -> Changes:
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    changes = Changes()
    for name, value in body.items():
        if name == "@odata.type":
            if value != f"#{table.odata_type}" and value != table.odata_type:
                raise bad_request(f"A type named '{value}' could not be resolved by the model or is not "
                                  f"'{table.odata_type}'.")
            continue
        if name in _IGNORED_ANNOTATIONS:
            continue
        if name.endswith("@odata.bind"):
            _bind(table, name[: -len("@odata.bind")], value, mode, resolve, changes)
            continue
        column = table.columns.get(name)
        if column is None or "@" in name or column.kind == "Lookup" or name in SYSTEM_COLUMNS:
            raise invalid_property(name, table.logical)  # §2 (ERRWEB): case-sensitive, unknown -> 400 0x0
        if name == table.primary_id:
            changes.row_id = check_value(table, column, value)
            continue
        changes.columns[name] = check_value(table, column, value)
    return changes
