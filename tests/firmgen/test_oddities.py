"""The deliberately malformed records are listed in _firm.oddities, and each is really odd."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from tests.firmgen.firms import Firm

Record = dict[str, Any]

CHECKS: dict[str, Callable[[Record], bool]] = {
    "invalid_email": lambda r: "@@" in r["primary_email_address"] and "@@" in r["email_addresses"][0]["address"],
    "junk_phone": lambda r: not any(ch.isdigit() for ch in r["phone_numbers"][0]["number"]),
    "long_description": lambda r: len(r["description"]) > 255,
    "zero_quantity": lambda r: r["type"] == "TimeEntry" and r["quantity"] == 0 and r["total"] == 0,
    "ends_before_start": lambda r: datetime.fromisoformat(r["end_at"]) < datetime.fromisoformat(r["start_at"]),
    "blank_subject": lambda r: r["subject"] == "",
    "email_without_domain": lambda r: "@" not in r["email"],
}


def _by_id(firm: Firm, resource: str, record_id: Any) -> Record:
    return next(r for r in firm[resource] if r["id"] == record_id)


def test_every_oddity_kind_is_listed_once(tiny: Firm) -> None:
    kinds = [o["kind"] for o in tiny["_firm"]["oddities"]]
    assert sorted(kinds) == sorted(CHECKS)


@pytest.mark.parametrize("kind", sorted(CHECKS))
def test_listed_record_is_odd(tiny: Firm, kind: str) -> None:
    oddity = next(o for o in tiny["_firm"]["oddities"] if o["kind"] == kind)
    assert oddity["what"]
    assert CHECKS[kind](_by_id(tiny, oddity["resource"], oddity["id"]))


@pytest.mark.parametrize("kind", sorted(CHECKS))
def test_no_unlisted_record_shares_the_oddity(tiny: Firm, kind: str) -> None:
    oddity = next(o for o in tiny["_firm"]["oddities"] if o["kind"] == kind)
    others = [r for r in tiny[oddity["resource"]] if r["id"] != oddity["id"]]
    assert not any(CHECKS[kind](r) for r in others if _applies(kind, r))


def _applies(kind: str, record: Record) -> bool:
    """Records the check can be evaluated on (e.g. contacts without emails cannot have an invalid one)."""
    needs = {"invalid_email": "primary_email_address", "junk_phone": "phone_numbers"}
    return needs.get(kind, "id") in record


def test_every_other_email_address_is_well_formed(tiny: Firm) -> None:
    shape = re.compile(r"^[a-z0-9._-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$")
    odd = {o["id"] for o in tiny["_firm"]["oddities"] if o["kind"] in ("invalid_email", "email_without_domain")}
    addresses = [e["address"] for c in tiny["contacts"] if c["id"] not in odd for e in c["email_addresses"]]
    addresses += [u["email"] for u in tiny["users"] if u["id"] not in odd]
    assert addresses and [a for a in addresses if not shape.match(a)] == []
