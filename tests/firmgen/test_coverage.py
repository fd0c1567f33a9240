"""Every variant a migration must handle appears even in the tiny firm; enum lists are read from the spec."""
from __future__ import annotations

import re
import unicodedata
from typing import Any

import pytest

from tests.firmgen.firms import Firm

# (resource, schema, field): every value of the spec's enum must appear
ENUMS = (
    ("matters", "Matter_base", "status"),
    ("matters", "Matter_base", "billing_method"),
    ("bills", "Bill_base", "state"),
    ("custom_fields", "CustomField_base", "field_type"),
    ("custom_fields", "CustomField_base", "parent_type"),
    ("notes", "Note_base", "type"),
    ("notes", "Note_base", "detail_text_type"),
    ("communications", "Communication_base", "type"),
    ("activities", "Activity_base", "type"),
    ("activities", "Activity_base", "tax_setting"),
    ("tasks", "Task_base", "status"),
    ("tasks", "Task_base", "priority"),
    ("tasks", "Task_base", "description_text_type"),
    ("contacts", "Contact_base", "type"),
    ("line_items", "LineItem_base", "kind"),
    ("bank_accounts", "BankAccount_base", "type"),
)
EDGE_SIZES = {0, 4194304, 4194305, 327680 * 10}
ALLOWED_TAGS = {"a", "b", "br", "div", "em", "i", "li", "ol", "p", "s", "strong", "u", "ul"}


@pytest.mark.parametrize(("resource", "schema", "field"), ENUMS)
def test_every_enum_value_appears(tiny: Firm, schemas: dict[str, Any], resource: str, schema: str, field: str) -> None:
    expected = set(schemas[schema]["properties"][field]["enum"])
    seen = {record[field] for record in tiny[resource] if field in record}
    assert seen == expected


def test_custom_fields_of_every_type_for_both_parents(tiny: Firm) -> None:
    live = {(f["parent_type"], f["field_type"]) for f in tiny["custom_fields"] if not f["deleted"]}
    assert len(live) == 24
    assert {f["parent_type"] for f in tiny["custom_fields"] if f["deleted"]} == {"Matter", "Contact"}
    options = [o for f in tiny["custom_fields"] for o in f["picklist_options"]]
    assert any("deleted_at" in o for o in options) and any("deleted_at" not in o for o in options)


def test_custom_field_values_have_the_right_shape(tiny: Firm) -> None:
    values = [v for r in tiny["matters"] + tiny["contacts"] for v in r["custom_field_values"]]
    assert {v["field_type"] for v in values} == {f["field_type"] for f in tiny["custom_fields"]}
    assert any(v["soft_deleted"] for v in values)
    for value in values:
        kind = value["field_type"]
        assert value["id"].startswith(f"{kind}-")
        if kind == "picklist":
            assert set(value["picklist_option"]) == {"id", "option"} and value["value"] == str(value["picklist_option"]["id"])
        if kind in ("contact", "matter"):
            assert value[kind] == {"id": int(value["value"])}
    parents = {r["id"]: r["parent_type"] for r in tiny["custom_fields"]}
    assert {parents[v["custom_field"]["id"]] for r in tiny["matters"] for v in r["custom_field_values"]} == {"Matter"}


def test_matters_close_pend_and_number_like_clio(tiny: Firm) -> None:
    for matter in tiny["matters"]:
        assert re.fullmatch(r"\d{5}-\S.*", matter["display_number"])
        assert ("close_date" in matter) == (matter["status"] == "Closed")
    assert len({m["practice_area"]["id"] for m in tiny["matters"]}) >= 4


def _scripts(text: str) -> set[str]:
    return {unicodedata.name(ch).split()[0] for ch in text if ch.isalpha()}


def test_contacts_are_messy(tiny: Firm) -> None:
    contacts = tiny["contacts"]
    scripts = set().union(*(_scripts(c["name"]) for c in contacts))
    assert {"LATIN", "CJK", "ARABIC", "HEBREW"} <= scripts
    assert any(not c["name"].isascii() and "LATIN" in _scripts(c["name"]) for c in contacts)
    assert any(c["is_client"] and not c["email_addresses"] for c in contacts)
    assert any(len(c["email_addresses"]) >= 2 for c in contacts)
    assert any(len(c["phone_numbers"]) >= 2 for c in contacts)
    assert any(len(c["addresses"]) >= 2 for c in contacts)
    for contact in contacts:
        for nested in ("email_addresses", "phone_numbers", "addresses"):
            flags = [item["primary"] for item in contact[nested]]
            assert flags.count(True) == (1 if flags else 0)
    companies = {c["id"] for c in contacts if c["type"] == "Company"}
    employees = [c for c in contacts if "company" in c]
    assert employees and all(c["type"] == "Person" and c["company"]["id"] in companies for c in employees)


def test_users_include_disabled_and_foreign_domains(tiny: Firm) -> None:
    users = tiny["users"]
    assert any(not u["enabled"] for u in users)
    domains = {u["email"].partition("@")[2] for u in users}
    assert len(domains - {""}) >= 2


def test_activities_cover_billing_situations(tiny: Firm) -> None:
    activities = tiny["activities"]
    assert any(a["billed"] for a in activities)
    assert any(a["on_bill"] and not a["billed"] for a in activities)
    assert any(a["non_billable"] for a in activities)
    assert any(not a["on_bill"] and not a["non_billable"] for a in activities)
    assert all(("activity_description" in a) == (a["type"] == "TimeEntry") for a in activities)


def test_calendar_has_recurring_and_all_day_entries(tiny: Firm) -> None:
    entries = tiny["calendar_entries"]
    assert any(e["recurrence_rule"].startswith("FREQ=") for e in entries if "recurrence_rule" in e)
    assert any(e["all_day"] for e in entries) and any(not e["all_day"] for e in entries)


def test_rich_text_uses_only_clio_tags_and_some_notes_are_long(tiny: Firm) -> None:
    rich = [n["detail"] for n in tiny["notes"] if n["detail_text_type"] == "rich_text"]
    tags = {tag for text in rich for tag in re.findall(r"</?([a-z0-9]+)", text)}
    assert tags == ALLOWED_TAGS
    assert max(len(n["detail"]) for n in tiny["notes"]) > 10_000


def test_document_sizes_hit_the_edges(tiny: Firm) -> None:
    sizes = {d["size"] for d in tiny["documents"]}
    assert EDGE_SIZES <= sizes
    assert max(sizes) > 262144000


def test_trust_money_links_bills_matters_and_clients(tiny: Firm) -> None:
    trust = {a["id"] for a in tiny["bank_accounts"] if a["type"] == "Trust"}
    assert trust and any(t["bank_account"]["id"] in trust for t in tiny["bank_transactions"])
    assert any("bill" in t for t in tiny["bank_transactions"])
    assert all({"bill", "matter", "client"} <= set(t) for t in tiny["trust_line_items"])
    assert {r["description"] for r in tiny["relationships"]} and all("contact" in r for r in tiny["relationships"])
