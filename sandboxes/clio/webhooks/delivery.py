"""Sending webhooks (clio.md §9, OAS Webhooks "Delivery Failure and Retries", "Webhook Security"), off the API's
request path: a worker thread runs while anything is queued, and stops when the queue is empty.

- Handshake: a POST with `X-Hook-Secret: <shared secret>` and the webhook's id in the body (its shape is
  undocumented: `{"data":{"id":<webhook id>}}` here, inferred). A 200 echoing the secret in `X-Hook-Secret`
  enables the webhook; any other answer leaves it pending (no retry, inferred) until the activate call.
- Events: a POST of the payload, signed with `X-Hook-Signature` = hex HMAC-SHA256(key = shared secret,
  message = raw body) (hex is inferred: the encoding is not stated). 2xx and 3xx are delivered (redirects are not
  followed); 410 suspends the webhook; any other answer, a timeout or a TLS failure is retried after
  base * 2^(n-1) seconds, and a delivery still failing after `max_retries` retries suspends the webhook.
- A delivery whose webhook has since been deleted, left `enabled` or expired is not sent.
- Receivers' certificates are verified against `ca_bundle` (never skipped).
"""
from __future__ import annotations

import hashlib
import heapq
import hmac
import itertools
import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from sandboxes.clio.clock import SandboxClock
from sandboxes.clio.config import DELIVERY_FAULT_KINDS, WebhookDeliveryConfig
from sandboxes.clio.faults import FaultInjector
from sandboxes.clio.webhooks.registry import WebhookRegistry

Outcome = Literal["confirmed", "unconfirmed", "delivered", "retrying", "failed", "gone", "dropped", "skipped"]


def signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


@dataclass(frozen=True)
class DeliveryAttempt:
    """One line of the delivery log."""
    webhook_id: int
    kind: Literal["handshake", "event"]
    event: str | None
    record_id: Any
    attempt: int
    outcome: Outcome
    status: int | None
    error: str | None
    body: bytes
    at: str  # sandbox clock, ISO-8601


@dataclass(order=True)
class _Job:
    due: float
    sequence: int
    webhook_id: int = field(compare=False)
    kind: Literal["handshake", "event"] = field(compare=False)
    secret: str = field(compare=False)  # the webhook's secret when the job was made
    body: bytes = field(compare=False)
    event: str | None = field(default=None, compare=False)
    record_id: Any = field(default=None, compare=False)
    attempt: int = field(default=1, compare=False)


class WebhookDispatcher:
    def __init__(self, config: WebhookDeliveryConfig, registry: WebhookRegistry, faults: FaultInjector,
                 clock: SandboxClock) -> None:
        self.config = config
        self.registry = registry
        self.faults = faults
        self.clock = clock
        self._queue: list[_Job] = []
        self._sequence = itertools.count()
        self._log: list[DeliveryAttempt] = []
        self._condition = threading.Condition()
        self._worker: threading.Thread | None = None
        self._busy = False

    # -- queueing ---------------------------------------------------------------------------------------------
    def handshake(self, webhook: dict[str, Any]) -> None:
        self._enqueue(webhook["id"], "handshake", webhook["shared_secret"], encode({"data": {"id": webhook["id"]}}))

    def deliver(self, webhook: dict[str, Any], event: str, payload: dict[str, Any]) -> None:
        self._enqueue(webhook["id"], "event", webhook["shared_secret"], encode(payload), event,
                      payload["data"]["id"])

    def _enqueue(self, webhook_id: int, kind: Literal["handshake", "event"], secret: str, body: bytes,
                 event: str | None = None, record_id: Any = None) -> None:
        job = _Job(time.monotonic(), next(self._sequence), webhook_id, kind, secret, body, event, record_id)
        with self._condition:
            heapq.heappush(self._queue, job)
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="Clio sandbox webhooks", daemon=True)
                self._worker.start()
            self._condition.notify_all()

    # -- inspection -------------------------------------------------------------------------------------------
    def attempts(self) -> list[DeliveryAttempt]:
        with self._condition:
            return list(self._log)

    def wait_until_idle(self, timeout: float = 10.0) -> bool:
        """Blocks until nothing is queued or being sent (retries included); False if `timeout` came first."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while self._queue or self._busy:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._condition.wait(remaining)
            return True

    # -- the worker -------------------------------------------------------------------------------------------
    def _run(self) -> None:
        context = ssl.create_default_context(cafile=self.config.ca_bundle)
        with httpx.Client(verify=context, timeout=self.config.timeout_seconds, follow_redirects=False) as http:
            while (job := self._next_job()) is not None:
                try:
                    self._attempt(http, job)
                finally:
                    with self._condition:
                        self._busy = False
                        self._condition.notify_all()

    def _next_job(self) -> _Job | None:
        with self._condition:
            while self._queue and self._queue[0].due > time.monotonic():
                self._condition.wait(self._queue[0].due - time.monotonic())
            if not self._queue:
                self._worker = None
                self._condition.notify_all()
                return None
            self._busy = True
            return heapq.heappop(self._queue)

    def _attempt(self, http: httpx.Client, job: _Job) -> None:
        webhook = self.registry.get(job.webhook_id)
        if webhook is None or webhook["shared_secret"] != job.secret or (
                job.kind == "event" and not self.registry.live(webhook)):
            self._record(job, "skipped", None, "the webhook was deleted, changed, disabled or expired")
            return
        if job.kind == "handshake":
            self._handshake(http, job, webhook["url"])
            return
        if self.faults.pick("POST", webhook["url"], DELIVERY_FAULT_KINDS) is not None:
            self._record(job, "dropped", None, "dropped by fault injection")
            return
        response, error = self._post(http, webhook["url"], job.body,
                                     {"X-Hook-Signature": signature(job.secret, job.body)})
        status = response.status_code if response is not None else None
        if status is not None and 200 <= status < 400:
            self._record(job, "delivered", status, None)
        elif status == 410:
            self.registry.set_status(job.webhook_id, "suspended", job.secret)
            self._record(job, "gone", status, None)
        elif job.attempt <= self.config.max_retries:
            self._record(job, "retrying", status, error)
            self._retry(job)
        else:
            self.registry.set_status(job.webhook_id, "suspended", job.secret)
            self._record(job, "failed", status, error)

    def _handshake(self, http: httpx.Client, job: _Job, url: str) -> None:
        response, error = self._post(http, url, job.body, {"X-Hook-Secret": job.secret})
        echoed = response.headers.get("X-Hook-Secret") if response is not None else None
        status = response.status_code if response is not None else None
        if status == 200 and echoed is not None and hmac.compare_digest(echoed, job.secret):
            self.registry.set_status(job.webhook_id, "enabled", job.secret)
            self._record(job, "confirmed", status, None)
        else:
            self._record(job, "unconfirmed", status, error or "the answer did not echo X-Hook-Secret with a 200")

    @staticmethod
    def _post(http: httpx.Client, url: str, body: bytes,
              headers: dict[str, str]) -> tuple[httpx.Response | None, str | None]:
        try:
            return http.post(url, content=body, headers={"Content-Type": "application/json", **headers}), None
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}"

    def _retry(self, job: _Job) -> None:
        delay = self.config.retry_base_seconds * 2 ** (job.attempt - 1)
        retry = _Job(time.monotonic() + delay, next(self._sequence), job.webhook_id, job.kind, job.secret, job.body,
                     job.event, job.record_id, job.attempt + 1)
        with self._condition:
            heapq.heappush(self._queue, retry)

    def _record(self, job: _Job, outcome: Outcome, status: int | None, error: str | None) -> None:
        entry = DeliveryAttempt(job.webhook_id, job.kind, job.event, job.record_id, job.attempt, outcome, status,
                                error, job.body, self.clock.now_datetime().isoformat(timespec="seconds"))
        with self._condition:
            self._log.append(entry)
