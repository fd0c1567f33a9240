"""Small firm files for the sandbox tests, built per the README contract: every scalar field of the record's
schema (field-catalogue.json) with a value of its type, served associations as `{"id": N}` stubs, other nested
objects stored in full."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sandboxes.clio.reference import Reference, load_reference
from sandboxes.clio.resources import SCHEMA_OF_RESOURCE, resource_of_ref
from sandboxes.clio.store import compute_etag

BASE_TIME = datetime(2024, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=-5)))
COUNTS = {name: 3 for name in SCHEMA_OF_RESOURCE} | {"matters": 25, "notes": 6, "document_versions": 4,
                                                     "documents": 3, "folders": 3, "communications": 5}


def timestamp(minutes: int) -> str:
    return (BASE_TIME + timedelta(minutes=minutes)).isoformat()


def _scalar(name: str, field: dict[str, Any], number: int) -> Any:
    if "enum" in field:
        return field["enum"][number % len(field["enum"])]
    kind, fmt = field.get("type"), field.get("format")
    if kind == "integer":
        return number
    if kind == "number":
        return number + 0.5
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "object":
        return {}
    if fmt == "date-time":
        return timestamp(number)
    if fmt == "date":
        return "2024-02-01"
    return f"{name} {number}"


def _stub(resource: str, number: int = 1) -> dict[str, Any]:
    return {"id": str(number) if resource == "calendar_entries" else number}


def _object(reference: Reference, ref: str, number: int) -> dict[str, Any]:
    scalars = reference.scalar_field_types(ref)
    value = {name: _scalar(name, field, number) for name, field in scalars.items()}
    if scalars.get("id", {}).get("type") == "string":
        value["id"] = f"text_line-{number}"
    for name, nested in reference.field_names(ref)[1].items():
        target = resource_of_ref(nested["ref"])
        if target is not None:
            value[name] = [_stub(target)] if nested.get("type") == "array" else _stub(target)
    return value


def build_record(reference: Reference, resource: str, number: int) -> dict[str, Any]:
    schema = SCHEMA_OF_RESOURCE[resource]
    record = {name: _scalar(name, field, number) for name, field in reference.scalar_field_types(schema).items()}
    for name, nested in reference.field_names(schema)[1].items():
        target = resource_of_ref(nested["ref"])
        value = _stub(target) if target else _object(reference, nested["ref"], number)
        record[name] = [value] if nested.get("type") == "array" else value
    record.update(id=_stub(resource, number)["id"], created_at=timestamp(number), updated_at=timestamp(number))
    return record


def build_firm() -> dict[str, Any]:
    reference = load_reference()
    firm: dict[str, Any] = {"_firm": {"seed": 1, "size": "test"}}
    for resource, count in COUNTS.items():
        firm[resource] = [build_record(reference, resource, n) for n in range(1, count + 1)]
    users = firm["users"]
    users[0]["account_owner"] = True
    for number, matter in enumerate(firm["matters"], start=1):
        matter["client"] = {"id": 1 + number % 3}
        matter["client_id"] = 1 + number % 3
        matter["practice_area"] = {"id": 1 + number % 2}
        matter["status"] = ("Open", "Closed", "Pending")[number % 3]
    for number, note in enumerate(firm["notes"], start=1):
        note["type"] = "Matter" if number % 2 else "Contact"
    for contact in firm["contacts"]:
        contact["type"] = "Person" if contact["id"] % 2 else "Company"
    for number, version in enumerate(firm["document_versions"], start=1):
        version.update(document_id=1 if number <= 2 else number - 1, version_number=number,
                       size=3 * 1024 * 1024 + 17 if number == 2 else 1000 * number)
    for document in firm["documents"]:
        latest = next(v for v in reversed(firm["document_versions"]) if v["document_id"] == document["id"])
        document["latest_document_version"] = dict(latest)
        # The spec marks nothing nullable, so a strict response check fails on `"deleted_at": null`; live
        # documents leave the key out here (the sandbox treats absent and null alike).
    for trashable in firm["documents"] + firm["folders"]:
        del trashable["deleted_at"]
    firm["documents"][2]["deleted_at"] = timestamp(500)
    for number, bill in enumerate(firm["bills"], start=1):
        bill["matters"] = [{"id": number}, {"id": number + 10}]
    for every in firm.values():
        for record in every if isinstance(every, list) else ():
            record["etag"] = compute_etag(record)
    return firm
