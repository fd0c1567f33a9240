"""The Function App as function_app.py registers it, with one difference: the delta-pickup timer reads the local
host's virtual clock instead of the wall's. The local runner jumps over durable timers when nothing else moves, so
its orchestrations (and the delta windows they open at cutover) run ahead of the wall; on Azure both are one."""
from __future__ import annotations

import types
from collections.abc import Callable
from datetime import datetime, timezone

import azure.durable_functions as df
import azure.functions as func

import function_app
from shared.delta.starter import start_delta_pickups

# The local host's orchestrations run on a virtual clock that may run ahead of the wall (it jumps over timers when
# nothing else moves), and windows open on it: the tests point this at that clock. On Azure both are the wall's.
clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)

app = df.DFApp(http_auth_level=func.AuthLevel.FUNCTION)
_blueprints = [module.bp for module in vars(function_app).values()
               if isinstance(module, types.ModuleType) and isinstance(getattr(module, "bp", None), df.Blueprint)]
for blueprint in dict.fromkeys(_blueprints):
    app.register_functions(blueprint)


@app.timer_trigger(arg_name="timer", schedule="%DELTA_PICKUP_SCHEDULE%", run_on_startup=False, use_monitor=True)
@app.durable_client_input(client_name="client")
async def delta_pickup_tick(timer: func.TimerRequest, client: df.DurableOrchestrationClient) -> None:
    await start_delta_pickups(client, clock())
