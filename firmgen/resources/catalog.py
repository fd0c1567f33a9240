"""Small lookup resources: practice areas, activity descriptions, expense categories."""
from __future__ import annotations

from collections.abc import Iterator

from firmgen.firm import Firm, Record
from firmgen.vocabulary import ACTIVITY_DESCRIPTIONS, EXPENSE_CATEGORIES, PRACTICE_AREAS


def practice_areas(firm: Firm) -> Iterator[Record]:
    for (name, code, category), (_, _, record, _) in zip(PRACTICE_AREAS, firm.records("practice_areas")):
        record.update({"name": name, "code": code, "category": category})
        yield record


def activity_descriptions(firm: Firm) -> Iterator[Record]:
    for (name, amount, rate_type), (index, _, record, _) in zip(ACTIVITY_DESCRIPTIONS,
                                                               firm.records("activity_descriptions")):
        record.update({
            "name": name,
            "visible_to_co_counsel": index % 2 == 0,
            "default": index == 0,
            "accessible_to_user": True,
            "rate": {"amount": amount, "non_billable_amount": 0.0, "type": rate_type, "hierarchy": "Default"},
        })
        yield record


def expense_categories(firm: Firm) -> Iterator[Record]:
    for (name, rate), (_, _, record, _) in zip(EXPENSE_CATEGORIES, firm.records("expense_categories")):
        record.update({"name": name, "rate": rate, "accessible_to_user": True})
        yield record
