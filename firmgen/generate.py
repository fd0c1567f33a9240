"""The firm's resources in file order, each produced by its generator."""
from __future__ import annotations

from collections.abc import Callable, Iterator

from firmgen.firm import Firm, Record
from firmgen.resources import (
    activities, banking, billing, calendar, catalog, communications, contacts, custom_fields, documents, matters,
    notes, relationships, tasks, users,
)

Generator = Callable[[Firm], Iterator[Record]]

RESOURCES: tuple[tuple[str, Generator], ...] = (
    ("users", users.generate),
    ("contacts", contacts.generate),
    ("matters", matters.generate),
    ("practice_areas", catalog.practice_areas),
    ("custom_fields", custom_fields.generate),
    ("activities", activities.generate),
    ("activity_descriptions", catalog.activity_descriptions),
    ("expense_categories", catalog.expense_categories),
    ("bills", billing.generate_bills),
    ("line_items", billing.generate_line_items),
    ("tasks", tasks.generate),
    ("calendar_entries", calendar.generate),
    ("notes", notes.generate),
    ("communications", communications.generate),
    ("documents", documents.generate_documents),
    ("document_versions", documents.generate_versions),
    ("folders", documents.generate_folders),
    ("relationships", relationships.generate),
    ("bank_accounts", banking.generate_accounts),
    ("bank_transactions", banking.generate_transactions),
    ("trust_line_items", banking.generate_trust_line_items),
)
RESOURCE_NAMES = tuple(name for name, _ in RESOURCES)


def metadata(firm: Firm) -> Record:
    return {
        "seed": firm.seed,
        "size": firm.profile.name,
        "account_name": firm.account_name,
        "generated_at": firm.clock.stamp(firm.clock.as_of),
        "api_version": "4.0.13",
        "counts": firm.counts,
        "oddities": firm.oddities(),
    }


def iter_records(seed: int, size: str) -> Iterator[tuple[str, Record]]:
    """Every record of the firm as (resource, record), resource by resource in file order."""
    firm = Firm(seed, size)
    for name, generate in RESOURCES:
        for record in generate(firm):
            yield name, record
