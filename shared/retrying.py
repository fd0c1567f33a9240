"""What every external client shares: retries with jittered exponential back-off for the failures a later attempt
may not see, and one client per connection per worker process."""
from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, Protocol, TypeVar

from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

T = TypeVar("T")


def retrying(call: Callable[[], T], retryable: tuple[type[BaseException], ...], attempts: int) -> T:
    for attempt in Retrying(stop=stop_after_attempt(attempts), wait=wait_exponential_jitter(initial=0.5, max=30),
                            retry=retry_if_exception_type(retryable), reraise=True):
        with attempt:
            return call()
    raise AssertionError("unreachable: tenacity re-raises the last failure")


class Closable(Protocol):
    def close(self) -> None: ...


C = TypeVar("C", bound=Closable)


class PerProcess(Generic[C]):
    """Clients shared by the threads of a worker, keyed by the connection they serve."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: dict[Hashable, C] = {}

    def get(self, key: Hashable, make: Callable[[], C]) -> C:
        with self._lock:
            if key not in self._clients:
                self._clients[key] = make()
            return self._clients[key]

    def reset(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()
