"""Index filters per clio.md §6 and §7."""
from __future__ import annotations

from typing import Any

import pytest

from tests.clio_sandbox.conftest import Sandbox
from tests.clio_sandbox.firm import timestamp


def ids(sandbox: Sandbox, path: str, **params: Any) -> list[Any]:
    response = sandbox.get(path, params=params)
    assert response.status_code == 200, response.text
    return [record["id"] for record in response.json()["data"]]


def test_updated_since_is_strictly_after(sandbox: Sandbox) -> None:
    # Matter n was updated at BASE_TIME + n minutes (firm.py).
    assert ids(sandbox, "/api/v4/matters.json", updated_since=timestamp(20)) == [21, 22, 23, 24, 25]
    same_instant_in_utc = "2024-01-01T14:20:00Z"
    assert ids(sandbox, "/api/v4/matters.json", updated_since=same_instant_in_utc) == [21, 22, 23, 24, 25]
    assert ids(sandbox, "/api/v4/matters.json", created_since=timestamp(24)) == [25]


def test_updated_since_sees_edits_made_mid_run(sandbox: Sandbox) -> None:
    watermark = sandbox.state.clock.now_datetime().isoformat()
    sandbox.state.clock.advance(1)
    sandbox.state.update_record("matters", 2, {"description": "edited"})
    assert ids(sandbox, "/api/v4/matters.json", updated_since=watermark) == [2]


@pytest.mark.parametrize("value", ["yesterday", "2024-13-01", ""])
def test_bad_timestamps_are_400(sandbox: Sandbox, value: str) -> None:
    assert sandbox.get("/api/v4/matters.json", params={"updated_since": value}).status_code == 400


def test_ids_filter_is_repeatable(sandbox: Sandbox) -> None:
    assert ids(sandbox, "/api/v4/matters.json", **{"ids[]": [9, 3, 17]}) == [3, 9, 17]


def test_matter_status_takes_lowercase_comma_lists(sandbox: Sandbox) -> None:
    statuses = {m["id"]: m["status"] for m in sandbox.state.store.all("matters")}
    open_or_pending = [i for i, s in statuses.items() if s in ("Open", "Pending")]
    assert ids(sandbox, "/api/v4/matters.json", status="open,pending") == open_or_pending
    assert sandbox.get("/api/v4/matters.json", params={"status": "Open"}).status_code == 400


@pytest.mark.parametrize("path, params, expected", [
    ("/api/v4/matters.json", {"client_id": 2}, [1, 4, 7, 10, 13, 16, 19, 22, 25]),
    ("/api/v4/matters.json", {"practice_area_id": 1, "client_id": 1}, [6, 12, 18, 24]),
    ("/api/v4/contacts.json", {"type": "Company"}, [2]),
    ("/api/v4/bills.json", {"matter_id": 12}, [2]),
    ("/api/v4/bills.json", {"client_id": 1}, [1, 2, 3]),
    ("/api/v4/documents.json", {"matter_id": 1}, [1, 2]),
    ("/api/v4/documents.json", {"include_deleted": "true"}, [1, 2, 3]),
    ("/api/v4/custom_fields.json", {"parent_type": "matter", "deleted": "false"}, [1, 3]),
    ("/api/v4/custom_fields.json", {"deleted": "true"}, []),
    ("/api/v4/bank_transactions.json", {"bank_account_id": 2}, [2]),
    ("/api/v4/activities.json", {"type": "ExpenseEntry", "user_id": 1}, [1]),
    ("/api/v4/tasks.json", {"status": "complete", "matter_id": 1}, [3]),
    ("/api/v4/calendar_entries.json", {"matter_id": 1}, ["1", "2", "3"]),
    ("/api/v4/trust_line_items.json", {"bill_id": 1, "matter_id": 1}, [1, 2, 3]),
    ("/api/v4/relationships.json", {"contact_id": 1, "matter_id": 2}, []),
    ("/api/v4/line_items.json", {"bill_id": 1}, [1, 2, 3]),
    ("/api/v4/folders.json", {"parent_id": 1}, [1, 2, 3]),
    ("/api/v4/communications.json", {"type": "PhoneCommunication", "matter_id": 1, "order": "id(asc)"}, [1, 3, 5]),
])
# Enum fields rotate through the enum by record number (firm.py): record n has enum[n % len(enum)].
def test_resource_filters(sandbox: Sandbox, path: str, params: dict[str, Any], expected: list[Any]) -> None:
    assert ids(sandbox, path, **params) == expected


def test_documents_exclude_trashed_by_default(sandbox: Sandbox) -> None:
    assert ids(sandbox, "/api/v4/documents.json") == [1, 2]


def test_notes_require_type_and_filter_by_parent(sandbox: Sandbox) -> None:
    missing = sandbox.get("/api/v4/notes.json")
    assert missing.status_code == 400 and missing.json()["error"]["type"]
    assert ids(sandbox, "/api/v4/notes.json", type="Matter") == [1, 3, 5]
    assert ids(sandbox, "/api/v4/notes.json", type="Contact", contact_id=1) == [2, 4, 6]
    assert sandbox.get("/api/v4/notes.json", params={"type": "Bill"}).status_code == 400


def test_null_keyword_matches_records_without_the_association(sandbox: Sandbox) -> None:
    sandbox.state.update_record("activities", 3, {"matter": None})
    assert ids(sandbox, "/api/v4/activities.json", matter_id="null") == [3]


def test_unimplemented_spec_filter_is_refused_not_ignored(sandbox: Sandbox) -> None:
    response = sandbox.get("/api/v4/matters.json", params={"query": "smith"})
    assert response.status_code == 400 and response.json()["error"]["type"] == "UnsupportedBySandbox"


def test_parameters_outside_the_spec_are_ignored(sandbox: Sandbox) -> None:
    assert ids(sandbox, "/api/v4/practice_areas.json", colour="blue") == [1, 2, 3]


def test_non_integer_id_filter_is_400(sandbox: Sandbox) -> None:
    assert sandbox.get("/api/v4/matters.json", params={"client_id": "abc"}).status_code == 400


def test_id_filter_naming_no_association_of_the_record_is_refused(sandbox: Sandbox) -> None:
    response = sandbox.get("/api/v4/tasks.json", params={"client_id": 1})  # Task has no client association
    assert response.status_code == 400 and response.json()["error"]["type"] == "UnsupportedBySandbox"
