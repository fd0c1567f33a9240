"""Time entries (quantity in seconds since API 4.0.4) and expenses; billable, non-billable, no-charge, on bills."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from firmgen.firm import Firm, Record
from firmgen.vocabulary import ACTIVITY_DESCRIPTIONS, BILL_STATES, EXPENSE_CATEGORIES, EXPENSE_TYPES, TAX_SETTINGS

SECONDS_PER_TENTH = 360
RELEASED_BILL_STATES = ("void", "deleted")  # their activities go back to unbilled
BILLED_STATES = ("awaiting_payment", "paid")


@dataclass(frozen=True)
class Money:
    """The billing-relevant values of an activity, recomputable from its index alone (bills add them up)."""
    type: str
    quantity: float
    hours: float
    price: float
    total: float
    catalog_index: int  # activity description (time) or expense category (expenses)
    label: str


def is_expense(activity: int) -> bool:
    return activity % 5 == 4


def money_of(firm: Firm, a: int) -> Money:
    draw = firm.draw("activities.money", a)
    if is_expense(a):
        kind = EXPENSE_TYPES[(a // 5) % len(EXPENSE_TYPES)]
        category = draw.below(len(EXPENSE_CATEGORIES))
        label, unit_rate = EXPENSE_CATEGORIES[category]
        units = float(draw.between(1, 5))
        # categories with a nominal rate of 1 are entered at the amount actually spent
        price = float(unit_rate) if unit_rate > 1 else round(draw.between(50, 4000) / 100, 2)
        return Money(kind, units, units, price, round(units * price, 2), category, label)
    description = (a // 5) % len(ACTIVITY_DESCRIPTIONS)
    name, rate, _ = ACTIVITY_DESCRIPTIONS[description]
    seconds = 0 if firm.odd("activities", a, "zero_quantity") else SECONDS_PER_TENTH * draw.between(1, 40)
    hours = seconds / 3600
    return Money("TimeEntry", float(seconds), hours, rate, round(hours * rate, 2), description, name)


def bill_state(bill: int) -> str:
    return BILL_STATES[bill % len(BILL_STATES)]


def generate(firm: Firm) -> Iterator[Record]:
    layout = firm.layout
    for a, draw, record, created in firm.records("activities"):
        money = money_of(firm, a)
        bill = layout.bill_of_activity(a)
        state = bill_state(bill) if bill is not None else None
        on_bill = state is not None and state not in RELEASED_BILL_STATES
        non_billable = bill is None and a % 9 == 4
        record.update({
            "type": money.type,
            "date": firm.clock.day(created),
            "quantity": money.quantity,
            "rounded_quantity": money.quantity,
            "quantity_in_hours": round(money.hours, 4),
            "rounded_quantity_in_hours": round(money.hours, 4),
            "quantity_redacted": False,
            "price": money.price,
            "note": firm.pools.sentence(draw) if draw.chance(0.8) else "",
            "flat_rate": money.type == "TimeEntry" and ACTIVITY_DESCRIPTIONS[money.catalog_index][2] == "FlatRate",
            "billed": state in BILLED_STATES,
            "on_bill": on_bill,
            "total": money.total,
            "contingency_fee": False,
            "non_billable": non_billable,
            "non_billable_total": money.total if non_billable else 0.0,
            "no_charge": bill is None and a % 17 == 5,
            "tax_setting": TAX_SETTINGS[a % len(TAX_SETTINGS)] if draw.chance(0.3) else "no_tax",
            "matter": firm.ref("matters", layout.matter_of_activity(a)),
            "user": firm.ref("users", layout.attorney(a) if money.type == "TimeEntry" else layout.user(a)),
        })
        if money.type == "TimeEntry":
            record["activity_description"] = firm.ref("activity_descriptions", money.catalog_index)
        else:
            record["expense_category"] = firm.ref("expense_categories", money.catalog_index)
        if on_bill and bill is not None:
            record["bill"] = firm.ref("bills", bill)
        yield record
