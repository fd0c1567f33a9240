"""Which created rows stay because a row that stays points at them, and the order the others are deleted in."""
from __future__ import annotations

from shared.rollback.models import RowPlan
from shared.rollback.protect import delete_waves, protected_ids


def _row(row_id: str, refs: tuple[str, ...] = (), parents: tuple[str, ...] = ()) -> RowPlan:
    return RowPlan(key=row_id, action="delete", dataverse_id=row_id.upper(), refs=list(refs), parents=list(parents))


def test_what_a_row_that_stays_points_at_stays_and_so_does_what_that_points_at() -> None:
    edited_contact = _row("contact", refs=("account", "owner"))
    account = _row("account", refs=("parent",))
    parent, unrelated = _row("parent"), _row("other", refs=("parent",))
    protected = protected_ids(["earlier"], [edited_contact], [account, parent, unrelated])
    assert protected == {"earlier", "account", "owner", "parent"}
    assert protected_ids([], [], [account, parent, unrelated]) == set()


def test_children_go_before_their_parents_and_a_cycle_breaks_at_the_lookup_that_does_not_cascade() -> None:
    task = _row("task", refs=("matter",), parents=("matter",))
    matter = _row("matter", refs=("account",), parents=("account",))
    # The account points back at the matter through a custom lookup (RemoveLink): a cycle.
    account = _row("account", refs=("matter",))
    contact = _row("contact", refs=("account",), parents=("account",))
    waves = [[plan.key for plan in wave] for wave in delete_waves([account, contact, matter, task])]
    assert waves == [["contact", "task"], ["matter"], ["account"]]


def test_rows_that_cascade_into_each_other_still_all_go() -> None:
    first, second = _row("a", refs=("b",), parents=("b",)), _row("b", refs=("a",), parents=("a",))
    assert [[plan.key for plan in wave] for wave in delete_waves([first, second])] == [["a", "b"]]
