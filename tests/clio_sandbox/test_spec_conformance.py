"""Every served index and show endpoint, asked for every field (nested ones filled), answers bodies that match
the spec's response schema (validated by the client hook in conftest); so do the record writes and the webhook
operations."""
from __future__ import annotations

from typing import Any

import pytest

from sandboxes.clio.reference import load_reference
from sandboxes.clio.resources import SCHEMA_OF_RESOURCE
from tests.clio_sandbox.conftest import Sandbox, running_sandbox, webhook_config
from tests.clio_sandbox.spec_validation import validate_against
from tests.clio_sandbox.test_record_writes import WRITES
from tests.clio_sandbox.webhook_receiver import WebhookReceiver

REFERENCE = load_reference()


def all_fields(schema: str) -> str:
    scalars, nested = REFERENCE.field_names(schema)
    return ",".join(sorted(scalars) + [f"{name}{{id,etag}}" if "etag" in REFERENCE.field_names(
        spec["ref"])[0] else name for name, spec in sorted(nested.items())])


INDEXED = [name for name in SCHEMA_OF_RESOURCE if name != "document_versions"]


@pytest.mark.parametrize("resource", INDEXED)
def test_index_and_show_bodies_match_the_spec(sandbox: Sandbox, resource: str) -> None:
    fields = all_fields(SCHEMA_OF_RESOURCE[resource])
    params = {"fields": fields, **({"type": "Matter"} if resource == "notes" else {})}
    listed = sandbox.get(f"/api/v4/{resource}.json", params=params)
    assert listed.status_code == 200, listed.text
    assert listed.extensions["validated_schema"] == f"{SCHEMA_OF_RESOURCE[resource]}_List"
    first = listed.json()["data"][0]
    assert set(first) >= set(REFERENCE.field_names(SCHEMA_OF_RESOURCE[resource])[0]) - {"deleted_at"}
    shown = sandbox.get(f"/api/v4/{resource}/{first['id']}.json", params={"fields": fields})
    if ("GET", f"/api/v4/{resource}/{{id}}.json") in REFERENCE.operations:
        assert shown.status_code == 200, shown.text
        assert shown.extensions["validated_schema"] == f"{SCHEMA_OF_RESOURCE[resource]}_Show"
        assert shown.json()["data"] == first
    else:  # line_items have no show operation in the spec
        assert shown.status_code == 404


def test_versions_and_who_am_i_match_the_spec(sandbox: Sandbox) -> None:
    versions = sandbox.get("/api/v4/documents/1/versions.json", params={"fields": all_fields("DocumentVersion")})
    assert versions.status_code == 200
    assert versions.extensions["validated_schema"] == "DocumentVersion_List"
    assert [v["id"] for v in versions.json()["data"]] == [1, 2]
    me = sandbox.get("/api/v4/users/who_am_i.json", params={"fields": "id,name,account_owner"})
    assert me.extensions["validated_schema"] == "User_Show"
    assert me.json()["data"]["account_owner"] is True


@pytest.mark.parametrize("resource", sorted(WRITES))
def test_write_responses_match_the_spec(sandbox: Sandbox, resource: str) -> None:
    schema = SCHEMA_OF_RESOURCE[resource]
    create, edit = WRITES[resource]
    params = {"fields": all_fields(schema)}
    created = sandbox.client.post(f"/api/v4/{resource}.json", json={"data": create}, params=params)
    assert created.status_code == 201, created.text
    validate_against(f"{schema}_Show", created.json())
    path = f"/api/v4/{resource}/{created.json()['data']['id']}.json"
    edited = sandbox.client.patch(path, json={"data": edit}, params=params)
    assert edited.status_code == 200, edited.text
    validate_against(f"{schema}_Show", edited.json())
    assert sandbox.get(path, params=params).json() == edited.json()


def test_webhook_operations_match_the_spec(firm: dict[str, Any], receiver: WebhookReceiver) -> None:
    fields = all_fields("Webhook")
    with running_sandbox(firm, webhook_config(receiver)) as box:
        body = {"data": {"url": receiver.url(), "model": "matter", "fields": "id,etag,description"}}
        created = box.client.post("/api/v4/webhooks.json", json=body, params={"fields": fields})
        assert created.status_code == 201, created.text
        validate_against("Webhook_Show", created.json())
        assert set(created.json()["data"]) == set(REFERENCE.field_names("Webhook")[0]) | {"user"}
        box.state.wait_for_webhooks()
        listed = box.get("/api/v4/webhooks.json", params={"fields": fields})
        assert listed.extensions["validated_schema"] == "Webhook_List"
        shown = box.get(f"/api/v4/webhooks/{created.json()['data']['id']}.json", params={"fields": fields})
        assert shown.extensions["validated_schema"] == "Webhook_Show"
        assert shown.json()["data"] == listed.json()["data"][0]
        edited = box.client.patch(f"/api/v4/webhooks/{created.json()['data']['id']}.json",
                                  json={"data": {"events": ["deleted"]}}, params={"fields": fields})
        validate_against("Webhook_Show", edited.json())
