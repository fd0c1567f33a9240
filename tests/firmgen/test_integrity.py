"""Referential integrity: every nested {"id"} names an existing record of the right resource."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tests.firmgen.firms import Firm

# nested key -> resource it references; keys whose target depends on the reference's type map to None
REFERENCES: dict[str, str | None] = {
    "matter": "matters", "client": "contacts", "contact": "contacts", "company": "contacts", "user": "users",
    "practice_area": "practice_areas", "responsible_attorney": "users", "originating_attorney": "users",
    "responsible_staff": "users", "assigner": "users", "author": "users", "bill": "bills", "folder": "folders",
    "parent": "folders", "activity_description": "activity_descriptions", "expense_category": "expense_categories",
    "bank_account": "bank_accounts", "custom_field": "custom_fields", "activity": "activities", "matters": "matters",
    "assignee": None, "senders": None, "receivers": None, "attendees": None,
}
BY_TYPE = {"User": "users", "Person": "contacts", "Company": "contacts", "Contact": "contacts", "Folder": "folders"}
SCALAR_REFERENCES = {"client_id": "contacts", "bank_account_id": "bank_accounts", "document_id": "documents"}


def _is_reference(value: Any) -> bool:
    return isinstance(value, dict) and "id" in value and set(value) <= {"id", "type"}


def _references(record: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(key, reference) for every id-only nested object, one level down and inside custom field values."""
    for key, value in record.items():
        items = value if isinstance(value, list) else [value]
        for item in items:
            if _is_reference(item):
                yield key, item
        if key == "custom_field_values":
            for field_value in value:
                yield from _references(field_value)


def _index(firm: Firm) -> dict[str, dict[Any, dict[str, Any]]]:
    return {name: {r["id"]: r for r in records} for name, records in firm.items() if not name.startswith("_")}


def test_every_nested_reference_points_at_an_existing_record(tiny: Firm) -> None:
    index = _index(tiny)
    broken, unmapped, checked = [], set(), 0
    for resource, records in index.items():
        for record in records.values():
            for key, reference in _references(record):
                if key not in REFERENCES:
                    unmapped.add((resource, key))
                    continue
                target = REFERENCES[key] or BY_TYPE[reference["type"]]
                checked += 1
                if reference["id"] not in index[target]:
                    broken.append((resource, record["id"], key, reference))
    assert unmapped == set()
    assert broken == []
    assert checked > 1000


def test_typed_references_match_the_referenced_record(tiny: Firm) -> None:
    contacts = {c["id"]: c for c in tiny["contacts"]}
    for communication in tiny["communications"]:
        for participant in communication["senders"] + communication["receivers"]:
            if participant["type"] != "User":
                assert contacts[participant["id"]]["type"] == participant["type"]


def test_scalar_ids_and_selections_exist(tiny: Firm) -> None:
    index = _index(tiny)
    for resource, records in index.items():
        for record in records.values():
            for key, target in SCALAR_REFERENCES.items():
                if key in record:
                    assert record[key] in index[target], (resource, record["id"], key)
    options = {o["id"]: o["option"] for f in tiny["custom_fields"] for o in f["picklist_options"]}
    selected = [v["picklist_option"] for r in tiny["matters"] + tiny["contacts"] for v in r["custom_field_values"]
                if "picklist_option" in v]
    assert selected and all(options[s["id"]] == s["option"] for s in selected)
    calendars = {u["default_calendar_id"] for u in tiny["users"]}
    assert {e["calendar_owner_id"] for e in tiny["calendar_entries"]} <= calendars


def test_ids_are_unique_and_typed(tiny: Firm) -> None:
    for resource, records in tiny.items():
        if resource.startswith("_"):
            continue
        ids = [r["id"] for r in records]
        assert len(ids) == len(set(ids)), resource
        assert all(isinstance(i, str if resource == "calendar_entries" else int) for i in ids), resource
    value_ids = [v["id"] for r in tiny["matters"] + tiny["contacts"] for v in r["custom_field_values"]]
    assert len(value_ids) == len(set(value_ids))
    assert all(v.split("-")[0] in {f["field_type"] for f in tiny["custom_fields"]} for v in value_ids)
