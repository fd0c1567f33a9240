"""Everything one Graph sandbox instance holds, and the handle tests use to inspect or change it."""
from __future__ import annotations

import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request

from sandboxes.clio.clock import SandboxClock
from sandboxes.clio.faults import FaultInjector
from sandboxes.dataverse.entra import Directory
from sandboxes.dataverse.tokens import TokenIssuer
from sandboxes.graph.config import GRAPH_RESOURCE, GraphConfig
from sandboxes.graph.sessions import FragmentFaults, UploadSessions
from sandboxes.graph.store import Drive, DriveStore, Item
from sandboxes.graph.throttle import ResourceUnitBudget


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    status: int
    authorization: bool  # whether an Authorization header came with it


class GraphState:
    def __init__(self, config: GraphConfig) -> None:
        self.config = config
        self.clock = SandboxClock()
        self._owns_storage = config.storage_dir is None
        self.storage_dir = Path(config.storage_dir or tempfile.mkdtemp(prefix="graph-sandbox-"))
        self.store = DriveStore(self.storage_dir, self.clock, config.versions_kept)
        for seed in config.sites:
            self.store.add_site(seed)
        self.tokens = TokenIssuer(config.application_users, self.clock, config.access_token_lifetime_seconds,
                                  config.signing_secret)
        self.directory = Directory(self.tokens, self.clock, tuple(config.application_users), GRAPH_RESOURCE)
        self.faults = FaultInjector(config.faults, config.fault_seed, self.tokens)
        self.fragment_faults = FragmentFaults(config.fragment_faults)
        self.budget = ResourceUnitBudget(config.resource_units_per_window, config.throttle_window_seconds,
                                         self.clock)
        self.sessions = UploadSessions(self.storage_dir / "sessions", self.clock,
                                       config.upload_session_lifetime_seconds)
        self._log_lock = threading.Lock()
        self.requests: list[RequestRecord] = []

    def record(self, entry: RequestRecord) -> None:
        with self._log_lock:
            self.requests.append(entry)

    # --- for tests ----------------------------------------------------------------------------------------
    def drive(self, name: str = "Documents") -> Drive:
        return next(drive for drive in self.store.drives.values() if drive.name == name)

    def item_at(self, path: str, library: str = "Documents") -> Item | None:
        """The item at `a/b/c.pdf` in the library, or None."""
        drive = self.drive(library)
        with self.store.lock:
            item: Item | None = self.store.items[drive.root_id]
            for segment in (s for s in path.split("/") if s):
                item = self.store.child(item, segment) if item is not None else None
            return item

    def content_path(self, item: Item) -> Path:
        return self.store.content_path(item)

    def close(self) -> None:
        if self._owns_storage:
            shutil.rmtree(self.storage_dir, ignore_errors=True)


def state_of(request: Request) -> GraphState:
    state: GraphState = request.app.state.graph
    return state
