"""Pagination per clio.md §4 [PAGE]."""
from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.clio_sandbox.conftest import Sandbox


def follow(sandbox: Sandbox, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    pages = [sandbox.get(path, params=params)]
    while "next" in pages[-1].json()["meta"]["paging"]:
        assert pages[-1].status_code == 200
        pages.append(sandbox.get(pages[-1].json()["meta"]["paging"]["next"]))
    return [body for page in pages for body in [page.json()]]


def test_cursor_pagination_returns_every_record_once_in_id_order(sandbox: Sandbox) -> None:
    pages = follow(sandbox, "/api/v4/matters.json", {"order": "id(asc)", "limit": 7, "fields": "id,status"})
    ids = [record["id"] for page in pages for record in page["data"]]
    assert ids == list(range(1, 26))
    assert [len(page["data"]) for page in pages] == [7, 7, 7, 4]
    assert "previous" not in pages[0]["meta"]["paging"]
    assert "next" not in pages[-1]["meta"]["paging"]
    next_query = parse_qs(urlsplit(pages[0]["meta"]["paging"]["next"]).query)
    assert next_query["fields"] == ["id,status"] and next_query["limit"] == ["7"] and "page_token" in next_query


def test_previous_link_goes_back_one_page(sandbox: Sandbox) -> None:
    pages = follow(sandbox, "/api/v4/matters.json", {"limit": 10})
    back = sandbox.get(pages[2]["meta"]["paging"]["previous"]).json()
    assert [r["id"] for r in back["data"]] == list(range(11, 21))


def test_cursor_sees_records_created_mid_run(sandbox: Sandbox) -> None:
    first = sandbox.get("/api/v4/matters.json", params={"limit": 20}).json()
    created = sandbox.state.create_record("matters", {"display_number": "NEW", "status": "Open"})
    rest = sandbox.get(first["meta"]["paging"]["next"]).json()
    assert [r["id"] for r in rest["data"]] == [21, 22, 23, 24, 25, created["id"]]


def test_single_page_has_no_paging_links(sandbox: Sandbox) -> None:
    assert sandbox.get("/api/v4/users.json").json()["meta"] == {"paging": {}}


@pytest.mark.parametrize("path, limit, status", [
    ("/api/v4/matters.json", 0, 400), ("/api/v4/matters.json", 201, 400), ("/api/v4/matters.json", 200, 200),
    ("/api/v4/users.json", 2000, 200), ("/api/v4/users.json", 2001, 400), ("/api/v4/matters.json", "ten", 400),
])
def test_limit_ranges_come_from_the_spec(sandbox: Sandbox, path: str, limit: object, status: int) -> None:
    assert sandbox.get(path, params={"limit": limit}).status_code == status


def test_tampered_and_foreign_page_tokens_are_400(sandbox: Sandbox) -> None:
    next_url = sandbox.get("/api/v4/matters.json", params={"limit": 5}).json()["meta"]["paging"]["next"]
    token = parse_qs(urlsplit(next_url).query)["page_token"][0]
    tampered = token[:-2] + ("aa" if not token.endswith("aa") else "bb")
    assert sandbox.get("/api/v4/matters.json", params={"limit": 5, "page_token": tampered}).status_code == 400
    assert sandbox.get("/api/v4/contacts.json", params={"limit": 5, "page_token": token}).status_code == 400
    other_query = sandbox.get("/api/v4/matters.json", params={"limit": 5, "status": "open", "page_token": token})
    assert other_query.status_code == 400
    assert sandbox.get("/api/v4/matters.json", params={"limit": 5, "page_token": token}).status_code == 200


def test_offset_pagination_with_a_custom_order(sandbox: Sandbox) -> None:
    params = {"order": "id(desc)", "offset": 0, "limit": 10}
    pages = follow(sandbox, "/api/v4/matters.json", params)
    assert [r["id"] for page in pages for r in page["data"]] == list(range(25, 0, -1))
    second = parse_qs(urlsplit(pages[0]["meta"]["paging"]["next"]).query)
    assert second["offset"] == ["10"] and "page_token" not in second
    assert parse_qs(urlsplit(pages[1]["meta"]["paging"]["previous"]).query)["offset"] == ["0"]


def test_custom_order_sorts_by_associated_record(sandbox: Sandbox) -> None:
    sandbox.state.update_record("contacts", 2, {"name": "Aardvark"})
    body = sandbox.get("/api/v4/matters.json", params={"order": "client.name(asc)", "fields": "id,client{name}"})
    names = [r["client"]["name"] for r in body.json()["data"]]
    assert names == sorted(names) and names[0] == "Aardvark"


def test_offset_beyond_10000_records_is_422_argument_error(sandbox: Sandbox) -> None:
    assert sandbox.get("/api/v4/matters.json", params={"offset": 9800, "limit": 200}).status_code == 200
    response = sandbox.get("/api/v4/matters.json", params={"offset": 9801, "limit": 200})
    assert response.status_code == 422 and response.json()["error"]["type"] == "ArgumentError"


def test_order_outside_the_endpoint_enum_is_400(sandbox: Sandbox) -> None:
    assert sandbox.get("/api/v4/matters.json", params={"order": "name(asc)"}).status_code == 400
    assert sandbox.get("/api/v4/matters.json", params={"order": "display_number(desc)"}).status_code == 200


def test_communications_default_to_date_order_with_offset_links(sandbox: Sandbox) -> None:
    for number, communication in enumerate(sandbox.state.store.all("communications")):
        sandbox.state.update_record("communications", communication["id"], {"date": f"2024-03-{10 - number:02d}"})
    body = sandbox.get("/api/v4/communications.json", params={"limit": 2, "fields": "id,date"}).json()
    assert [r["id"] for r in body["data"]] == [5, 4]
    assert "offset=2" in body["meta"]["paging"]["next"]
    by_id = sandbox.get("/api/v4/communications.json", params={"limit": 2, "order": "id(asc)"}).json()
    assert [r["id"] for r in by_id["data"]] == [1, 2] and "page_token" in by_id["meta"]["paging"]["next"]


def test_filtered_cursor_pages_return_each_match_once(sandbox: Sandbox) -> None:
    pages = follow(sandbox, "/api/v4/matters.json", {"status": "open", "limit": 3, "fields": "id,status"})
    records = [record for page in pages for record in page["data"]]
    assert [r["id"] for r in records] == list(range(3, 26, 3))
    assert {r["status"] for r in records} == {"Open"}
    back = sandbox.get(pages[-1]["meta"]["paging"]["previous"]).json()
    assert [r["id"] for r in back["data"]] == [r["id"] for r in pages[-2]["data"]]
