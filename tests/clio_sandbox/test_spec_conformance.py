"""Every served index and show endpoint, asked for every field (nested ones filled), answers bodies that match
the spec's response schema (validated by the client hook in conftest)."""
from __future__ import annotations

import pytest

from sandboxes.clio.reference import load_reference
from sandboxes.clio.resources import SCHEMA_OF_RESOURCE
from tests.clio_sandbox.conftest import Sandbox

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
