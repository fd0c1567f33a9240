"""Creating, editing and deleting records through the API, as a firm's users do (clio.md §5–§7): request bodies
checked against the spec's request schemas, responses against its response schemas, and every change seen by the
next read (show, index, `updated_since`)."""
from __future__ import annotations

from typing import Any

import httpx
import pytest

from sandboxes.clio.resources import SCHEMA_OF_RESOURCE
from tests.clio_sandbox.conftest import Sandbox
from tests.clio_sandbox.spec_validation import validate_against

# A minimal valid create body and an edit, per writable resource.
WRITES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "contacts": ({"type": "Person", "first_name": "Ada", "last_name": "Lovelace"}, {"title": "Countess"}),
    "matters": ({"client": {"id": 1}, "description": "Estate of A. Lovelace"}, {"description": "Renamed"}),
    "activities": ({"type": "TimeEntry", "date": "2024-03-01", "quantity": 3600, "matter": {"id": 1}},
                   {"note": "Drafting"}),
    "tasks": ({"name": "Call", "description": "Call the client", "assignee": {"id": 1, "type": "User"}},
              {"name": "Call back"}),
    "calendar_entries": ({"summary": "Hearing", "start_at": "2024-03-01T09:00:00Z", "end_at": "2024-03-01T10:00:00Z",
                          "calendar_owner": {"id": 1}}, {"summary": "Hearing (moved)"}),
}
FIELDS = "id,etag,created_at,updated_at"


def _write(sandbox: Sandbox, method: str, path: str, data: dict[str, Any], fields: str = FIELDS) -> httpx.Response:
    return sandbox.client.request(method, path, json={"data": data}, params={"fields": fields})


def _ids_updated_since(sandbox: Sandbox, resource: str, since: str) -> list[Any]:
    listed = sandbox.get(f"/api/v4/{resource}.json", params={"updated_since": since, "fields": "id"})
    return [record["id"] for record in listed.json()["data"]]


@pytest.mark.parametrize("resource", sorted(WRITES))
def test_create_edit_delete_round_trip(sandbox: Sandbox, resource: str) -> None:
    create, edit = WRITES[resource]
    schema = SCHEMA_OF_RESOURCE[resource]
    created = _write(sandbox, "POST", f"/api/v4/{resource}.json", create)
    assert created.status_code == 201, created.text
    validate_against(f"{schema}_Show", created.json())
    record = created.json()["data"]
    assert created.headers["ETag"] == record["etag"] and record["created_at"] == record["updated_at"]
    path = f"/api/v4/{resource}/{record['id']}.json"
    assert sandbox.get(path, params={"fields": FIELDS}).json()["data"] == record
    assert record["id"] in _ids_updated_since(sandbox, resource, "2020-01-01T00:00:00Z")

    sandbox.state.clock.advance(60)
    edited = _write(sandbox, "PATCH", path, edit, FIELDS + "," + ",".join(edit))
    assert edited.status_code == 200, edited.text
    validate_against(f"{schema}_Show", edited.json())
    changed = edited.json()["data"]
    assert changed["etag"] != record["etag"] and changed["updated_at"] > record["updated_at"]
    assert {name: changed[name] for name in edit} == edit
    assert _ids_updated_since(sandbox, resource, record["updated_at"]) == [record["id"]]

    deleted = sandbox.client.delete(path)
    assert deleted.status_code == 204 and deleted.content == b""
    assert sandbox.get(path).status_code == 404
    assert record["id"] not in _ids_updated_since(sandbox, resource, "2020-01-01T00:00:00Z")
    assert sandbox.client.delete(path).status_code == 404


@pytest.mark.parametrize(("resource", "data"), [
    ("matters", {"description": "no client"}),
    ("matters", {"client": {"id": 999}, "description": "unknown client"}),
    ("matters", {"client": {"id": 1}, "description": "x", "no_such_field": 1}),
    ("activities", {"type": "TimeEntry", "date": 20240301}),
    ("activities", {"type": "Lunch", "date": "2024-03-01"}),
    ("tasks", {"name": "no assignee", "description": "x"}),
    ("calendar_entries", {"summary": "no owner", "start_at": "2024-03-01T09:00:00Z",
                          "end_at": "2024-03-01T10:00:00Z"}),
    ("contacts", {"type": "Company"}),
    ("contacts", {"type": "Person", "name": "Madonna"}),
    ("contacts", {"type": "Robot", "name": "R2 D2"}),
])
def test_create_refuses_what_clio_refuses(sandbox: Sandbox, resource: str, data: dict[str, Any]) -> None:
    before = len(sandbox.state.store.all(resource))
    response = _write(sandbox, "POST", f"/api/v4/{resource}.json", data)
    assert response.status_code == 422, response.text
    assert len(sandbox.state.store.all(resource)) == before


def test_a_person_named_in_full_gets_name_components(sandbox: Sandbox) -> None:
    response = _write(sandbox, "POST", "/api/v4/contacts.json", {"type": "Person", "name": "Grace Brewster Hopper"},
                      "name,first_name,last_name,type")
    assert response.json()["data"] == {"name": "Grace Brewster Hopper", "first_name": "Grace",
                                       "last_name": "Brewster Hopper", "type": "Person"}


def test_create_fills_the_request_schema_defaults_and_links_associations(sandbox: Sandbox) -> None:
    task = _write(sandbox, "POST", "/api/v4/tasks.json", WRITES["tasks"][0], "status,priority,permission")
    assert task.json()["data"] == {"status": "pending", "priority": "Normal", "permission": "public"}
    matter = _write(sandbox, "POST", "/api/v4/matters.json", WRITES["matters"][0], "client_id,client{id,name},billable")
    assert matter.json()["data"] == {"client_id": 1, "client": {"id": 1, "name": "name 1"}, "billable": True}


def test_calendar_entries_created_through_the_api_get_string_ids(sandbox: Sandbox) -> None:
    created = _write(sandbox, "POST", "/api/v4/calendar_entries.json", WRITES["calendar_entries"][0], "id")
    assert isinstance(created.json()["data"]["id"], str)


def test_a_body_that_is_not_json_is_400(sandbox: Sandbox) -> None:
    response = sandbox.client.post("/api/v4/contacts.json", content=b"{not json",
                                   headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["error"]["type"] == "InvalidJSON"


def test_bad_fields_on_create_write_nothing(sandbox: Sandbox) -> None:
    before = len(sandbox.state.store.all("contacts"))
    response = _write(sandbox, "POST", "/api/v4/contacts.json", WRITES["contacts"][0], "id,no_such_field")
    assert response.status_code == 400
    assert len(sandbox.state.store.all("contacts")) == before
