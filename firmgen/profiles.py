"""How big each firm size is. Counts of derived resources (line items, folders, versions) follow from these."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SizeProfile:
    name: str
    users: int
    contacts: int
    matters: int
    activities: int
    bills: int
    activities_per_bill: int
    tasks: int
    calendar_entries: int
    notes: int
    communications: int
    documents: int
    relationships: int
    bank_transactions: int
    trust_line_items: int
    # distinct Faker names drawn per locale; records pick from these pools
    name_pool: int


PROFILES: dict[str, SizeProfile] = {
    "tiny": SizeProfile(
        name="tiny", users=8, contacts=40, matters=18, activities=90, bills=12, activities_per_bill=3,
        tasks=15, calendar_entries=12, notes=24, communications=12, documents=16, relationships=12,
        bank_transactions=12, trust_line_items=8, name_pool=12,
    ),
    "small": SizeProfile(
        name="small", users=14, contacts=560, matters=200, activities=1300, bills=48, activities_per_bill=10,
        tasks=180, calendar_entries=150, notes=320, communications=240, documents=160, relationships=160,
        bank_transactions=100, trust_line_items=50, name_pool=60,
    ),
    "medium": SizeProfile(  # ~125k records: enough pages for the extraction budget benchmark
        name="medium", users=40, contacts=2_500, matters=1_000, activities=45_000, bills=1_500,
        activities_per_bill=20, tasks=2_000, calendar_entries=2_000, notes=12_000, communications=8_000,
        documents=5_000, relationships=1_500, bank_transactions=1_500, trust_line_items=800, name_pool=120,
    ),
    "large": SizeProfile(
        name="large", users=80, contacts=25_000, matters=10_000, activities=450_000, bills=15_000,
        activities_per_bill=20, tasks=20_000, calendar_entries=20_000, notes=120_000, communications=80_000,
        documents=50_000, relationships=15_000, bank_transactions=15_000, trust_line_items=8_000, name_pool=200,
    ),
}
