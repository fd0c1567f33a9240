"""Running the sandbox on a free loopback port: in a background thread (tests) or in the foreground (CLI)."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp


def _server(app: ASGIApp, host: str, port: int) -> uvicorn.Server:
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off", access_log=False)
    return uvicorn.Server(config)


def base_url_of(server: uvicorn.Server) -> str:
    host, port = server.servers[0].sockets[0].getsockname()[:2]
    return f"http://{host}:{port}"


def start_in_thread(app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> tuple[str, Callable[[], None]]:
    """Starts serving and returns (base URL, stop)."""
    server = _server(app, host, port)
    thread = threading.Thread(target=server.run, name="clio-sandbox", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the Clio sandbox did not start")
        time.sleep(0.01)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    return base_url_of(server), stop


@contextmanager
def serve_in_thread(app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """`with serve_in_thread(app) as base_url:` — the sandbox on a free loopback port for the block."""
    base_url, stop = start_in_thread(app, host, port)
    try:
        yield base_url
    finally:
        stop()
