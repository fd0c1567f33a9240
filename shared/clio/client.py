"""The Clio Manage API v4 client: bearer auth from a refresh token, a pinned X-API-VERSION, explicit fields, cursor
pagination, header-driven pacing, retries for transport errors and 5xx on idempotent calls, and document downloads
that follow the 303 without the Authorization header (../shared/reference/clio/clio.md §2–§8)."""
from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from pydantic import SecretStr, ValidationError

from shared.clio.auth import TokenProvider
from shared.clio.errors import (ClioAuthError, ClioError, ClioMalformedResponse, ClioNotFound, ClioPermissionError,
                                ClioRateLimited, ClioRequestError, ClioServerError, ClioTransportError,
                                ClioVersionGone)
from shared.clio.models import WEBHOOK_FIELDS, Page, ResourceSpec, Webhook, WebhookEvent, WebhookModel
from shared.clio.pacing import RateLimitPacer
from shared.retrying import PerProcess, retrying
from shared.settings import Settings

VERSION_FIELDS = "id,uuid,filename,size,version_number,content_type,received_at,fully_uploaded,created_at,updated_at"
_RETRYABLE = (ClioTransportError, ClioServerError, ClioMalformedResponse)
_MAX_429_IN_A_ROW = 20


@dataclass(frozen=True)
class RawPage:
    """A page as received (the bytes go to Blob storage unchanged) and as parsed."""
    url: str
    body: bytes
    page: Page


def _clio_error(response: httpx.Response) -> tuple[str | None, str]:
    try:
        body = response.json()
    except ValueError:
        return None, response.reason_phrase
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body["error"].get("type"), str(body["error"].get("message", ""))
    if isinstance(body, dict) and "error" in body:
        return str(body["error"]), str(body.get("error_description", ""))
    return None, response.reason_phrase


_BY_STATUS: dict[int, type[ClioError]] = {400: ClioRequestError, 401: ClioAuthError, 403: ClioPermissionError,
                                          404: ClioNotFound, 410: ClioVersionGone, 422: ClioRequestError}


class ClioClient:
    def __init__(self, settings: Settings, http: httpx.Client | None = None, files: httpx.Client | None = None,
                 tokens: TokenProvider | None = None, pacer: RateLimitPacer | None = None,
                 max_attempts: int = 6) -> None:
        timeout = httpx.Timeout(settings.clio_request_timeout_seconds)
        self.base_url = settings.clio_api_base_url
        self.api_version = settings.clio_api_version
        self._http = http or httpx.Client(timeout=timeout)
        self._files = files or httpx.Client(timeout=timeout, follow_redirects=True)  # never gets the bearer token
        if tokens is None:
            if not (settings.clio_client_id and settings.clio_client_secret and settings.clio_refresh_token):
                raise ClioAuthError("CLIO_CLIENT_ID, CLIO_CLIENT_SECRET and CLIO_REFRESH_TOKEN must be set")
            tokens = TokenProvider(self._http, settings.clio_oauth_base_url, settings.clio_client_id,
                                   settings.clio_client_secret.get_secret_value(),
                                   settings.clio_refresh_token.get_secret_value())
        self.tokens = tokens
        self.pacer = pacer or RateLimitPacer()
        self._max_attempts = max_attempts
        self._per_thread = threading.local()

    @property
    def requests_by_this_thread(self) -> int:
        """Requests this thread has sent (the pacer's count is the whole worker's)."""
        return int(getattr(self._per_thread, "requests", 0))

    def close(self) -> None:
        self._http.close()
        self._files.close()

    # -- requests ---------------------------------------------------------------------------------------------
    def url(self, path: str) -> str:
        return self.base_url + path.removeprefix("/api/v4")

    def get(self, url: str, params: dict[str, str] | None = None, follow: bool = True) -> httpx.Response:
        """GET with pacing, one refresh on 401, Retry-After on 429 and retries for transient failures."""
        return retrying(lambda: self._answered("GET", url, params, follow), _RETRYABLE, self._max_attempts)

    def _answered(self, method: str, url: str, params: dict[str, str] | None = None, follow: bool = True,
                  body: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> httpx.Response:
        """One call, answered: a 401 refreshes the token once and a 429 waits for the window (Clio processed
        neither, so resending is safe for any method); other failures raise for the caller to retry or not."""
        refreshed = False
        throttled = 0
        while True:
            token = self.tokens.token()
            response = self._send(token, method, url, params, body, headers)
            if response.status_code == 401 and not refreshed:
                refreshed = True
                self.tokens.reject(token)
                continue
            if response.status_code == 429:
                throttled += 1
                if throttled >= _MAX_429_IN_A_ROW:
                    raise ClioRateLimited(f"{url}: still 429 after {throttled} waits", 429)
                continue  # the pacer holds the token until Retry-After
            if response.status_code >= 500:
                raise ClioServerError(f"{url}: Clio answered {response.status_code}", response.status_code)
            if response.status_code in (301, 302, 303, 307, 308) and follow:
                url, params = str(response.headers["Location"]), None  # e.g. the practice-areas 307 (clio.md §7)
                continue
            if response.status_code >= 400:
                error_type, message = _clio_error(response)
                error = _BY_STATUS.get(response.status_code, ClioRequestError)
                raise error(f"{url}: {response.status_code} {error_type or ''} {message}".strip(),
                            response.status_code, error_type)
            return response

    def _send(self, token: str, method: str, url: str, params: dict[str, str] | None, body: dict[str, Any] | None,
              headers: dict[str, str] | None) -> httpx.Response:
        self.pacer.acquire(token)
        self._per_thread.requests = self.requests_by_this_thread + 1
        response: httpx.Response | None = None
        try:
            response = self._http.request(method, url, params=params, json=body, headers={
                **(headers or {}), "Authorization": f"Bearer {token}", "X-API-VERSION": self.api_version})
            response.read()
            return response
        except httpx.TransportError as exc:
            raise ClioTransportError(f"{url}: {type(exc).__name__}: {exc}") from exc
        finally:
            self.pacer.release(token, response.status_code if response is not None else None,
                               response.headers if response is not None else {})

    # -- pages ------------------------------------------------------------------------------------------------
    def first_page_url(self, spec: ResourceSpec, updated_since: str | None = None) -> str:
        return str(httpx.URL(self.url(spec.path), params=spec.query(updated_since)))

    def fetch_page(self, url: str) -> RawPage:
        """One index page; `url` is a first-page URL or a `meta.paging.next` followed verbatim (clio.md §4).
        A body that is not a page is retried like a transport failure (it usually is one)."""
        def attempt() -> RawPage:
            response = self._answered("GET", url)
            try:
                return RawPage(url, response.content, Page.model_validate_json(response.content))
            except ValidationError as exc:
                raise ClioMalformedResponse(f"{url}: the body is not a Clio page ({len(response.content)} bytes): "
                                            f"{exc.errors()[0]['msg']}", response.status_code) from exc
        return retrying(attempt, _RETRYABLE, self._max_attempts)

    def iter_pages(self, spec: ResourceSpec, updated_since: str | None = None) -> Iterator[RawPage]:
        url: str | None = self.first_page_url(spec, updated_since)
        while url:
            raw = self.fetch_page(url)
            yield raw
            url = raw.page.meta.paging.next

    # -- documents --------------------------------------------------------------------------------------------
    def document_versions(self, document_id: int) -> list[dict[str, Any]]:
        """Every version of a document (`GET /documents/{id}/versions.json`, all pages), oldest first."""
        url: str | None = str(httpx.URL(self.url(f"/documents/{document_id}/versions.json"),
                                        params={"fields": VERSION_FIELDS, "limit": "200"}))
        versions: list[dict[str, Any]] = []
        while url:
            page = self.fetch_page(url).page
            versions.extend(page.data)
            url = page.meta.paging.next
        return sorted(versions, key=lambda v: (v.get("version_number") or 0, v.get("id") or 0))

    @contextmanager
    def download(self, document_id: int, version_id: int | None = None) -> Iterator[httpx.Response]:
        """Stream a document version: the API answers 303 to a pre-signed URL, fetched without our token."""
        params = {"document_version_id": str(version_id)} if version_id is not None else None
        answer = self.get(self.url(f"/documents/{document_id}/download.json"), params, follow=False)
        if answer.status_code != 303 or "Location" not in answer.headers:
            raise ClioMalformedResponse(f"document {document_id}: expected 303 with a Location, got "
                                        f"{answer.status_code}", answer.status_code)
        try:
            with self._files.stream("GET", answer.headers["Location"]) as response:
                if response.status_code != 200:
                    raise ClioServerError(f"document {document_id}: file URL answered {response.status_code}",
                                          response.status_code)
                yield response
        except httpx.TransportError as exc:
            raise ClioTransportError(f"document {document_id}: {type(exc).__name__}: {exc}") from exc


    # -- webhooks (clio.md §9) --------------------------------------------------------------------------------
    def list_webhooks(self) -> list[Webhook]:
        """Every webhook of the authorizing user, all pages."""
        url: str | None = str(httpx.URL(self.url("/webhooks.json"),
                                        params={"fields": WEBHOOK_FIELDS, "limit": "200", "order": "id(asc)"}))
        webhooks: list[Webhook] = []
        while url:
            page = self.fetch_page(url).page
            webhooks.extend(_webhook(url, {"data": record}) for record in page.data)
            url = page.meta.paging.next
        return webhooks

    def create_webhook(self, url: str, model: WebhookModel, fields: str, events: list[WebhookEvent] | None = None,
                       expires_at: datetime | None = None) -> Webhook:
        """`POST /webhooks.json`. Not retried past a 401 or 429: a create that failed later may still have made
        the webhook, so a caller that tries again lists first. Clio's handshake to `url` follows."""
        data: dict[str, Any] = {"url": url, "model": model, "fields": fields}
        if events is not None:
            data["events"] = list(events)
        if expires_at is not None:
            data["expires_at"] = _aware(expires_at).isoformat()
        endpoint = self.url("/webhooks.json")
        return _webhook(endpoint, _json(self._answered("POST", endpoint, {"fields": WEBHOOK_FIELDS},
                                                       body={"data": data})))

    def renew_webhook(self, webhook_id: int, expires_at: datetime) -> Webhook:
        """PATCH `expires_at` (at most 31 days ahead, clio.md §9); idempotent, so retried."""
        endpoint = self.url(f"/webhooks/{webhook_id}.json")
        body = {"data": {"expires_at": _aware(expires_at).isoformat()}}
        answer = retrying(lambda: self._answered("PATCH", endpoint, {"fields": WEBHOOK_FIELDS}, body=body),
                          _RETRYABLE, self._max_attempts)
        return _webhook(endpoint, _json(answer))

    def activate_webhook(self, webhook_id: int, secret: SecretStr) -> None:
        """Confirms a pending webhook with its secret (`PUT /webhooks/{id}/activate`, the delayed handshake)."""
        endpoint = self.url(f"/webhooks/{webhook_id}/activate")
        headers = {"X-Hook-Secret": secret.get_secret_value()}
        retrying(lambda: self._answered("PUT", endpoint, headers=headers), _RETRYABLE, self._max_attempts)

    def delete_webhook(self, webhook_id: int) -> bool:
        """False if it was already gone."""
        endpoint = self.url(f"/webhooks/{webhook_id}.json")
        try:
            retrying(lambda: self._answered("DELETE", endpoint), _RETRYABLE, self._max_attempts)
        except ClioNotFound:
            return False
        return True


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("expires_at must carry its UTC offset")
    return moment


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise ClioMalformedResponse(f"{response.url}: the answer is not JSON", response.status_code) from None


def _webhook(url: str, body: Any) -> Webhook:
    """The webhook in an answer. A refusal names the wrong fields only: pydantic's own message can quote the
    whole input, shared secret included, so it is not chained."""
    try:
        return Webhook.model_validate(body["data"])
    except ValidationError as exc:
        wrong = ", ".join(".".join(str(part) for part in error["loc"]) or "data" for error in exc.errors())
        raise ClioMalformedResponse(f"{url}: the answer is not a webhook (wrong: {wrong})") from None
    except (KeyError, TypeError):
        raise ClioMalformedResponse(f"{url}: the answer has no webhook in `data`") from None


_shared: PerProcess[ClioClient] = PerProcess()


def shared_client(settings: Settings) -> ClioClient:
    """One client per firm connection per worker process, so threads share the token and its budget."""
    secret = settings.clio_refresh_token.get_secret_value() if settings.clio_refresh_token else ""
    key = hashlib.sha256(json.dumps([settings.clio_api_base_url, settings.clio_oauth_base_url,
                                     settings.clio_client_id, secret]).encode()).hexdigest()
    return _shared.get(key, lambda: ClioClient(settings))


def reset_shared_clients() -> None:
    _shared.reset()
