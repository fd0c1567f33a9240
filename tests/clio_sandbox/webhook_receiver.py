"""An HTTPS endpoint for webhook tests: it records every request it gets and answers as the test scripts it."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from sandboxes.tls import start_https_server


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def payload(self) -> Any:
        return json.loads(self.body)

    @property
    def is_handshake(self) -> bool:
        return "x-hook-secret" in self.headers


@dataclass
class WebhookReceiver:
    base_url: str = ""
    ca_pem: str = ""
    echo_handshake: bool = True
    statuses: list[int] = field(default_factory=list)  # answers to the next deliveries; 200 once used up
    received: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self._lock:
            self.echo_handshake = True
            self.statuses.clear()
            self.received.clear()

    def url(self, path: str = "/hooks") -> str:
        return self.base_url + path

    def deliveries(self) -> list[Received]:
        with self._lock:
            return [item for item in self.received if not item.is_handshake]

    def handshakes(self) -> list[Received]:
        with self._lock:
            return [item for item in self.received if item.is_handshake]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """The deliveries once at least `count` have arrived (or all there are at the timeout)."""
        deadline = time.monotonic() + timeout
        while len(self.deliveries()) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.deliveries()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        item = Received(request.url.path, {k.lower(): v for k, v in request.headers.items()}, await request.body())
        with self._lock:
            self.received.append(item)
            if item.is_handshake:
                echo = {"X-Hook-Secret": item.headers["x-hook-secret"]} if self.echo_handshake else {}
                response = Response(status_code=200, headers=echo)
            else:
                response = Response(status_code=self.statuses.pop(0) if self.statuses else 200)
        await response(scope, receive, send)


@contextmanager
def running_receiver(tls_dir: Path) -> Iterator[WebhookReceiver]:
    """A receiver on a loopback HTTPS port whose certificate comes from a fresh CA (`ca_pem`)."""
    receiver = WebhookReceiver()
    base_url, ca_pem, stop = start_https_server(receiver, "webhook receiver", tls_dir=tls_dir)
    receiver.base_url, receiver.ca_pem = base_url, ca_pem
    try:
        yield receiver
    finally:
        stop()
