"""Everything one sandbox instance holds, and the handle tests use to change Clio while a client runs."""
from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from starlette.requests import Request

from sandboxes.clio.clock import SandboxClock
from sandboxes.clio.config import FaultRule, SandboxConfig
from sandboxes.clio.documents import DocumentFiles, UrlSigner
from sandboxes.clio.faults import FaultInjector
from sandboxes.clio.fields import FieldRenderer
from sandboxes.clio.filters import FilterBuilder
from sandboxes.clio.paging import PageTokens, Paginator
from sandboxes.clio.ratelimit import RateCounters, RateLimiter
from sandboxes.clio.reference import load_reference
from sandboxes.clio.resources import build_resource_specs
from sandboxes.clio.store import FirmStore, Record
from sandboxes.clio.tokens import TokenRegistry
from sandboxes.clio.webhooks import DeliveryAttempt, WebhookService
from sandboxes.clio.writes import RecordWriter


def _acting_user(store: FirmStore) -> int | None:
    users = store.all("users")
    owners = [user for user in users if user.get("account_owner")]
    chosen = owners or users
    return chosen[0]["id"] if chosen else None


class SandboxState:
    def __init__(self, firm: dict[str, Any], config: SandboxConfig, firm_dir: Path | None = None) -> None:
        self.config = config
        self.clock = SandboxClock()
        self.reference = load_reference(config.reference_dir)
        self.resources = build_resource_specs(self.reference)
        self.store = FirmStore(firm, self.clock, firm_dir)
        secret = (config.signing_secret or secrets.token_hex(32)).encode()
        self.tokens = TokenRegistry(config.clients, self.clock, config.access_token_lifetime_seconds,
                                    config.authorization_code_lifetime_seconds, _acting_user(self.store))
        for refresh_token, client_id in config.preauthorized_refresh_tokens.items():
            self.tokens.new_grant(client_id, refresh_token)
        self.limiter = RateLimiter(config.rate_limit, config.rate_limit_window_seconds, self.clock)
        self.faults = FaultInjector(config.faults, config.fault_seed, self.tokens)
        self.renderer = FieldRenderer(self.reference, self.store)
        self.filters = FilterBuilder(self.reference)
        self.paginator = Paginator(PageTokens(secret), self.sort_value)
        self.signer = UrlSigner(secret, self.clock, config.download_url_lifetime_seconds)
        self.files = DocumentFiles(self.store)
        self.writer = RecordWriter(self.reference, self.store)
        self.webhooks = WebhookService(self.reference, self.clock, self.store, self.renderer, self.faults,
                                       config.webhooks)

    def sort_value(self, schema: str, record: Record, dotted: str) -> Any:
        """What an offset-paged index sorts by: a field, or `assoc.field` read from the associated record."""
        head, _, tail = dotted.partition(".")
        value = record.get(head)
        if not tail:
            return value
        _, nested = self.reference.field_names(schema)
        if head not in nested or not isinstance(value, dict):
            return None
        return self.renderer.resolve(nested[head]["ref"], value).get(tail)

    # Simulated users editing Clio mid-run (each bumps etag and updated_at, and fires the webhooks watching it).
    def create_record(self, resource: str, fields: Record) -> Record:
        return self.store.create(resource, fields)

    def update_record(self, resource: str, record_id: Any, changes: Record) -> Record:
        return self.store.update(resource, record_id, changes)

    def delete_record(self, resource: str, record_id: Any) -> None:
        self.store.delete(resource, record_id)

    def mint_refresh_token(self, client_id: str) -> str:
        """A refresh token for a configured client, as if its user had approved it in the browser."""
        return self.tokens.new_grant(client_id).refresh_token

    def expire_all_access_tokens(self) -> None:
        self.tokens.expire_all_access_tokens()

    def add_fault(self, rule: FaultRule) -> None:
        self.faults.add(rule)

    def clear_faults(self) -> None:
        self.faults.clear()

    def drop_webhook_deliveries(self, times: int = 1, url: str = ".*") -> None:
        """The next `times` webhook deliveries to a URL matching `url` are silently lost (a missed webhook)."""
        self.faults.add(FaultRule(kind="drop_delivery", path=url, times=times))

    def webhook_deliveries(self) -> list[DeliveryAttempt]:
        """The delivery log: every handshake and delivery attempt, oldest first."""
        return self.webhooks.deliveries()

    def wait_for_webhooks(self, timeout: float = 10.0) -> bool:
        """Blocks until no webhook is queued or being sent (retries included); False if `timeout` came first."""
        return self.webhooks.wait_until_idle(timeout)

    @property
    def counters(self) -> RateCounters:
        """API requests served and refused with 429, for benchmarks."""
        return self.limiter.counters


def sandbox_state_of(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def bearer_token(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None
