"""Clio Manage webhooks in the sandbox (clio.md §9): the /webhooks API, the handshake, signed deliveries of the
changes made to watched records, retries and suspension, and a delivery log for tests."""
from sandboxes.clio.webhooks.delivery import DeliveryAttempt, signature
from sandboxes.clio.webhooks.service import WebhookService

__all__ = ["DeliveryAttempt", "WebhookService", "signature"]
