"""From a change to a record to the webhook deliveries it makes (clio.md §9, OAS Webhooks "Specifying Fields in
Webhooks", "Model Specific Events"):

- only enabled, unexpired webhooks of the record's model, for the events they subscribed to;
- the payload is `{"data":{"id","etag",<the webhook's fields>},"meta":{"event","webhook_id"}}`, rendered when the
  change happens (a deleted record as it last was);
- `updated` only when one of the webhook's fields changed, except for a record the webhook has never sent
  before, which fires on any change. A webhook whose fields are only `id` and `etag` watches nothing narrower
  and fires on every update (inferred);
- matter_opened / matter_pended / matter_closed when a matter's status changes to Open / Pending / Closed (on
  updates only: whether creating a matter fires them is not documented).
"""
from __future__ import annotations

import threading
from typing import Any

from sandboxes.clio.fields import FieldRenderer, FieldRequest, parse_fields
from sandboxes.clio.store import Record, RecordChange
from sandboxes.clio.webhooks.delivery import WebhookDispatcher
from sandboxes.clio.webhooks.models import MATTER_STATUS_EVENTS, WatchableModel
from sandboxes.clio.webhooks.registry import WebhookRegistry

_ALWAYS_SENT = ("id", "etag")


class EventRouter:
    def __init__(self, registry: WebhookRegistry, renderer: FieldRenderer, dispatcher: WebhookDispatcher) -> None:
        self.registry = registry
        self.renderer = renderer
        self.dispatcher = dispatcher
        self._models = {model.resource: model for model in registry.models.values() if model.resource}
        self._sent: dict[int, set[str]] = {}  # per webhook, the records it has sent a webhook for
        self._lock = threading.Lock()

    def __call__(self, change: RecordChange) -> None:
        model = self._models.get(change.resource)
        if model is None:
            return
        for webhook in self.registry.all():
            if webhook["model"] != model.name or not self.registry.live(webhook):
                continue
            requests = parse_fields(webhook["fields"])
            for event in self._events(webhook, model, change, requests):
                self.dispatcher.deliver(webhook, event, self._payload(webhook, model, change.record, event,
                                                                      requests))

    def _events(self, webhook: Record, model: WatchableModel, change: RecordChange,
                requests: list[FieldRequest]) -> list[str]:
        events: list[str] = []
        if change.event != "updated":
            events.append(change.event)
        elif self._first_for(webhook, change.record) or self._watched_changed(model, change, requests):
            events.append("updated")
        if model.name == "matter" and change.before is not None and change.after is not None:
            status = change.after.get("status")
            if status != change.before.get("status") and status in MATTER_STATUS_EVENTS:
                events.append(MATTER_STATUS_EVENTS[status])
        chosen = [event for event in events if event in webhook["events"]]
        if chosen:
            with self._lock:
                self._sent.setdefault(webhook["id"], set()).add(str(change.record["id"]))
        return chosen

    def _first_for(self, webhook: Record, record: Record) -> bool:
        with self._lock:
            return str(record["id"]) not in self._sent.get(webhook["id"], set())

    def _watched_changed(self, model: WatchableModel, change: RecordChange, requests: list[FieldRequest]) -> bool:
        watched = [request for request in requests if request.name not in _ALWAYS_SENT]
        if not watched:
            return True
        assert change.before is not None and change.after is not None
        return (self.renderer.render(model.schema, change.before, watched)
                != self.renderer.render(model.schema, change.after, watched))

    def _payload(self, webhook: Record, model: WatchableModel, record: Record, event: str,
                 requests: list[FieldRequest]) -> dict[str, Any]:
        data = {"id": record["id"], "etag": record["etag"], **self.renderer.render(model.schema, record, requests)}
        return {"data": data, "meta": {"event": event, "webhook_id": webhook["id"]}}
