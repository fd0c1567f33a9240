"""Record writes through the API, as a firm's users make them (clio.md §5, §7): POST, PATCH and DELETE of the
resources in RECORD_WRITES. Bodies `{"data":{...}}` are validated against the operation's request schema from the
spec (unknown names or wrong types -> 422); If-Match is honoured by the caller (412)."""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from openapi_schema_validator import OAS30Validator

from sandboxes.clio.errors import ClioError
from sandboxes.clio.reference import Reference
from sandboxes.clio.resources import API_PREFIX, resource_of_ref
from sandboxes.clio.store import FirmStore, Record

# Which resources take which writes. Each (verb, resource) must be an operation of the spec (checked at start-up).
RECORD_WRITES: dict[str, frozenset[str]] = {
    resource: frozenset({"POST", "PATCH", "DELETE"})
    for resource in ("contacts", "matters", "activities", "tasks", "calendar_entries")
}
# The spec's POST /contacts.json lists `name` as required, but its Contacts section ("Contact Name") lets a Person
# give first_name/last_name instead; that rule is `_contact_names`.
_REQUIRED_OVERRIDES: dict[tuple[str, str], list[str]] = {("POST", "contacts"): ["type"]}


def accepts(resource: str, method: str) -> bool:
    return method in RECORD_WRITES.get(resource, frozenset())


def operation_path(method: str, resource: str) -> str:
    return f"{API_PREFIX}/{resource}.json" if method == "POST" else f"{API_PREFIX}/{resource}/{{id}}.json"


def validation_error(message: str) -> ClioError:
    return ClioError(422, "ValidationError", message)


def closed_request_schema(reference: Reference, method: str, path: str) -> dict[str, Any]:
    """The operation's JSON request schema with `data` closed to the names the spec lists."""
    schema = copy.deepcopy(reference.request_body_schema(method, path))
    data = schema["properties"]["data"]
    data["additionalProperties"] = False
    values = data["properties"].get("custom_field_values", {}).get("items", {}).get("properties", {})
    if "id" in values:
        # The spec types this id as integer, but Clio's documented update example sends the composite string id
        # ("text_line-1", documented-examples.json custom_field_values_write; clio.md §7 Custom fields).
        values["id"] = {}
    return schema


def checked_data(validator: OAS30Validator, body: Any) -> dict[str, Any]:
    """`body["data"]` if the body matches the validator's schema, else the first problem as a 422."""
    error = next(iter(validator.iter_errors(body)), None)
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "body"
        raise validation_error(f"{where}: {error.message}")
    data: dict[str, Any] = body["data"]
    return data


def _contact_names(record: Record) -> Record:
    """OAS Contacts "Contact Name": a Company needs a name; a Person a first or last name, which Clio infers from
    a full `name` when it can (splitting at the first space is this sandbox's inference)."""
    if record.get("type") == "Company":
        if not record.get("name"):
            raise validation_error("name must be provided for a Company")
        return record
    first, last = record.get("first_name"), record.get("last_name")
    if not (first or last):
        parts = str(record.get("name") or "").split()
        if len(parts) < 2:
            raise validation_error("At least one of first name or last name must be provided")
        first, last = parts[0], " ".join(parts[1:])
    names = {"first_name": first, "last_name": last}
    named = {**record, **{key: value for key, value in names.items() if value}}
    named["name"] = " ".join(str(value) for value in names.values() if value)
    return named


_CREATE_RULES: dict[str, Callable[[Record], Record]] = {"contacts": _contact_names}


class RecordWriter:
    def __init__(self, reference: Reference, store: FirmStore) -> None:
        self.reference = reference
        self.store = store
        self._validators: dict[tuple[str, str], OAS30Validator] = {}
        self._defaults: dict[str, dict[str, Any]] = {}
        for resource, verbs in RECORD_WRITES.items():
            for method in sorted(verbs):
                reference.operation(method, operation_path(method, resource))  # KeyError if the spec lacks it
                if method == "DELETE":
                    continue
                schema = closed_request_schema(reference, method, operation_path(method, resource))
                if (method, resource) in _REQUIRED_OVERRIDES:
                    schema["properties"]["data"]["required"] = _REQUIRED_OVERRIDES[(method, resource)]
                self._validators[(method, resource)] = OAS30Validator(schema)
                if method == "POST":
                    properties = schema["properties"]["data"]["properties"]
                    self._defaults[resource] = {name: spec["default"] for name, spec in properties.items()
                                                if "default" in spec}

    def validate(self, method: str, resource: str, body: Any) -> dict[str, Any]:
        return checked_data(self._validators[(method, resource)], body)

    def new_record(self, resource: str, schema: str, data: dict[str, Any]) -> Record:
        """The fields of a record created from a POST's `data`, the request schema's defaults filled in."""
        record = self.changes(schema, {}, {**self._defaults.get(resource, {}), **data})
        rule = _CREATE_RULES.get(resource)
        return rule(record) if rule else record

    def changes(self, schema: str, record: Record, data: dict[str, Any]) -> Record:
        scalars = self.reference.scalar_field_types(schema)
        _, nested = self.reference.field_names(schema)
        changes: Record = {}
        for name, value in data.items():
            if name in nested:
                changes.update(self._association(name, nested[name], record, value, scalars))
            elif name in scalars:
                changes[name] = _record_casing(scalars[name], value)
        return changes

    def _new_item_id(self, item: Record, number: int) -> Any:
        """Custom field values get Clio's composite id `<field_type>-<n>` (clio.md §1 Datatypes)."""
        field = item.get("custom_field")
        if isinstance(field, dict):
            custom_field = self.store.get("custom_fields", field.get("id"))
            if custom_field is None:
                raise validation_error(f"custom_field {field.get('id')} does not exist")
            return f"{custom_field['field_type']}-{number}"
        return number

    def _association(self, name: str, nested: dict[str, Any], record: Record, value: Any,
                     scalars: dict[str, Any]) -> Record:
        if nested.get("type") == "array":
            return {name: _merge_items(record.get(name) or [], value, self._new_item_id)}
        if not isinstance(value, dict) or "id" not in value:
            return {name: value}
        target = resource_of_ref(nested["ref"])
        if target is not None and self.store.get(target, value["id"]) is None:
            raise validation_error(f"{name}: {target} {value['id']} does not exist")
        stub = {"id": value["id"], **({"type": value["type"]} if "type" in value else {})}
        linked = {name: stub}
        if f"{name}_id" in record or f"{name}_id" in scalars:
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
            raise validation_error(f"no nested record with id {update['id']}")
        else:
            item = {"id": new_id(update, len(merged) + 1), **update}
            merged[str(item["id"])] = item
    return list(merged.values())
