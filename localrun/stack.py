"""The embedded stack a migration runs on locally: the Clio sandbox serving a generated firm, the Dataverse
sandbox (with Dynamics users for some of the firm's Clio users, as a real org would have), the Graph sandbox, and
the app settings pointing at all three."""
from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localrun.clio_sandbox import RunningClio, running_clio
from localrun.dataverse_sandbox import RunningDataverse, running_dataverse
from localrun.graph_sandbox import RunningGraph, running_graph
from sandboxes.dataverse.config import SystemUserSeed


@dataclass
class LocalStack:
    clio: RunningClio
    dataverse: RunningDataverse
    graph: RunningGraph
    dynamics_users: list[str] = field(default_factory=list)  # emails of the Clio users who have a Dynamics user

    def settings(self) -> dict[str, str]:
        return {**self.clio.settings(), **self.dataverse.settings(), **self.graph.settings()}


def dynamics_users_for(firm: Path, share: float = 0.75) -> list[SystemUserSeed]:
    """Dynamics users for the firm's enabled Clio users, all but a quarter of them: the rest exercise the
    fallback owner and the unmatched-user report. Their ids follow from their emails, so two stacks agree."""
    users = [u for u in json.loads(firm.read_text()).get("users", []) if u.get("enabled") and u.get("email")]
    return [SystemUserSeed(systemuserid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"mailto:{u['email']}")),
                           fullname=u.get("name") or u["email"], internalemailaddress=u["email"])
            for u in users[:max(1, int(len(users) * share))]]


@contextmanager
def running_stack(firm: Path, clio_rate_limit: int = 50, clio: dict[str, Any] | None = None,
                  dataverse: dict[str, Any] | None = None, graph: dict[str, Any] | None = None,
                  dataverse_own_process: bool = False) -> Iterator[LocalStack]:
    seeds = dynamics_users_for(firm)
    with ExitStack() as stack:
        running = LocalStack(
            clio=stack.enter_context(running_clio(firm, rate_limit=clio_rate_limit, **(clio or {}))),
            dataverse=stack.enter_context(running_dataverse(
                own_process=dataverse_own_process, system_users=seeds,
                **{"key_activation_delay_seconds": 1.0, **(dataverse or {})})),
            graph=stack.enter_context(running_graph(**(graph or {}))),
            dynamics_users=[seed.internalemailaddress for seed in seeds if seed.internalemailaddress])
        try:
            yield running
        finally:  # the servers stop with clients' keep-alive connections open, and say so at ERROR level
            logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)


def reset_service_clients() -> None:
    """Forget cached settings and per-process service clients, after the settings changed."""
    from shared.blobs import reset_clients
    from shared.clio.client import reset_shared_clients
    from shared.dataverse.shared_client import reset_dataverse_clients
    from shared.graph.shared_client import reset_graph_clients
    from shared.settings import get_settings
    get_settings.cache_clear()
    for reset in (reset_shared_clients, reset_graph_clients, reset_dataverse_clients, reset_clients):
        reset()
