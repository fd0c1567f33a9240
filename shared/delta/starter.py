"""What the delta-pickup timer does on each tick (a client function, so it may read storage): for every migration
whose window has opened and has no certificate yet, start its delta run unless one is already active. The instance
id is the migration's (`delta-<migration>`), so overlapping timer ticks never run two at once: a tick that finds
the last run still going leaves it be, and a start that loses a race to another is refused by the host
(overridableExistingInstanceStates = NonRunningStates) and taken as "already running".

A run needs the migration's own choices (streams, practice areas that become cases, the fallback owner): they are
read from the migration orchestration's input, the request the portal started it with."""
from __future__ import annotations

import logging
from datetime import datetime

import azure.durable_functions as df

from shared.delta.models import DeltaRequest
from shared.delta.paths import instance_id
from shared.delta.window import due_windows
from shared.migration.models import MigrationRequest
from shared.migration.models import instance_id as migration_instance_id
from shared.settings import get_settings

log = logging.getLogger(__name__)
ORCHESTRATOR = "delta_pickup"
ACTIVE = {df.OrchestrationRuntimeStatus.Pending, df.OrchestrationRuntimeStatus.Running,
          df.OrchestrationRuntimeStatus.ContinuedAsNew}


async def _active(client: df.DurableOrchestrationClient, instance: str) -> bool:
    return (await client.get_status(instance)).runtime_status in ACTIVE


async def _request(client: df.DurableOrchestrationClient, migration_id: str) -> DeltaRequest | None:
    status = await client.get_status(migration_instance_id(migration_id), show_input=True)
    started = status.input_ if isinstance(status.input_, dict) else None
    if started is None:
        return None
    fields = {name: started[name] for name in MigrationRequest.model_fields if name in started}
    return DeltaRequest.of(MigrationRequest.model_validate(fields))


async def start_delta_pickups(client: df.DurableOrchestrationClient, now: datetime) -> list[str]:
    """The instance ids started by this tick."""
    started: list[str] = []
    for window in due_windows(get_settings(), now):
        instance = instance_id(window.migration_id)
        if await _active(client, instance):
            continue
        request = await _request(client, window.migration_id)
        if request is None:
            log.error("Delta pickup of %s cannot start: the migration's request is gone (instance %s)",
                      window.migration_id, migration_instance_id(window.migration_id))
            continue
        try:
            await client.start_new(ORCHESTRATOR, instance, request.model_dump(mode="json"))
        except Exception:  # the SDK raises a bare Exception when the host refuses the start
            if await _active(client, instance):
                continue
            raise
        started.append(instance)
    return started
