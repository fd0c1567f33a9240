"""The models a webhook can watch and the events each one has (clio.md §9), read from the spec's Webhooks section:
its "Supported Models" table gives each model's string identifier and numeric id."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sandboxes.clio.reference import Reference
from sandboxes.clio.resources import resource_of_ref

LIFECYCLE_EVENTS = ("created", "updated", "deleted")
# OAS Webhooks "Model Specific Events": matters also fire on status changes; Clio Payments payments cannot be
# deleted, so they have no `deleted`.
MATTER_STATUS_EVENTS = {"Open": "matter_opened", "Pending": "matter_pended", "Closed": "matter_closed"}
_PAYMENT_MODEL = "clio_payments_payment"
_TABLE_ROW = re.compile(r"^\|[^|\n]+\|\s*([a-z_]+)\s*\|\s*:?(\d+):?\s*\|", re.MULTILINE)


@dataclass(frozen=True)
class WatchableModel:
    name: str  # "calendar_entry"
    number: int  # 4
    schema: str  # "CalendarEntry"
    resource: str | None  # the served resource whose changes fire it ("calendar_entries"); None if not served

    @property
    def events(self) -> tuple[str, ...]:
        if self.name == _PAYMENT_MODEL:
            return ("created", "updated")
        if self.name == "matter":
            return LIFECYCLE_EVENTS + tuple(MATTER_STATUS_EVENTS.values())
        return LIFECYCLE_EVENTS


def _schema_of(model: str) -> str:
    return "".join(part.capitalize() for part in model.split("_"))


def watchable_models(reference: Reference) -> dict[str, WatchableModel]:
    tag = next(tag for tag in reference.spec["tags"] if tag["name"] == "Webhooks")
    numbers = {name: int(number) for name, number in _TABLE_ROW.findall(tag["description"])}
    declared = set(reference.scalar_field_types("Webhook_base")["model"]["enum"])
    if set(numbers) != declared:
        raise ValueError(f"the spec's Supported Models table {sorted(numbers)} disagrees with Webhook.model "
                         f"{sorted(declared)}")
    return {name: WatchableModel(name, number, _schema_of(name), resource_of_ref(_schema_of(name)))
            for name, number in numbers.items()}
