"""Upload sessions (GRAPH createuploadsession, resources/uploadsession): each holds the bytes received so far in a
file of its own, expires unless a fragment arrives in time, and is gone once complete or cancelled."""
from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

from sandboxes.clio.clock import SandboxClock
from sandboxes.graph.config import FragmentFault
from sandboxes.graph.errors import item_not_found
from sandboxes.graph.store import Conflict
from shared.graph.quickxor import QuickXorHash


@dataclass
class UploadSession:
    id: str
    drive_id: str
    parent_id: str
    name: str
    conflict: Conflict
    app: str  # the client id that created it: its fragments are charged to that app's budget
    file: Path
    expires: float
    total: int | None = None  # fixed by the first fragment's Content-Range
    received: int = 0
    fragments: int = 0  # PUTs that reached the session, failed ones included
    busy: bool = False
    hasher: QuickXorHash = field(default_factory=QuickXorHash)

    def next_expected_ranges(self) -> list[str]:
        return [f"{self.received}-"]


class UploadSessions:
    def __init__(self, directory: Path, clock: SandboxClock, lifetime: float) -> None:
        self._directory = directory
        self._clock = clock
        self.lifetime = lifetime
        self._lock = threading.Lock()
        self._sessions: dict[str, UploadSession] = {}

    def create(self, drive_id: str, parent_id: str, name: str, conflict: Conflict, app: str) -> UploadSession:
        session_id = secrets.token_urlsafe(32)  # the upload URL's only credential: unguessable
        session = UploadSession(session_id, drive_id, parent_id, name, conflict, app,
                                self._directory / session_id, self._clock.now() + self.lifetime)
        session.file.touch()
        with self._lock:
            self._sessions[session_id] = session
        return session

    def get(self, session_id: str) -> UploadSession:
        """A live session; an expired one is cleaned up and is as unknown as one never made (404)."""
        with self._lock:
            session = self._sessions.get(session_id)
            if session is not None and session.expires <= self._clock.now():
                self._drop(session)
                session = None
        if session is None:
            raise item_not_found("The upload session was not found or has expired.")
        return session

    def touch(self, session: UploadSession) -> None:
        session.expires = self._clock.now() + self.lifetime

    def end(self, session: UploadSession) -> None:
        with self._lock:
            self._drop(session)

    def live(self) -> list[UploadSession]:
        with self._lock:
            return [s for s in self._sessions.values() if s.expires > self._clock.now()]

    def _drop(self, session: UploadSession) -> None:
        self._sessions.pop(session.id, None)
        session.file.unlink(missing_ok=True)


class FragmentFaults:
    """Which fragment PUT fails (config `fragment_faults`)."""

    def __init__(self, rules: list[FragmentFault]) -> None:
        self._lock = threading.Lock()
        self._remaining: list[tuple[FragmentFault, int | None]] = [(rule, rule.times) for rule in rules]

    def pick(self, session: UploadSession) -> FragmentFault | None:
        with self._lock:
            for index, (rule, left) in enumerate(self._remaining):
                if rule.fragment == session.fragments and left != 0:
                    self._remaining[index] = (rule, None if left is None else left - 1)
                    return rule
        return None
