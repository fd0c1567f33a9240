"""Access tokens from the firm's refresh token (clio.md §2): refreshed when expired or once after a 401, shared by
every thread of the worker so all activity calls spend one token's budget."""
from __future__ import annotations

import threading
import time
from typing import Callable

import httpx
from pydantic import ValidationError
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from shared.clio.errors import ClioAuthError, ClioServerError, ClioTransportError
from shared.clio.models import TokenResponse

_EARLY_REFRESH_SECONDS = 60.0


class TokenProvider:
    def __init__(self, http: httpx.Client, oauth_base_url: str, client_id: str, client_secret: str,
                 refresh_token: str, clock: Callable[[], float] = time.monotonic) -> None:
        self._http = http
        self._token_url = f"{oauth_base_url.rstrip('/')}/token"
        self._form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id,
                      "client_secret": client_secret}
        self._clock = clock
        self._lock = threading.Lock()
        self._access: str | None = None
        self._expires_at = 0.0
        self.refreshes = 0

    def token(self) -> str:
        with self._lock:
            if self._access is None or self._clock() >= self._expires_at - _EARLY_REFRESH_SECONDS:
                self._refresh()
            assert self._access is not None
            return self._access

    def reject(self, token: str) -> None:
        """A 401 for `token`: the next caller refreshes (once, however many threads saw the same 401)."""
        with self._lock:
            if self._access == token:
                self._access = None

    def _refresh(self) -> None:
        for attempt in Retrying(stop=stop_after_attempt(4), wait=wait_exponential_jitter(initial=0.5, max=10),
                                retry=retry_if_exception_type((ClioTransportError, ClioServerError)), reraise=True):
            with attempt:
                response = self._post()
        if response.status_code != 200:
            raise ClioAuthError(f"Clio refused the refresh token ({response.status_code}): "
                                f"{_error_text(response)}", response.status_code)
        try:
            parsed = TokenResponse.model_validate_json(response.content)
        except ValidationError as exc:
            raise ClioAuthError(f"Clio's token response is not the documented shape: {exc}") from exc
        self._access = parsed.access_token
        self._expires_at = self._clock() + parsed.expires_in
        self.refreshes += 1

    def _post(self) -> httpx.Response:
        try:
            response = self._http.post(self._token_url, data=self._form)
        except httpx.TransportError as exc:
            raise ClioTransportError(f"Clio token endpoint unreachable: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise ClioServerError(f"Clio token endpoint answered {response.status_code}", response.status_code)
        return response


def _error_text(response: httpx.Response) -> str:
    """Clio's error description, never the request (which holds the secrets)."""
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase
    if isinstance(body, dict):
        return str(body.get("error_description") or body.get("error") or response.reason_phrase)
    return response.reason_phrase
