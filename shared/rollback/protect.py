"""Which rows we created must stay because a row that stays points at them, and the order the others go in. Deleting such a row would cascade into
the row that stays (a contact under its account), be refused (Restrict) or clear its lookup (RemoveLink) — each
a change to a row the rollback decided to leave alone. A created row kept this way keeps what it points at too."""
from __future__ import annotations

from collections.abc import Iterable

from shared.rollback.models import RowPlan


def protected_ids(previous: Iterable[str], staying: Iterable[RowPlan], candidates: Iterable[RowPlan]) -> set[str]:
    """`previous`: ids already protected (by rows of the tables done before); `staying`: rows left as they are;
    `candidates`: rows planned for deletion. All ids lower case."""
    protected = set(previous) | {ref for plan in staying for ref in plan.refs}
    pending = {plan.dataverse_id.lower(): plan for plan in candidates if plan.dataverse_id}
    while True:
        reached = [row_id for row_id in pending if row_id in protected]
        if not reached:
            return protected
        for row_id in reached:
            protected |= set(pending.pop(row_id).refs)


def delete_waves(candidates: list[RowPlan]) -> list[list[RowPlan]]:
    """The rows to delete in waves, each row after every row that points at it (children before parents), so no
    delete cascades into a row we report on: a row gone by cascade would read as already-done, not deleted. Rows
    that point at each other (an account with a custom lookup to a matter whose customer it is) are ordered by
    the cascading lookups alone: the matter, which the account's delete would take with it, goes first."""
    by_id = {plan.dataverse_id.lower(): plan for plan in candidates if plan.dataverse_id}

    def children(cascading_only: bool) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {row_id: set() for row_id in by_id}
        for row_id, plan in by_id.items():
            for parent in plan.parents if cascading_only else plan.refs:
                if parent in found and parent != row_id:
                    found[parent].add(row_id)
        return found

    pointing, cascading = children(False), children(True)
    waves: list[list[RowPlan]] = []
    left = set(by_id)
    while left:
        ready = sorted(row_id for row_id in left if not pointing[row_id] & left) or \
            sorted(row_id for row_id in left if not cascading[row_id] & left) or sorted(left)
        waves.append([by_id[row_id] for row_id in ready])
        left -= set(ready)
    return waves
