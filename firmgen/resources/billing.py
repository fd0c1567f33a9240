"""Bills in every state and their activity line items; a bill's totals are the sum of its line items."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from firmgen.firm import Firm, Record
from firmgen.resources.activities import BILLED_STATES, Money, bill_state, money_of

TAX_RATE = 8.25
TRANSITIONS = {
    "draft": ["awaiting_approval", "awaiting_payment", "deleted"],
    "awaiting_approval": ["awaiting_payment", "void", "deleted"],
    "awaiting_payment": ["paid", "void"],
    "paid": ["void"],
    "void": ["deleted"],
    "deleted": [],
}


def _taxed(bill: int) -> bool:
    return bill % 4 == 1


def _item_tax(bill: int, money: Money) -> float:
    return round(money.total * TAX_RATE / 100, 2) if _taxed(bill) and money.type == "TimeEntry" else 0.0


def generate_bills(firm: Firm) -> Iterator[Record]:
    layout = firm.layout
    for b, draw, record, created in firm.records("bills"):
        state = bill_state(b)
        matter = layout.matter_of_bill(b)
        client = layout.client_of_matter(matter)
        moneys = [money_of(firm, a) for a in layout.activities_of_bill(b)]
        services = round(sum(m.total for m in moneys if m.type == "TimeEntry"), 2)
        sub_total = round(sum(m.total for m in moneys), 2)
        tax = round(sum(_item_tax(b, m) for m in moneys), 2)
        total = round(sub_total + tax, 2)
        paid = total if state == "paid" else 0.0
        due = 0.0 if state in ("paid", "void", "deleted") else total
        issued = created.date()
        record.update({
            "number": str(b + 1),
            "issued_at": firm.clock.day(issued),
            "due_at": firm.clock.day(issued + timedelta(days=30)),
            "start_at": firm.clock.day(issued - timedelta(days=30)),
            "end_at": firm.clock.day(issued),
            "tax_rate": TAX_RATE if _taxed(b) else 0.0,
            "secondary_tax_rate": 0.0,
            "subject": f"Invoice {b + 1}",
            "purchase_order": f"PO-{draw.between(1000, 9999)}" if draw.chance(0.2) else "",
            "type": "MatterBill",
            "memo": firm.pools.sentence(draw) if draw.chance(0.3) else "",
            "balance": due,
            "state": state,
            "kind": "revenue_kind",
            "total": total,
            "paid": paid,
            "pending": 0.0,
            "due": due,
            "can_update": state in ("draft", "awaiting_approval"),
            "credits_issued": 0.0,
            "shared": state in BILLED_STATES,
            "services_sub_total": services,
            "services_tax": tax,
            "services_secondary_tax": 0.0,
            "sub_total": sub_total,
            "tax_sum": tax,
            "secondary_tax_sum": 0.0,
            "total_tax": tax,
            "available_state_transitions": TRANSITIONS[state],
            "user": firm.ref("users", layout.attorney(matter)),
            "client": firm.ref("contacts", client),
            "matters": [firm.ref("matters", matter)],
            "balances": [{"id": layout.id_of("matters", matter), "amount": due, "type": "Matter",
                          "interest_amount": 0.0, "due": due}],
        })
        if state == "paid":
            record["paid_at"] = record["updated_at"]
        if state not in ("draft", "awaiting_approval"):
            record["last_sent_at"] = record["created_at"]
        yield record


def generate_line_items(firm: Firm) -> Iterator[Record]:
    layout = firm.layout
    for index, draw, record, created in firm.records("line_items"):
        bill = layout.bill_of_activity(index)
        assert bill is not None
        money = money_of(firm, index)
        tax = _item_tax(bill, money)
        service = money.type == "TimeEntry"
        record.update({
            "type": "ActivityLineItem",
            "description": money.label,
            "date": firm.clock.day(created),
            "price": money.price,
            "quantity": round(money.hours, 4),
            "taxable": tax > 0,
            "kind": "Service" if service else "Expense",
            "note": "",
            "secondary_taxable": False,
            "sub_total": money.total,
            "tax": tax,
            "secondary_tax": 0.0,
            "total": round(money.total + tax, 2),
            "group_ordering": index % firm.profile.activities_per_bill,
            "bill": firm.ref("bills", bill),
            "activity": firm.ref("activities", index),
            "matter": firm.ref("matters", layout.matter_of_activity(index)),
            "user": firm.ref("users", layout.attorney(index) if service else layout.user(index)),
        })
        yield record
