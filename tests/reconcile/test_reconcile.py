"""The reconciliation against the Dataverse sandbox, after a tiny firm went through the real dry run and loader:
a clean load leaves nothing unexplained; each kind of tampering in Dataverse shows up as exactly its difference;
the sample diff looks at the sampled keys only."""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from shared.reconcile.report import Reconciliation
from tests.reconcile.firm import MIGRATION, LoadedFirm, loaded_firm

# dataverse.md §12: activities and notes go with the record they regard; custom lookups are RemoveLink.
CASCADED_WITH_THE_MATTER = {"task_to_task", "calendar_entry_to_appointment", "phone_communication_to_phonecall",
                            "email_communication_to_email", "matter_note_to_annotation",
                            "time_entry_to_timeline_task"}


@pytest.fixture
def firm(storage_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[LoadedFirm]:
    with loaded_firm(monkeypatch) as loaded:
        yield loaded


def differences(report: Reconciliation, explained: bool) -> set[tuple[str, str, str, str | None]]:
    return {(d.kind, table.name, d.key, d.field) for table in report.tables for d in table.differences
            if (d.explained_by is not None) == explained}


def failed_outcomes(firm: LoadedFirm) -> dict[tuple[str, str], dict[str, Any]]:
    """(entity set, key) -> outcome, for every row the loader reported failed."""
    failed = {}
    for blob in firm.raw.list_blobs(name_starts_with=f"{MIGRATION}/dataverse/"):
        for outcome in json.loads(firm.raw.download_blob(blob.name).readall()):
            if outcome["action"] == "failed":
                failed[(blob.name.split("/")[2], outcome["key"])] = outcome
    return failed


def test_a_clean_load_reconciles_with_every_difference_explained(firm: LoadedFirm) -> None:
    answer, report = firm.reconcile()
    assert answer["report"] == f"{MIGRATION}/reconciliation/report.json" and answer["mode"] == "full"
    assert answer["unexplained"] == 0 and answer["unaccounted_records"] == 0
    assert (answer["mismatches"], answer["orphans"], answer["extra"]) == (0, 0, 0)

    # Every staged row loaded: nothing failed, nothing missing, every field's digest equal on both sides.
    assert failed_outcomes(firm) == {} and answer["missing"] == 0

    dry_run = json.loads(firm.raw.download_blob(f"{MIGRATION}/dry-run/1.2.0/report.json").readall())
    by_name = {t.name: t for t in report.tables}
    assert {name: t.staged for name, t in by_name.items() if t.staged} == dry_run["rows"]
    for table in report.tables:
        assert table.found == table.loaded == table.staged - table.failed
        assert table.source_records == dry_run["resources"][table.resource]["source"]
        assert table.failed == 0 and all(d.equal for d in table.digests.values()), table.name
    lines = Counter((line["table"], line["code"]) for line in dry_run["lines"])
    assert all(t.owner_fallbacks == lines[(t.name, "OWNER_FALLBACK")] for t in report.tables)
    assert sum(t.owner_fallbacks for t in report.tables) > 0
    assert sum(t.truncations for t in report.tables) == dry_run["problems"]["warning:TRUNCATED"]

    # Every Clio record: loaded whole, reported, or reference data.
    accounts = {r.resource: r for r in report.resources}
    assert set(accounts) == set(dry_run["resources"])
    assert all(r.source == r.loaded + r.reported + r.reference for r in report.resources)
    assert (accounts["activities"].reported, accounts["users"].reference) == (0, 8)
    assert accounts["activities"].loaded == accounts["activities"].source

    page = firm.raw.download_blob(answer["html"]).readall().decode()
    assert "Nothing unexplained" in page and "company_to_account" in page


def _binds(row: dict[str, Any], entity_set: str, key: str) -> list[str]:
    return [name for name, value in row["values"].items()
            if name.endswith("@odata.bind") and value == f"/{entity_set}(new_clioid='{key}')"]


def test_each_tampering_shows_up_as_exactly_its_difference(firm: LoadedFirm) -> None:
    contacts = [row for row in firm.staged("person_to_contact")
                if "parentcustomerid_account@odata.bind" in row["values"]]
    renamed, unlinked = contacts[0], contacts[1]
    billed = {value for row in firm.staged("bill_to_invoice") for value in row["values"].values()}
    matter = next(row["key"] for row in firm.staged("matter_to_opportunity")  # invoices Restrict its delete
                  if f"/opportunities(new_clioid='{row['key']}')" not in billed
                  and any(_binds(t, "opportunities", row["key"]) for t in firm.staged("time_entry_to_time_entry")))
    task = next(row for row in firm.staged("task_to_task") if not _binds(row, "opportunities", matter))

    firm.client.request("PATCH", f"contacts(new_clioid='{renamed['key']}')", json_body={"lastname": "Tampered"})
    firm.client.request("PATCH", f"contacts(new_clioid='{unlinked['key']}')",
                        json_body={"parentcustomerid_account@odata.bind": None})
    firm.client.request("DELETE", f"tasks({firm.id_of('tasks', 'activityid', task['key'])})")
    firm.client.request("POST", "accounts", json_body={"name": "Walk-in client", "new_clioid": "990001"})
    firm.client.request("POST", "tasks", json_body={"subject": "Stray", "new_clioid": "time-entry-990002"})
    firm.client.request("DELETE", f"opportunities({firm.id_of('opportunities', 'opportunityid', matter)})")

    answer, report = firm.reconcile()
    expected = {("mismatch", "person_to_contact", renamed["key"], "lastname"),
                ("mismatch", "person_to_contact", unlinked["key"], "parentcustomerid_account@odata.bind"),
                ("missing", "task_to_task", task["key"], None),
                ("extra", "company_to_account", "990001", None),
                ("extra", "time_entry_to_timeline_task", "time-entry-990002", None),
                ("missing", "matter_to_opportunity", matter, None)}
    loader_failed = {key for _, key in failed_outcomes(firm)}
    for table in report.tables:
        for row in firm.staged(table.name):
            for name in _binds(row, "opportunities", matter):
                if row["key"] in loader_failed:
                    continue
                expected.add(("missing", table.name, row["key"], None) if table.name in CASCADED_WITH_THE_MATTER
                             else ("orphan", table.name, row["key"], name))
    assert any(kind == "orphan" for kind, *_ in expected) and sum(kind == "missing" for kind, *_ in expected) > 2
    assert differences(report, explained=False) == expected
    assert answer["unexplained"] == len(expected)
    tasks_lost = sum(kind == "missing" and name == "task_to_task" for kind, name, *_ in expected)
    accounts = {r.resource: r for r in report.resources}
    assert (accounts["tasks"].unaccounted, accounts["matters"].unaccounted) == (tasks_lost, 1)
    assert accounts["contacts"].unaccounted == 0  # a changed value is a mismatch, not a lost record

    by_name = {t.name: t for t in report.tables}
    found = {(d.key, d.field): d for d in by_name["person_to_contact"].differences}
    assert (found[(renamed["key"], "lastname")].expected, found[(renamed["key"], "lastname")].actual) == \
        (renamed["values"]["lastname"], "Tampered")
    account_key = unlinked["values"]["parentcustomerid_account@odata.bind"].split("'")[1]
    lookup = found[(unlinked["key"], "parentcustomerid_account@odata.bind")]
    assert lookup.expected == firm.id_of("accounts", "accountid", account_key).lower() and lookup.actual is None
    digests = by_name["person_to_contact"].digests
    assert not digests["lastname"].equal and not digests["parentcustomerid_account@odata.bind"].equal
    assert digests["firstname"].equal and digests["new_clioloadhash"].equal
    orphan = next(d for t in report.tables for d in t.differences if d.kind == "orphan")
    assert orphan.expected == f"/opportunities(new_clioid='{matter}')" and orphan.actual is None
    page = firm.raw.download_blob(answer["html"]).readall().decode()
    assert "UNEXPLAINED" in page and "990001" in page and "Nothing unexplained" not in page


def test_the_sample_diff_looks_at_the_sampled_keys_only(firm: LoadedFirm) -> None:
    people = [row for row in firm.staged("person_to_contact") if "jobtitle" in row["values"]]
    sampled, unsampled = people[:5], people[5]
    tasks = [row["key"] for row in firm.staged("task_to_task")[:3]]
    firm.client.request("PATCH", f"contacts(new_clioid='{sampled[2]['key']}')", json_body={"jobtitle": "Changed"})
    firm.client.request("PATCH", f"contacts(new_clioid='{unsampled['key']}')", json_body={"jobtitle": "Changed"})
    firm.client.request("POST", "accounts", json_body={"name": "Walk-in client", "new_clioid": "990001"})
    firm.client.request("POST", "accounts", json_body={"name": "Not sampled", "new_clioid": "990003"})
    keys = {"tables": {"person_to_contact": [row["key"] for row in sampled], "task_to_task": tasks,
                       "company_to_account": ["990001"]}}
    firm.raw.upload_blob(f"{MIGRATION}/sample/keys.json", json.dumps(keys).encode())

    answer, report = firm.reconcile(keys_blob=f"{MIGRATION}/sample/keys.json")
    assert answer["report"] == f"{MIGRATION}/sample/diff.json" and answer["html"] == f"{MIGRATION}/sample/diff.html"
    assert report.mode == "sample" and report.resources == []
    assert {t.name: (t.staged, t.found) for t in report.tables} == {
        "person_to_contact": (5, 5), "task_to_task": (3, 3), "company_to_account": (0, 0)}
    assert differences(report, explained=False) == {
        ("mismatch", "person_to_contact", sampled[2]["key"], "jobtitle"),
        ("extra", "company_to_account", "990001", None)}
    assert "Sample diff" in firm.raw.download_blob(answer["html"]).readall().decode()
