"""The pure parts of deletes: which rows the final sweep finds gone (a key goes back to its Clio resource by the
map's key prefixes; retired rows and resources not listed to the end, or listed empty, are left alone), and each
table's inactive state, checked against the state rules the Dataverse sandbox enforces (dataverse.md §6)."""
from __future__ import annotations

import pytest

from sandboxes.dataverse import facts
from shared.delta.states import inactive_state
from shared.delta.sweep import comparable, gone
from shared.ledger import LedgerRow
from shared.mapping.maps import load_map


def _written(*keys: str, retired: tuple[str, ...] = ()) -> dict[str, LedgerRow]:
    return {key: LedgerRow(key, origin="created", last_action="deactivated" if key in retired else "created")
            for key in (*keys, *retired)}


def test_the_sweep_finds_rows_whose_record_clio_no_longer_lists() -> None:
    map_file = load_map()
    written = {"tasks": _written("5", "9", "time-entry-7", "time-entry-8", retired=("6",)),
               "accounts": _written("100", "101"), "contacts": _written("100"),
               "new_trustaccounts": _written("50")}
    listed = {"tasks": {"9", "6"}, "activities": {"7"}, "contacts": {"101"}}
    found = gone(map_file, written, listed, complete={"tasks", "activities", "contacts"})
    assert sorted((row.target.entity_set, row.key, row.resource, row.clio_id) for row in found) == [
        ("accounts", "100", "contacts", "100"), ("contacts", "100", "contacts", "100"),
        ("tasks", "5", "tasks", "5"), ("tasks", "time-entry-8", "activities", "8")]


def test_only_resources_listed_to_the_end_and_not_empty_are_compared() -> None:
    listed = {"contacts": {"1"}, "notes": {"2"}, "bank_accounts": set()}
    streams = ["contacts", "notes_matter", "notes_contact", "bank_accounts", "tasks"]
    assert comparable(streams, [], listed) == {"contacts", "notes"}
    assert comparable(streams, ["notes_contact"], listed) == {"contacts"}  # half the notes is no list of notes


_MAP = load_map()
_CUSTOM = {spec.logical_name for spec in _MAP.target_schema.tables}


@pytest.mark.parametrize("logical", sorted({table.target.logical_name for table in _MAP.tables} - _CUSTOM))
def test_every_standard_table_has_an_inactive_state_the_sandbox_accepts(logical: str) -> None:
    """(The custom tables' state is checked on provisioned tables, tests/delta/test_retire.py.)"""
    inactive = inactive_state(logical, _CUSTOM)
    statuses = facts.STATUS_STATE.get(logical)
    if inactive.kind == "none":
        assert statuses is None, f"{logical} has states: make it inactive rather than delete it"
        return
    assert statuses is not None and statuses[inactive.statuscode] == inactive.statecode != 0
    action_only = facts.ACTION_ONLY_STATES.get((logical, inactive.statecode))
    assert (inactive.kind == "action") == (action_only is not None)
    assert action_only in (None, "LoseOpportunity")
