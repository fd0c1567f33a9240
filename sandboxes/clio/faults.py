"""Fault injection for reliability tests: an ASGI middleware in front of the whole app.

Kinds: `status` (500/502/503 with a JSON body), `delay` (sleep, then serve: longer than a client's timeout it is
a timeout), `drop` (send the head and half the body, then break the connection: uvicorn closes the socket; an
in-process httpx ASGITransport surfaces the raised `DroppedConnection`, an httpx transport error),
`truncate` (a 200 whose JSON body is cut in half, Content-Length matching the cut), `expire_tokens` (every access
token expires, then the request is served: it gets the 401).
"""
from __future__ import annotations

import asyncio
import json
import random
import re
import threading
from dataclasses import dataclass, field
from collections.abc import Callable
from typing import Any, Protocol

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandboxes.clio.config import REQUEST_FAULT_KINDS, FaultRule


class TokenExpirer(Protocol):
    def expire_all_access_tokens(self) -> None: ...


class DroppedConnection(httpx.RemoteProtocolError):
    """The connection was closed mid-response by fault injection."""


@dataclass
class _ActiveRule:
    rule: FaultRule
    pattern: re.Pattern[str]
    remaining: int | None
    hits: int = 0


@dataclass
class FaultInjector:
    rules: list[FaultRule]
    seed: int
    tokens: TokenExpirer
    _active: list[_ActiveRule] = field(default_factory=list, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        for rule in self.rules:
            self.add(rule)

    def add(self, rule: FaultRule) -> None:
        with self._lock:
            self._active.append(_ActiveRule(rule, re.compile(rule.path), rule.times))

    def clear(self) -> None:
        with self._lock:
            self._active.clear()

    def pick(self, method: str, path: str, kinds: frozenset[str] = REQUEST_FAULT_KINDS) -> FaultRule | None:
        """The first rule of `kinds` this request triggers, consuming one of its `times`."""
        with self._lock:
            for active in self._active:
                rule = active.rule
                if rule.kind not in kinds:
                    continue
                if rule.method and rule.method.upper() != method.upper():
                    continue
                if not active.pattern.search(path) or active.remaining == 0:
                    continue
                if rule.rate is not None and self._random.random() >= rule.rate:
                    continue
                if active.remaining is not None:
                    active.remaining -= 1
                active.hits += 1
                return rule
        return None


class _Captured:
    def __init__(self) -> None:
        self.start: Message | None = None
        self.body = bytearray()

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
        elif message["type"] == "http.response.body":
            self.body.extend(message.get("body", b""))


def _with_length(headers: list[tuple[bytes, bytes]], length: int) -> list[tuple[bytes, bytes]]:
    kept = [(k, v) for k, v in headers if k.lower() != b"content-length"]
    return kept + [(b"content-length", str(length).encode())]


def clio_error_body(status: int) -> dict[str, Any]:
    return {"error": {"type": "ServerError", "message": f"Injected {status}"}}


class FaultMiddleware:
    def __init__(self, app: ASGIApp, injector: FaultInjector,
                 error_body: Callable[[int], dict[str, Any]] = clio_error_body) -> None:
        self.app = app
        self.injector = injector
        self.error_body = error_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rule = self.injector.pick(scope["method"], scope["path"]) if scope["type"] == "http" else None
        if rule is None:
            await self.app(scope, receive, send)
        elif rule.kind == "status":
            body = json.dumps(self.error_body(rule.status)).encode()
            await send({"type": "http.response.start", "status": rule.status,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
        elif rule.kind == "delay":
            await asyncio.sleep(rule.delay_seconds)
            await self.app(scope, receive, send)
        elif rule.kind == "expire_tokens":
            self.injector.tokens.expire_all_access_tokens()
            await self.app(scope, receive, send)
        else:
            await self._mangle(rule, scope, receive, send)

    async def _mangle(self, rule: FaultRule, scope: Scope, receive: Receive, send: Send) -> None:
        if rule.kind == "drop":
            await self.app(scope, receive, _HalfThenDrop(send).send)
            return
        captured = _Captured()
        await self.app(scope, receive, captured.send)
        assert captured.start is not None
        half = bytes(captured.body[: len(captured.body) // 2])
        await send({**captured.start, "status": 200, "headers": _with_length(captured.start["headers"], len(half))})
        await send({"type": "http.response.body", "body": half})


class _HalfThenDrop:
    """Forwards the head and the first half of the declared body, then breaks off (streams stay streamed)."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self._budget = 0

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            declared = dict(message["headers"]).get(b"content-length", b"0")
            self._budget = int(declared) // 2
            await self._send(message)
            return
        body = message.get("body", b"")
        if len(body) < self._budget:
            self._budget -= len(body)
            await self._send(message)
            return
        await self._send({"type": "http.response.body", "body": body[: self._budget], "more_body": True})
        raise DroppedConnection("fault injection dropped the connection mid-response")
