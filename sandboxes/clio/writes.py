"""PATCH of matters and contacts (clio.md §5, §7): `{"data":{...}}` validated against the operation's request
schema from the spec (unknown names or wrong types -> 422), If-Match honoured by the caller (412)."""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from openapi_schema_validator import OAS30Validator

from sandboxes.clio.errors import ClioError
from sandboxes.clio.reference import Reference
from sandboxes.clio.resources import API_PREFIX, resource_of_ref
from sandboxes.clio.store import FirmStore, Record

PATCHABLE = ("matters", "contacts")


def _validation_error(message: str) -> ClioError:
    return ClioError(422, "ValidationError", message)


def _closed_data_schema(reference: Reference, resource: str) -> dict[str, Any]:
    schema = copy.deepcopy(reference.request_body_schema("PATCH", f"{API_PREFIX}/{resource}/{{id}}.json"))
    data = schema["properties"]["data"]
    data["additionalProperties"] = False
    values = data["properties"].get("custom_field_values", {}).get("items", {}).get("properties", {})
    if "id" in values:
        # The spec types this id as integer, but Clio's documented update example sends the composite string id
        # ("text_line-1", documented-examples.json custom_field_values_write; clio.md §7 Custom fields).
        values["id"] = {}
    return schema


class RecordWriter:
    def __init__(self, reference: Reference, store: FirmStore) -> None:
        self.reference = reference
        self.store = store
        self._validators = {name: OAS30Validator(_closed_data_schema(reference, name)) for name in PATCHABLE}

    def validate(self, resource: str, body: Any) -> dict[str, Any]:
        error = next(iter(self._validators[resource].iter_errors(body)), None)
        if error is not None:
            where = "/".join(str(part) for part in error.absolute_path) or "body"
            raise _validation_error(f"{where}: {error.message}")
        data: dict[str, Any] = body["data"]
        return data

    def changes(self, schema: str, record: Record, data: dict[str, Any]) -> Record:
        scalars = self.reference.scalar_field_types(schema)
        _, nested = self.reference.field_names(schema)
        changes: Record = {}
        for name, value in data.items():
            if name in nested:
                changes.update(self._association(name, nested[name], record, value))
            elif name in scalars:
                changes[name] = _record_casing(scalars[name], value)
        return changes

    def _new_item_id(self, item: Record, number: int) -> Any:
        """Custom field values get Clio's composite id `<field_type>-<n>` (clio.md §1 Datatypes)."""
        field = item.get("custom_field")
        if isinstance(field, dict):
            custom_field = self.store.get("custom_fields", field.get("id"))
            if custom_field is None:
                raise _validation_error(f"custom_field {field.get('id')} does not exist")
            return f"{custom_field['field_type']}-{number}"
        return number

    def _association(self, name: str, nested: dict[str, Any], record: Record, value: Any) -> Record:
        if nested.get("type") == "array":
            return {name: _merge_items(record.get(name) or [], value, self._new_item_id)}
        if not isinstance(value, dict) or "id" not in value:
            return {name: value}
        target = resource_of_ref(nested["ref"])
        if target is not None and self.store.get(target, value["id"]) is None:
            raise _validation_error(f"{name}: {target} {value['id']} does not exist")
        stub = {"id": value["id"], **({"type": value["type"]} if "type" in value else {})}
        linked = {name: stub}
        if f"{name}_id" in record:
            linked[f"{name}_id"] = value["id"]
        return linked


def _record_casing(field: dict[str, Any], value: Any) -> Any:
    """Requests use lowercase enums where records answer in title case (matters status, clio.md §7 Matters)."""
    for option in field.get("enum", ()):
        if isinstance(value, str) and option.lower() == value.lower():
            return option
    return value


def _merge_items(current: list[Record], updates: list[Record], new_id: Callable[[Record, int], Any]) -> list[Record]:
    """Nested-list writes: `{id, ...}` updates, `{id, _destroy: true}` removes, items without id are added."""
    merged = {str(item.get("id")): copy.deepcopy(item) for item in current}
    for update in updates:
        key = str(update.get("id"))
        if update.get("_destroy"):
            merged.pop(key, None)
        elif key in merged:
            merged[key].update({k: v for k, v in update.items() if k != "id"})
        elif "id" in update:
            raise _validation_error(f"no nested record with id {update['id']}")
        else:
            item = {"id": new_id(update, len(merged) + 1), **update}
            merged[str(item["id"])] = item
    return list(merged.values())
