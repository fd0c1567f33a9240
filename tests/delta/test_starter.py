"""The timer's part: a delta run starts for every migration whose window has opened and has no certificate yet —
an open window gets a tick, a closed one its final run — with the migration's own choices as its input; ticks
that overlap a run still going start nothing, and a migration whose request cannot be read is left alone."""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest

from localrun.host import LocalHost
from shared.delta.paths import instance_id
from shared.delta.window import record_delta
from shared.migration.models import instance_id as migration_instance_id
from shared.settings import get_settings
from tests.delta.conftest import hosting

TIMER = "delta_pickup_tick"


@pytest.fixture
def host(storage_env: str) -> Iterator[LocalHost]:
    with hosting() as running:
        yield running


def _migration(host: LocalHost, migration_id: str, opens_in: timedelta, hours: int = 48,
               finished: bool = False, started: bool = True, rolled_back: bool = False) -> None:
    """A migration at cutover (its row and its orchestration's input; the orchestration is never driven)."""
    now = host.engine.clock.now()
    record_delta(get_settings(), migration_id, Phase="cutover", DeltaWindowOpensAt=now + opens_in,
                 DeltaWindowClosesAt=now + opens_in + timedelta(hours=hours),
                 DeltaFinishedAt=now if finished else None, DeltaStoppedAt=now if rolled_back else None)
    if started:
        request = {"migration_id": migration_id, "objects": ["contacts", "matters"], "case_practice_areas": [7],
                   "fallback_owner_email": "owner@firm.example", "sample_size": 50, "delta_window_hours": hours}
        assert host.api.start("migrate", migration_instance_id(migration_id), json.dumps(request))[0] == 202


def test_due_windows_get_one_run_each_and_overlapping_ticks_start_nothing(host: LocalHost) -> None:
    _migration(host, "open", -timedelta(hours=1))
    _migration(host, "closed", -timedelta(hours=60))  # closed 12 hours ago, no certificate yet: the final run
    _migration(host, "done", -timedelta(hours=60), finished=True)
    _migration(host, "future", timedelta(hours=2))
    _migration(host, "orphan", -timedelta(hours=1), started=False)  # no request to map its changes with
    _migration(host, "undone", -timedelta(hours=1), rolled_back=True)  # a tick would bring back what was undone

    host.fire_timer(TIMER)
    started = {migration: host.store.get_instance(instance_id(migration))
               for migration in ("open", "closed", "done", "future", "orphan", "undone")}
    assert {name for name, record in started.items() if record is not None} == {"open", "closed"}
    opened = started["open"]
    assert opened is not None and json.loads(opened.input or "") == {
        "migration_id": "open", "streams": ["contacts", "matters"], "case_practice_areas": [7],
        "fallback_owner_email": "owner@firm.example"}

    inbox = len(host.store.read_inbox())
    host.fire_timer(TIMER)  # both runs are still pending: this tick overlaps them
    assert len(host.store.read_inbox()) == inbox
    for name in ("open", "closed"):
        assert host.store.get_instance(instance_id(name)).execution_id == started[name].execution_id  # type: ignore
