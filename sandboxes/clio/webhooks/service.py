"""The webhooks of one sandbox: records, deliveries, and the watch on the firm's records."""
from __future__ import annotations

from sandboxes.clio.clock import SandboxClock
from sandboxes.clio.config import WebhookDeliveryConfig
from sandboxes.clio.faults import FaultInjector
from sandboxes.clio.fields import FieldRenderer
from sandboxes.clio.reference import Reference
from sandboxes.clio.store import FirmStore
from sandboxes.clio.webhooks.delivery import DeliveryAttempt, WebhookDispatcher
from sandboxes.clio.webhooks.events import EventRouter
from sandboxes.clio.webhooks.models import watchable_models
from sandboxes.clio.webhooks.registry import WebhookRegistry


class WebhookService:
    def __init__(self, reference: Reference, clock: SandboxClock, store: FirmStore, renderer: FieldRenderer,
                 faults: FaultInjector, config: WebhookDeliveryConfig) -> None:
        self.registry = WebhookRegistry(reference, clock, renderer, watchable_models(reference))
        self.dispatcher = WebhookDispatcher(config, self.registry, faults, clock)
        store.on_change(EventRouter(self.registry, renderer, self.dispatcher))

    def deliveries(self) -> list[DeliveryAttempt]:
        """Every handshake and delivery attempt so far, oldest first."""
        return self.dispatcher.attempts()

    def wait_until_idle(self, timeout: float = 10.0) -> bool:
        return self.dispatcher.wait_until_idle(timeout)
