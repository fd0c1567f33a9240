"""The Entra ID endpoints MSAL/azure-identity call, on the sandbox's own host (dataverse.md §1).

The authority is `<base_url>/<tenant>`; MSAL fetches `<authority>/v2.0/.well-known/openid-configuration`
(and, unless instance discovery is disabled, `/common/discovery/instance`), then posts the client-credentials
grant to the discovered token endpoint. The scope must be `<resource>/.default`: for Dataverse the resource is
`<base_url>` (every /api/data call must come to that host); a sandbox standing in for another service names its
resource in its `Directory` (Graph: `https://graph.microsoft.com`) and mounts `routes(...)` with it.
"""
from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandboxes.clio.clock import SandboxClock
from sandboxes.dataverse.config import ApplicationUser
from sandboxes.dataverse.state import state_of
from sandboxes.dataverse.tokens import TokenIssuer


@dataclass(frozen=True)
class Directory:
    """What the token endpoints need from the sandbox they are mounted on."""
    tokens: TokenIssuer
    clock: SandboxClock
    users: tuple[ApplicationUser, ...]
    resource: str | None = None  # the one resource tokens are issued for; None: the sandbox's own origin

    def knows_tenant(self, tenant: str) -> bool:
        return tenant in {user.tenant_id for user in self.users} or tenant in ("common", "organizations")


DirectoryOf = Callable[[Request], Directory]


def request_origin(request: Request) -> str:
    """`https://host:port` as the client addressed it (token audience and OData URLs use it)."""
    return f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}".lower()


def _aad_error(status: int, error: str, code: int, description: str) -> JSONResponse:
    body = {"error": error, "error_description": f"AADSTS{code}: {description}", "error_codes": [code],
            "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()), "trace_id": str(uuid.uuid4()),
            "correlation_id": str(uuid.uuid4())}
    return JSONResponse(body, status_code=status)


def _dataverse_directory(request: Request) -> Directory:
    state = state_of(request)
    return Directory(state.tokens, state.clock, tuple(state.config.application_users))


async def openid_configuration(request: Request, directory_of: DirectoryOf) -> Response:
    tenant = request.path_params["tenant"]
    if not directory_of(request).knows_tenant(tenant):
        return _aad_error(400, "invalid_tenant", 90002, f"Tenant '{tenant}' not found.")
    origin = request_origin(request)
    return JSONResponse({
        "token_endpoint": f"{origin}/{tenant}/oauth2/v2.0/token",
        "authorization_endpoint": f"{origin}/{tenant}/oauth2/v2.0/authorize",
        "device_authorization_endpoint": f"{origin}/{tenant}/oauth2/v2.0/devicecode",
        "jwks_uri": f"{origin}/{tenant}/discovery/v2.0/keys",
        "issuer": f"{origin}/{tenant}/v2.0",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "tenant_region_scope": "EU", "cloud_instance_name": "microsoftonline.com",
    })


async def instance_discovery(request: Request) -> Response:
    origin = request_origin(request)
    host = origin.split("://", 1)[1]
    return JSONResponse({
        "tenant_discovery_endpoint": f"{origin}/common/v2.0/.well-known/openid-configuration",
        "api-version": "1.1",
        "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
    })


async def keys(request: Request) -> Response:
    return JSONResponse({"keys": []})  # tokens are HMAC-signed; nothing outside the sandbox verifies them


def _credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("basic "):
        decoded = base64.b64decode(authorization[6:]).decode()
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return form.get("client_id", ""), form.get("client_secret", "")


async def token(request: Request, directory_of: DirectoryOf) -> Response:
    tenant = request.path_params["tenant"]
    directory = directory_of(request)
    form = dict(parse_qsl((await request.body()).decode()))  # application/x-www-form-urlencoded
    if form.get("grant_type") != "client_credentials":
        return _aad_error(400, "unsupported_grant_type", 70003,
                          "The app requested an unsupported grant type (sandbox: client_credentials only).")
    client_id, secret = _credentials(request, form)
    if not directory.tokens.knows_client(client_id):
        return _aad_error(400, "unauthorized_client", 700016,
                          f"Application with identifier '{client_id}' was not found in the directory '{tenant}'.")
    user = directory.tokens.authenticate(tenant, client_id, secret)
    if user is None:
        return _aad_error(401, "invalid_client", 7000215,
                          "Invalid client secret provided. Ensure the secret being sent in the request is the "
                          "client secret value, not the client secret ID, for a secret added to app "
                          f"'{client_id}'.")
    scopes = form.get("scope", "").split()
    origin = request_origin(request)
    # dataverse.md §1/§10: a confidential client asks for `<resource>/.default` (the environment URL, or Graph's).
    if len(scopes) != 1 or not scopes[0].endswith("/.default"):
        return _aad_error(400, "invalid_scope", 1002012,
                          f"The provided value for scope {' '.join(scopes)} is not valid. Client credential flows "
                          "must have a scope value with /.default suffixed to the resource identifier "
                          "(application ID URI).")
    audience = scopes[0][: -len("/.default")].rstrip("/").lower()
    if audience != (directory.resource or origin):
        return _aad_error(400, "invalid_resource", 500011,
                          f"The resource principal named {audience} was not found in the tenant named {tenant}.")
    issued = directory.tokens.issue(user, audience, f"{origin}/{tenant}/v2.0")
    lifetime = int(issued.expires_at - directory.clock.now())
    body: dict[str, Any] = {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime,
                            "access_token": issued.token}
    return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def routes(directory_of: DirectoryOf) -> list[Route]:
    return [
        Route("/common/discovery/instance", instance_discovery, methods=["GET"]),
        Route("/{tenant}/v2.0/.well-known/openid-configuration",
              partial(openid_configuration, directory_of=directory_of), methods=["GET"]),
        Route("/{tenant}/discovery/v2.0/keys", keys, methods=["GET"]),
        Route("/{tenant}/oauth2/v2.0/token", partial(token, directory_of=directory_of), methods=["POST"]),
    ]


ROUTES = routes(_dataverse_directory)
