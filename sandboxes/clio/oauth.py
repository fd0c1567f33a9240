"""OAuth endpoints (clio.md §2): /oauth/authorize, /oauth/token, /oauth/deauthorize.

The sandbox auto-approves the (account-owner) user. Errors use the OAuth 2.0 shape
`{"error":..,"error_description":..}`; a bad client or redirect_uri is answered directly (never redirected).
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from sandboxes.clio.errors import INVALID_TOKEN_BODY
from sandboxes.clio.state import bearer_token, sandbox_state_of
from sandboxes.clio.tokens import AccessToken, OAuthError

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def _error(error: OAuthError) -> JSONResponse:
    return JSONResponse({"error": error.error, "error_description": error.description}, status_code=error.status)


def _redirect(uri: str, params: dict[str, str]) -> RedirectResponse:
    separator = "&" if "?" in uri else "?"
    return RedirectResponse(uri + separator + urlencode(params), status_code=302)


async def authorize(request: Request) -> Response:
    state = sandbox_state_of(request)
    query = request.query_params
    try:
        client = state.tokens.client(query.get("client_id", ""))
    except OAuthError as error:
        return _error(OAuthError(400, error.error, error.description))
    if query.get("redirect_uri") != client.redirect_uri:
        return _error(OAuthError(400, "invalid_request", "The redirect_uri does not match the registered one."))
    echo = {"state": query["state"]} if "state" in query else {}
    if query.get("response_type") != "code":
        return _redirect(client.redirect_uri, {"error": "unsupported_response_type", **echo})
    code = state.tokens.issue_code(client.client_id, client.redirect_uri)
    return _redirect(client.redirect_uri, {"code": code, **echo})


def _token_body(access: AccessToken, lifetime: int, refresh_token: str | None) -> dict[str, object]:
    # Shapes from documented-examples.json: the refresh response carries no refresh_token (clio.md §2).
    body: dict[str, object] = {"token_type": "bearer", "access_token": access.token, "expires_in": lifetime}
    if refresh_token is not None:
        body["refresh_token"] = refresh_token
    return body


async def token(request: Request) -> Response:
    state = sandbox_state_of(request)
    if request.headers.get("content-type", "").split(";")[0].strip() != FORM_CONTENT_TYPE:
        return _error(OAuthError(400, "invalid_request", f"The request body must be {FORM_CONTENT_TYPE}."))
    # Parsed here: Starlette's form parser needs python-multipart, which is not a dependency.
    fields = dict(parse_qsl((await request.body()).decode("latin-1"), keep_blank_values=True))
    grant_type = fields.get("grant_type", "")
    try:
        state.tokens.client(fields.get("client_id", ""), fields.get("client_secret", ""))
        if grant_type == "authorization_code":
            grant = state.tokens.grant_for_code(fields["client_id"], fields.get("code", ""),
                                                fields.get("redirect_uri", ""))
            refresh: str | None = grant.refresh_token
        elif grant_type == "refresh_token":
            grant = state.tokens.grant_for_refresh(fields["client_id"], fields.get("refresh_token", ""))
            refresh = None
        else:
            raise OAuthError(400, "unsupported_grant_type", "The grant_type must be authorization_code or "
                                                            "refresh_token.")
    except OAuthError as error:
        return _error(error)
    access = state.tokens.issue_access(grant)
    return JSONResponse(_token_body(access, state.tokens.access_lifetime, refresh),
                        headers={"Cache-Control": "no-store"})


async def deauthorize(request: Request) -> Response:
    state = sandbox_state_of(request)
    access = state.tokens.authenticate(bearer_token(request))
    if access is None:
        return JSONResponse(INVALID_TOKEN_BODY, status_code=401)
    state.tokens.revoke_grant(access.grant)
    return Response(status_code=200)


ROUTES = [
    Route("/oauth/authorize", authorize, methods=["GET"]),
    Route("/oauth/token", token, methods=["POST"]),
    Route("/oauth/deauthorize", deauthorize, methods=["POST"]),
]
