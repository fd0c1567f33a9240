"""`fields` per clio.md §5 [FIELDS][DOCV]."""
from __future__ import annotations

import pytest

from tests.clio_sandbox.conftest import Sandbox


def test_default_fields_are_id_and_etag(sandbox: Sandbox) -> None:
    for record in sandbox.get("/api/v4/matters.json").json()["data"]:
        assert set(record) == {"id", "etag"}


def test_comma_list_returns_exactly_those_fields(sandbox: Sandbox) -> None:
    record = sandbox.get("/api/v4/matters/3.json", params={"fields": "id, display_number,status"}).json()["data"]
    assert record == {"id": 3, "display_number": "display_number 3", "status": "Open"}


def test_nested_fields_are_filled_from_the_referenced_record(sandbox: Sandbox) -> None:
    record = sandbox.get("/api/v4/matters/3.json",
                         params={"fields": "client{id,name,type},practice_area{name}"}).json()["data"]
    client = sandbox.state.store.get("contacts", 1)
    assert client is not None
    assert record["client"] == {"id": 1, "name": client["name"], "type": client["type"]}
    assert record["practice_area"] == {"name": "name 2"}


def test_nested_without_braces_returns_nested_defaults(sandbox: Sandbox) -> None:
    record = sandbox.get("/api/v4/matters/3.json", params={"fields": "client,custom_field_values"}).json()["data"]
    assert set(record["client"]) == {"id", "etag"}
    assert record["client"]["etag"] == sandbox.state.store.get("contacts", 1)["etag"]  # type: ignore[index]
    assert [set(value) for value in record["custom_field_values"]] == [{"id", "etag"}]


def test_association_inside_braces_returns_its_defaults(sandbox: Sandbox) -> None:
    record = sandbox.get("/api/v4/matters/3.json",
                         params={"fields": "custom_field_values{id,value,custom_field}"}).json()["data"]
    value = record["custom_field_values"][0]
    assert set(value["custom_field"]) == {"id", "etag"}


def test_edits_show_up_in_nested_fill(sandbox: Sandbox) -> None:
    sandbox.state.update_record("contacts", 1, {"name": "Renamed LLP"})
    record = sandbox.get("/api/v4/matters/3.json", params={"fields": "client{name}"}).json()["data"]
    assert record["client"] == {"name": "Renamed LLP"}


@pytest.mark.parametrize("fields, bad", [
    ("id,nonsense", "nonsense"),
    ("client{id,bogus}", "bogus"),
    ("client{id,company{name}}", "company"),  # a second nesting level
    ("display_number{id}", "display_number"),  # braces on a scalar
    ("client{id", "client{id"),
])
def test_invalid_fields_are_400_invalid_fields(sandbox: Sandbox, fields: str, bad: str) -> None:
    response = sandbox.get("/api/v4/matters.json", params={"fields": fields})
    assert response.status_code == 400
    assert response.json() == {"error": {"type": "InvalidFields", "message": f"{bad} is not a valid field"}}


def test_removed_document_versions_field_gives_the_documented_error(sandbox: Sandbox) -> None:
    response = sandbox.get("/api/v4/documents.json", params={"fields": "id,document_versions"})
    assert response.json() == {"error": {"type": "InvalidFields",
                                         "message": "document_versions is not a valid field"}}
