"""OAuth grants, authorization codes and access tokens (clio.md §2)."""
from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

from sandboxes.clio.clock import SandboxClock
from sandboxes.clio.config import OAuthClient


@dataclass
class Grant:
    """One user's authorization of one client; its refresh token is reusable and never expires (clio.md §2)."""
    client_id: str
    user_id: int | None
    refresh_token: str
    revoked: bool = False


@dataclass
class AccessToken:
    token: str
    grant: Grant
    expires_at: float
    revoked: bool = False


@dataclass(frozen=True)
class AuthorizationCode:
    client_id: str
    redirect_uri: str
    expires_at: float


class OAuthError(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


def _invalid_grant(what: str) -> OAuthError:
    return OAuthError(400, "invalid_grant", f"The provided {what} is invalid, expired, revoked or was issued "
                                           "to another client.")


class TokenRegistry:
    def __init__(self, clients: list[OAuthClient], clock: SandboxClock, access_lifetime: int, code_lifetime: int,
                 user_id: int | None) -> None:
        self.clients = {client.client_id: client for client in clients}
        self._clock = clock
        self.access_lifetime = access_lifetime
        self.code_lifetime = code_lifetime
        self.user_id = user_id  # the sandbox auto-approves as this user (the account owner)
        self._codes: dict[str, AuthorizationCode] = {}
        self._grants: dict[str, Grant] = {}
        self._access: dict[str, AccessToken] = {}
        self._lock = threading.Lock()

    def client(self, client_id: str, secret: str | None = None) -> OAuthClient:
        client = self.clients.get(client_id)
        if client is None or (secret is not None and not secrets.compare_digest(client.client_secret, secret)):
            raise OAuthError(401, "invalid_client", "Client authentication failed.")
        return client

    def issue_code(self, client_id: str, redirect_uri: str) -> str:
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = AuthorizationCode(client_id, redirect_uri, self._clock.now() + self.code_lifetime)
        return code

    def grant_for_code(self, client_id: str, code: str, redirect_uri: str) -> Grant:
        with self._lock:
            issued = self._codes.pop(code, None)  # single use
        if (issued is None or issued.client_id != client_id or issued.redirect_uri != redirect_uri
                or issued.expires_at <= self._clock.now()):
            raise _invalid_grant("authorization code")
        return self.new_grant(client_id)

    def new_grant(self, client_id: str, refresh_token: str | None = None) -> Grant:
        self.client(client_id)
        grant = Grant(client_id, self.user_id, refresh_token or secrets.token_urlsafe(32))
        with self._lock:
            self._grants[grant.refresh_token] = grant
        return grant

    def grant_for_refresh(self, client_id: str, refresh_token: str) -> Grant:
        with self._lock:
            grant = self._grants.get(refresh_token)
        if grant is None or grant.revoked or grant.client_id != client_id:
            raise _invalid_grant("refresh token")
        return grant

    def issue_access(self, grant: Grant) -> AccessToken:
        access = AccessToken(secrets.token_urlsafe(32), grant, self._clock.now() + self.access_lifetime)
        with self._lock:
            self._access[access.token] = access
        return access

    def authenticate(self, token: str | None) -> AccessToken | None:
        if not token:
            return None
        with self._lock:
            access = self._access.get(token)
        if access is None or access.revoked or access.grant.revoked or access.expires_at <= self._clock.now():
            return None
        return access

    def revoke_grant(self, grant: Grant) -> None:
        """Deauthorize: the grant's refresh token and every access token issued from it stop working (inferred)."""
        with self._lock:
            grant.revoked = True
            for access in self._access.values():
                if access.grant is grant:
                    access.revoked = True

    def expire_all_access_tokens(self) -> None:
        now = self._clock.now()
        with self._lock:
            for access in self._access.values():
                access.expires_at = min(access.expires_at, now)
