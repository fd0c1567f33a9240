"""Where every record sits: id ranges per resource and the arithmetic that links records to each other.

Cross references are computed from indexes, never looked up, so the large firm streams in flat memory.
"""
from __future__ import annotations

from firmgen.profiles import SizeProfile
from firmgen.vocabulary import (
    ACTIVITY_DESCRIPTIONS, CUSTOM_FIELD_PARENTS, EXPENSE_CATEGORIES, FIELD_TYPES, PRACTICE_AREAS,
)

ID_BASES: dict[str, int] = {
    "users": 344_000, "contacts": 1_100_000_000, "matters": 1_200_000_000, "practice_areas": 5_100,
    "custom_fields": 7_200, "picklist_options": 9_300, "activities": 1_300_000_000,
    "activity_descriptions": 6_400, "expense_categories": 8_500, "bills": 1_400_000_000,
    "line_items": 1_500_000_000, "tasks": 1_600_000_000, "calendar_entries": 1_700_000_000,
    "notes": 1_800_000_000, "communications": 1_900_000_000, "documents": 2_000_000_000,
    "document_versions": 2_100_000_000, "folders": 2_200_000_000, "relationships": 2_300_000_000,
    "bank_accounts": 4_400, "bank_transactions": 2_400_000_000, "trust_line_items": 2_500_000_000,
    "email_addresses": 3_100_000_000, "phone_numbers": 3_200_000_000, "addresses": 3_300_000_000,
    "web_sites": 3_400_000_000, "matter_stages": 3_500, "calendars": 3_600_000,
}
# nested per-parent slots (ids of nested objects are parent index * slots + k)
NESTED_SLOTS = 4
FOLDERS_PER_MATTER = 1 + 3  # the matter's folder + FOLDER_NAMES (the last one nested in the second)
VERSION_COUNTS = (1, 1, 2, 1, 3, 1, 4)
BANK_ACCOUNTS = (("IOLTA Trust", "Trust"), ("Operating", "Operating"), ("Client Trust (EUR)", "Trust"),
                 ("Payroll", "Operating"))
DELETED_FIELDS_PER_PARENT = 1


class Layout:
    def __init__(self, profile: SizeProfile) -> None:
        self.profile = profile
        self.clients = max(1, profile.contacts // 2)
        self.billed_activities = profile.bills * profile.activities_per_bill
        self.custom_fields = len(CUSTOM_FIELD_PARENTS) * (len(FIELD_TYPES) + DELETED_FIELDS_PER_PARENT)
        self._attorneys = [u for u in range(min(profile.users, 6)) if self.is_attorney(u)]

    def id_of(self, resource: str, index: int) -> int:
        return ID_BASES[resource] + index + 1

    def nested_id(self, kind: str, parent_index: int, k: int) -> int:
        return ID_BASES[kind] + parent_index * NESTED_SLOTS + k + 1

    def counts(self) -> dict[str, int]:
        p = self.profile
        return {
            "users": p.users, "contacts": p.contacts, "matters": p.matters, "practice_areas": len(PRACTICE_AREAS),
            "custom_fields": self.custom_fields, "activities": p.activities,
            "activity_descriptions": len(ACTIVITY_DESCRIPTIONS), "expense_categories": len(EXPENSE_CATEGORIES),
            "bills": p.bills, "line_items": self.billed_activities, "tasks": p.tasks,
            "calendar_entries": p.calendar_entries, "notes": p.notes, "communications": p.communications,
            "documents": p.documents, "document_versions": sum(self.version_count(d) for d in range(p.documents)),
            "folders": 1 + FOLDERS_PER_MATTER * p.matters, "relationships": p.relationships,
            "bank_accounts": len(BANK_ACCOUNTS), "bank_transactions": p.bank_transactions,
            "trust_line_items": p.trust_line_items,
        }

    # contacts
    @staticmethod
    def is_company(contact: int) -> bool:
        return contact % 5 == 0

    @staticmethod
    def employer_of(contact: int) -> int | None:
        """Persons right after a company in index order work there."""
        return contact - contact % 5 if contact % 5 in (1, 2) else None

    def is_client(self, contact: int) -> bool:
        return contact < self.clients

    def client_of_matter(self, matter: int) -> int:
        return (matter * 7) % min(self.clients, self._existing(matter, self.profile.matters, self.profile.contacts))

    @staticmethod
    def _existing(index: int, count: int, of_count: int) -> int:
        """How many records of a resource with `of_count` records were created before the record at
        `index` of `count` (records of every resource are created evenly over the same history)."""
        return max(1, index * of_count // count)

    def matter_for(self, resource: str, index: int, k: int) -> int:
        """A matter opened before the record `index` of `resource` was created, chosen by k."""
        return k % self._existing(index, self.counts_of(resource), self.profile.matters)

    def contact_for(self, resource: str, index: int, k: int) -> int:
        return k % self._existing(index, self.counts_of(resource), self.profile.contacts)

    def counts_of(self, resource: str) -> int:
        count: int = getattr(self.profile, resource)
        return count

    def non_client(self, n: int) -> int:
        others = self.profile.contacts - self.clients
        return self.clients + n % others if others else n % self.profile.contacts

    # users
    @staticmethod
    def is_attorney(user: int) -> bool:
        return user % 3 != 2

    def attorney(self, n: int) -> int:
        return self._attorneys[n % len(self._attorneys)]

    def user(self, n: int) -> int:
        return n % self.profile.users

    # billing
    def matter_of_bill(self, bill: int) -> int:
        return self.matter_for("activities", bill * self.profile.activities_per_bill, bill * 5 + 1)

    def bill_of_activity(self, activity: int) -> int | None:
        if activity < self.billed_activities:
            return activity // self.profile.activities_per_bill
        return None

    def activities_of_bill(self, bill: int) -> range:
        per_bill = self.profile.activities_per_bill
        return range(bill * per_bill, (bill + 1) * per_bill)

    def matter_of_activity(self, activity: int) -> int:
        bill = self.bill_of_activity(activity)
        if bill is not None:
            return self.matter_of_bill(bill)
        return self.matter_for("activities", activity, activity * 7 + 3)

    # documents
    def matter_folder(self, matter: int, k: int) -> int:
        """Folder index of the matter's k-th folder (0 = the matter's own folder)."""
        return 1 + matter * FOLDERS_PER_MATTER + k

    @staticmethod
    def version_count(document: int) -> int:
        return VERSION_COUNTS[document % len(VERSION_COUNTS)]

    def matter_of_document(self, document: int) -> int:
        return self.matter_for("documents", document, document * 3)
