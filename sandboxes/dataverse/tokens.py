"""Bearer tokens for application users: HS256 JWTs with Entra-like claims, expiring, checked on every data call."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import uuid
from dataclasses import dataclass

from sandboxes.clio.clock import SandboxClock
from sandboxes.dataverse.config import ApplicationUser


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class IssuedToken:
    token: str
    user: ApplicationUser
    audience: str
    expires_at: float


class TokenIssuer:
    def __init__(self, users: list[ApplicationUser], clock: SandboxClock, lifetime: int, secret: str | None) -> None:
        self._users = {user.client_id: user for user in users}
        self._clock = clock
        self._lifetime = lifetime
        self._secret = (secret or secrets.token_hex(32)).encode()
        self._issued: dict[str, IssuedToken] = {}
        self._lock = threading.Lock()

    def authenticate(self, tenant: str, client_id: str, client_secret: str) -> ApplicationUser | None:
        user = self._users.get(client_id)
        if user is None or user.tenant_id != tenant:
            return None
        return user if hmac.compare_digest(user.client_secret, client_secret) else None

    def knows_client(self, client_id: str) -> bool:
        return client_id in self._users

    def issue(self, user: ApplicationUser, audience: str, issuer: str) -> IssuedToken:
        now = self._clock.now()
        claims = {"aud": audience, "iss": issuer, "iat": int(now), "nbf": int(now),
                  "exp": int(now + self._lifetime), "appid": user.client_id, "azp": user.client_id,
                  "oid": user.azureactivedirectoryobjectid, "tid": user.tenant_id,
                  "sub": user.azureactivedirectoryobjectid,
                  "idtyp": "app", "ver": "2.0", "uti": uuid.uuid4().hex}
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        payload = _b64(json.dumps(claims).encode())
        signature = _b64(hmac.new(self._secret, f"{header}.{payload}".encode(), hashlib.sha256).digest())
        token = IssuedToken(f"{header}.{payload}.{signature}", user, audience, now + self._lifetime)
        with self._lock:
            self._issued[token.token] = token
        return token

    def check(self, token: str, audience: str) -> ApplicationUser | None:
        """The application user a live token for `audience` belongs to, else None."""
        with self._lock:
            issued = self._issued.get(token)
        if issued is None or issued.expires_at <= self._clock.now() or issued.audience != audience:
            return None
        return issued.user

    def expire_all_access_tokens(self) -> None:
        with self._lock:
            self._issued = {token: IssuedToken(issued.token, issued.user, issued.audience, 0.0)
                            for token, issued in self._issued.items()}
