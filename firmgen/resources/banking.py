"""Trust and operating bank accounts, their transactions, and trust line items paying bills from trust."""
from __future__ import annotations

from collections.abc import Iterator

from firmgen.firm import Firm, Record
from firmgen.layout import BANK_ACCOUNTS
from firmgen.vocabulary import BILL_STATES

PAID_STATE = BILL_STATES.index("paid")
CURRENCY = ("USD", 1)


def _amount(firm: Firm, t: int) -> float:
    """Signed amount of transaction t: deposits positive, every third one a withdrawal."""
    cents = firm.draw("bank_transactions.amount", t).between(5_000, 2_500_000)
    return (-cents if t % 3 == 2 else cents) / 100


def _account_of(t: int) -> int:
    return t % len(BANK_ACCOUNTS)


def paid_bill(firm: Firm, n: int) -> int | None:
    cycles = firm.profile.bills // len(BILL_STATES)
    return len(BILL_STATES) * (n % cycles) + PAID_STATE if cycles else None


def generate_accounts(firm: Firm) -> Iterator[Record]:
    for (name, kind), (index, draw, record, _) in zip(BANK_ACCOUNTS, firm.records("bank_accounts")):
        transactions = range(index, firm.profile.bank_transactions, len(BANK_ACCOUNTS))
        currency = "EUR" if "EUR" in name else CURRENCY[0]
        record.update({
            "name": name,
            "type": kind,
            "account_number": f"{draw.between(10_000_000, 99_999_999)}",
            "balance": round(sum(_amount(firm, t) for t in transactions), 2),
            "bank_transactions_count": len(transactions),
            "clio_payments_enabled": index == 0,
            "controlled_account": kind == "Trust",
            "currency": currency,
            "currency_symbol": "€" if currency == "EUR" else "$",
            "currency_id": 2.0 if currency == "EUR" else 1.0,
            "default_account": index < 2,
            "domicile_branch": "Main",
            "general_ledger_number": f"{1000 + index * 10}",
            "holder": firm.account_name,
            "institution": draw.pick(("First Republic", "Wells Fargo", "BNP Paribas", "Chase")),
            "swift": "WFBIUS6S",
            "transit_number": f"{draw.between(100000000, 999999999)}",
            "user": firm.ref("users", 0),
        })
        yield record


def generate_transactions(firm: Firm) -> Iterator[Record]:
    layout = firm.layout
    running = [0.0] * len(BANK_ACCOUNTS)
    for t, draw, record, created in firm.records("bank_transactions"):
        account = _account_of(t)
        amount = _amount(firm, t)
        running[account] = round(running[account] + amount, 2)
        matter = layout.matter_for("bank_transactions", t, t * 7)
        record.update({
            "bank_account_id": layout.id_of("bank_accounts", account),
            "confirmation": f"CHK{draw.between(1000, 99999)}",
            "date": firm.clock.day(created),
            "amount": abs(amount),
            "currency": "EUR" if "EUR" in BANK_ACCOUNTS[account][0] else CURRENCY[0],
            "currency_id": 2 if "EUR" in BANK_ACCOUNTS[account][0] else CURRENCY[1],
            "description": "Retainer deposit" if amount > 0 else "Payment to operating",
            "exchange_rate": 1.0,
            "transaction_type": "Deposit" if amount > 0 else "Withdrawal",
            "funds_in": amount if amount > 0 else 0.0,
            "funds_out": -amount if amount < 0 else 0.0,
            "clio_payments_transaction": t % 10 == 3,
            "current_account_balance": running[account],
            "read_only_confirmation": False,
            "bank_account": firm.ref("bank_accounts", account),
            "matter": firm.ref("matters", matter),
            "client": firm.ref("contacts", layout.client_of_matter(matter)),
        })
        bill = paid_bill(firm, t) if amount < 0 else None
        if bill is not None:
            bill_matter = layout.matter_of_bill(bill)
            record["bill"] = firm.ref("bills", bill)
            record["matter"] = firm.ref("matters", bill_matter)
            record["client"] = firm.ref("contacts", layout.client_of_matter(bill_matter))
        yield record


def generate_trust_line_items(firm: Firm) -> Iterator[Record]:
    layout = firm.layout
    for i, draw, record, created in firm.records("trust_line_items"):
        bill = paid_bill(firm, i)
        matter = layout.matter_of_bill(bill) if bill is not None else layout.matter_for("trust_line_items", i, i)
        record.update({
            "date": firm.clock.day(created),
            "total": draw.between(10_000, 500_000) / 100,
            "note": "Paid from trust",
            "matter": firm.ref("matters", matter),
            "client": firm.ref("contacts", layout.client_of_matter(matter)),
        })
        if bill is not None:
            record["bill"] = firm.ref("bills", bill)
        yield record
