"""Canonical values: what means the same compares equal whichever side wrote it, what differs stays different."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from shared.reconcile.canonical import Bind, Kind, canonical, parse_bind
from shared.reconcile.readback import in_filter, key_chunks


@pytest.mark.parametrize(("kind", "same"), [
    ("decimal", [12.5, "12.50", Decimal("12.500"), "12.5"]),
    ("decimal", [100, 100.0, "1E+2", Decimal("100.0000")]),
    ("decimal", [0, -0.0, "0.00"]),
    ("integer", [100000001, 100000001.0, "100000001"]),
    ("boolean", [True, "true", 1]),
    ("boolean", [False, "False", 0]),
    ("datetime", ["2024-01-05T08:00:00Z", "2024-01-05T10:00:00+02:00", "2024-01-05T03:00:00-05:00",
                  "2024-01-05T08:00:00.0000000Z", "2024-01-05T08:00:00",
                  datetime(2024, 1, 5, 9, 0, tzinfo=timezone(timedelta(hours=1)))]),
    ("datetime", ["2024-01-05", "2024-01-05T00:00:00Z", date(2024, 1, 5)]),
    ("date", ["2024-01-05", "2024-01-05T00:00:00Z", date(2024, 1, 5)]),
    ("guid", ["0B103F68-3656-47BC-AE91-2F0A92211077", "0b103f68-3656-47bc-ae91-2f0a92211077",
              "{0b103f68-3656-47bc-ae91-2f0a92211077}"]),
    ("text", [None, ""]),
])
def test_equal_things_compare_equal(kind: Kind, same: list[object]) -> None:
    forms = {canonical(kind, value) for value in same}
    assert len(forms) == 1, forms


def test_the_canonical_forms() -> None:
    assert canonical("decimal", 12.5) == "12.5" and canonical("decimal", "1E+2") == "100"
    assert canonical("datetime", "2024-01-05T10:00:00+02:00") == "2024-01-05T08:00:00Z"
    assert canonical("date", "2024-01-05") == "2024-01-05" and canonical("boolean", 0) == "false"
    assert canonical("integer", 2) == "2" and canonical("text", {"b": 1, "a": 2}) == '{"a": 2, "b": 1}'


@pytest.mark.parametrize(("kind", "left", "right"), [
    ("decimal", 12.5, 12.51),
    ("integer", 1, 2),
    ("boolean", True, False),
    ("boolean", False, None),
    ("datetime", "2024-01-05T08:00:00Z", "2024-01-05T08:00:01Z"),
    ("datetime", "2024-01-05T08:00:00+01:00", "2024-01-05T08:00:00Z"),
    ("date", "2024-01-05", "2024-01-04T23:00:00Z"),  # a date-only value shifted by a time zone is a difference
    ("text", "Smith", "Smith "),
    ("text", "Smith", "smith"),
    ("guid", "0b103f68-3656-47bc-ae91-2f0a92211077", None),
])
def test_different_things_stay_different(kind: Kind, left: object, right: object) -> None:
    assert canonical(kind, left) != canonical(kind, right)


def test_values_that_do_not_read_as_their_kind_keep_their_text() -> None:
    assert canonical("datetime", "next Tuesday") == "next Tuesday"
    assert canonical("integer", 1.5) == "1.5" and canonical("decimal", True) == "True"
    assert canonical("guid", "not-a-guid") == "not-a-guid"


def test_binds_as_the_engine_and_the_owner_rule_write_them() -> None:
    assert parse_bind("/accounts(new_clioid='1200000007')") == Bind("accounts", "new_clioid", "1200000007", None)
    assert parse_bind("/contacts(new_clioid='O''Brien')") == Bind("contacts", "new_clioid", "O'Brien", None)
    assert parse_bind("/systemusers(0B103F68-3656-47BC-AE91-2F0A92211077)") == \
        Bind("systemusers", None, None, "0b103f68-3656-47bc-ae91-2f0a92211077")
    assert parse_bind("accounts(new_clioid='1')") == Bind("accounts", "new_clioid", "1", None)
    assert parse_bind("/accounts") is None and parse_bind("/accounts(new_clioid=12)") is None


def test_key_chunks_cover_every_key_within_the_url_budget() -> None:
    keys = [f"time-entry-{n}" for n in range(2500)] + ["O'Brien", "time-entry-7"]
    chunks = key_chunks(keys, characters=2000, most=100)
    assert sorted(key for chunk in chunks for key in chunk) == sorted(set(keys))
    assert all(len(chunk) <= 100 and len(",".join(f"'{k}'" for k in chunk)) <= 2000 for chunk in chunks)
    assert in_filter("new_clioid", ["1", "O'Brien"]) == \
        "Microsoft.Dynamics.CRM.In(PropertyName='new_clioid',PropertyValues=['1','O''Brien'])"
