"""Helpers shared by the sandboxes: running an ASGI app with uvicorn on a loopback port in a background thread."""
from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType

import uvicorn
from starlette.types import ASGIApp


@dataclass(frozen=True)
class ServerTls:
    """PEM files uvicorn serves HTTPS with."""
    certfile: str
    keyfile: str


def _server(app: ASGIApp, host: str, port: int, tls: ServerTls | None, shutdown_wait: int | None) -> uvicorn.Server:
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off", access_log=False,
                            ssl_certfile=tls.certfile if tls else None, ssl_keyfile=tls.keyfile if tls else None,
                            timeout_graceful_shutdown=shutdown_wait)
    return uvicorn.Server(config)


def base_url_of(server: uvicorn.Server, scheme: str = "http") -> str:
    host, port = server.servers[0].sockets[0].getsockname()[:2]
    return f"{scheme}://{host}:{port}"


def start_server_thread(app: ASGIApp, host: str, port: int, *, name: str, tls: ServerTls | None = None,
                        url_host: str | None = None, shutdown_wait: int | None = None
                        ) -> tuple[str, Callable[[], None]]:
    """Starts serving and returns (base URL, stop). `url_host` replaces the bound address in the URL (a TLS
    certificate names `localhost` or `127.0.0.1`, and some clients only accept a DNS name)."""
    server = _server(app, host, port, tls, shutdown_wait)
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the {name} did not start")
        time.sleep(0.01)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    base_url = base_url_of(server, "https" if tls else "http")
    if url_host is not None:
        port_number = server.servers[0].sockets[0].getsockname()[1]
        base_url = f"{'https' if tls else 'http'}://{url_host}:{port_number}"
    return base_url, stop


def wait_for_termination() -> None:
    """Blocks the CLI until SIGTERM or SIGINT."""
    finished = threading.Event()

    def _finish(signum: int, frame: FrameType | None) -> None:
        finished.set()

    signal.signal(signal.SIGTERM, _finish)
    signal.signal(signal.SIGINT, _finish)
    finished.wait()
