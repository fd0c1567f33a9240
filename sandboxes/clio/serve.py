"""Running the sandbox on a free loopback port: in a background thread (tests) or in the foreground (CLI)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from starlette.types import ASGIApp

from sandboxes.common import base_url_of, start_server_thread

__all__ = ["base_url_of", "start_in_thread", "serve_in_thread"]


def start_in_thread(app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> tuple[str, Callable[[], None]]:
    """Starts serving and returns (base URL, stop)."""
    return start_server_thread(app, host, port, name="Clio sandbox")


@contextmanager
def serve_in_thread(app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """`with serve_in_thread(app) as base_url:` — the sandbox on a free loopback port for the block."""
    base_url, stop = start_in_thread(app, host, port)
    try:
        yield base_url
    finally:
        stop()
