"""How a row whose Clio record was deleted is made inactive, per table (dataverse.md §6): the state/status pair
that means withdrawn (set with a PATCH of both, "always set statuscode with statecode", §2), or for an
opportunity the LoseOpportunity action with status Canceled, since its closed states cannot be written directly.
Custom tables have the platform's pair (Active 0/1, Inactive 1/2). Notes and invoice lines have no state at all:
they can only be deleted."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from shared.dataverse.client import BatchOperation


@dataclass(frozen=True)
class Inactive:
    kind: Literal["state", "action", "none"]
    statecode: int = 0
    statuscode: int = 0

    @property
    def how(self) -> str:
        if self.kind == "state":
            return f"statecode {self.statecode}, statuscode {self.statuscode}"
        return "LoseOpportunity (status Canceled)" if self.kind == "action" else "delete (no inactive state)"


_STANDARD = {
    "account": Inactive("state", 1, 2), "contact": Inactive("state", 1, 2),  # Inactive
    "incident": Inactive("state", 2, 6),  # Cancelled (Resolved needs CloseIncident and means something else)
    "invoice": Inactive("state", 3, 100003),  # Canceled
    "task": Inactive("state", 2, 6), "appointment": Inactive("state", 2, 4),  # Canceled
    "phonecall": Inactive("state", 2, 3), "email": Inactive("state", 2, 5),  # Canceled
    "opportunity": Inactive("action", 2, 4),  # Lost / Canceled, through LoseOpportunity
    "annotation": Inactive("none"), "invoicedetail": Inactive("none"),
}
_CUSTOM = Inactive("state", 1, 2)


def inactive_state(logical_name: str, custom_tables: set[str]) -> Inactive:
    if logical_name in custom_tables:
        return _CUSTOM
    found = _STANDARD.get(logical_name)
    if found is None:
        raise KeyError(f"no inactive state is known for {logical_name}: add it from dataverse.md §6")
    return found


def deactivation(entity_set: str, row_id: str, inactive: Inactive) -> BatchOperation:
    """The call that makes one row inactive (`inactive.kind` is "state" or "action")."""
    if inactive.kind == "action":
        body: dict[str, Any] = {"Status": inactive.statuscode, "OpportunityClose": {
            "subject": "Deleted in Clio", "opportunityid@odata.bind": f"/{entity_set}({row_id})"}}
        return BatchOperation("POST", "LoseOpportunity", body)
    return BatchOperation("PATCH", f"{entity_set}({row_id})",
                          {"statecode": inactive.statecode, "statuscode": inactive.statuscode}, {"If-Match": "*"})
