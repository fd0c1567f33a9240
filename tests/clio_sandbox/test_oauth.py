"""OAuth per clio.md §2 and the 401 shape per §8 [E401]."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from sandboxes.clio.errors import INVALID_TOKEN_BODY
from tests.clio_sandbox.conftest import CLIENT, Sandbox, make_config, running_sandbox

WHO = "/api/v4/users/who_am_i.json"


def authorize(sandbox: Sandbox, **overrides: str) -> httpx.Response:
    params = {"response_type": "code", "client_id": CLIENT.client_id, "redirect_uri": CLIENT.redirect_uri,
              "state": "xyz", **overrides}
    return httpx.get(f"{sandbox.base_url}/oauth/authorize", params=params)


def token(sandbox: Sandbox, **form: str) -> httpx.Response:
    body = {"client_id": CLIENT.client_id, "client_secret": CLIENT.client_secret, **form}
    return httpx.post(f"{sandbox.base_url}/oauth/token", data=body)


def code_from(response: httpx.Response) -> str:
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CLIENT.redirect_uri
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"]
    return query["code"][0]


def call(sandbox: Sandbox, access_token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {access_token}"} if access_token else {}
    return httpx.get(f"{sandbox.base_url}{WHO}", headers=headers)


def test_authorization_code_flow_issues_documented_token_shape(sandbox: Sandbox) -> None:
    code = code_from(authorize(sandbox))
    issued = token(sandbox, grant_type="authorization_code", code=code, redirect_uri=CLIENT.redirect_uri)
    assert issued.status_code == 200
    body = issued.json()
    assert set(body) == {"token_type", "access_token", "expires_in", "refresh_token"}
    assert body["token_type"] == "bearer" and body["expires_in"] == 2_592_000
    assert call(sandbox, body["access_token"]).status_code == 200
    reused = token(sandbox, grant_type="authorization_code", code=code, redirect_uri=CLIENT.redirect_uri)
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"


def test_refresh_token_is_reusable_and_refresh_response_has_no_refresh_token(sandbox: Sandbox) -> None:
    refresh = sandbox.state.mint_refresh_token(CLIENT.client_id)
    first = token(sandbox, grant_type="refresh_token", refresh_token=refresh)
    second = token(sandbox, grant_type="refresh_token", refresh_token=refresh)
    assert first.status_code == second.status_code == 200
    assert "refresh_token" not in first.json()
    assert first.json()["access_token"] != second.json()["access_token"]
    assert call(sandbox, first.json()["access_token"]).status_code == 200
    assert call(sandbox, second.json()["access_token"]).status_code == 200


@pytest.mark.parametrize("overrides, error", [
    ({"client_id": "nobody"}, "invalid_client"),
    ({"redirect_uri": "http://evil.example/cb"}, "invalid_request"),
])
def test_authorize_refuses_bad_client_or_redirect_without_redirecting(sandbox: Sandbox, overrides: dict[str, str],
                                                                      error: str) -> None:
    response = authorize(sandbox, **overrides)
    assert response.status_code == 400 and "location" not in response.headers
    assert response.json()["error"] == error


def test_authorize_with_wrong_response_type_redirects_with_error(sandbox: Sandbox) -> None:
    response = authorize(sandbox, response_type="token")
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.headers["location"]).query) == {"error": ["unsupported_response_type"],
                                                                      "state": ["xyz"]}


def test_token_endpoint_rejects_bad_secret_grant_and_json_body(sandbox: Sandbox) -> None:
    refresh = sandbox.state.mint_refresh_token(CLIENT.client_id)
    wrong_secret = token(sandbox, grant_type="refresh_token", refresh_token=refresh, client_secret="nope")
    assert wrong_secret.status_code == 401 and wrong_secret.json()["error"] == "invalid_client"
    unknown = token(sandbox, grant_type="refresh_token", refresh_token="made-up")
    assert unknown.status_code == 400 and unknown.json()["error"] == "invalid_grant"
    unsupported = token(sandbox, grant_type="client_credentials")
    assert unsupported.status_code == 400 and unsupported.json()["error"] == "unsupported_grant_type"
    as_json = httpx.post(f"{sandbox.base_url}/oauth/token", json={
        "grant_type": "refresh_token", "refresh_token": refresh, "client_id": CLIENT.client_id,
        "client_secret": CLIENT.client_secret})
    assert as_json.status_code == 400


@pytest.mark.parametrize("presented", [None, "garbage-token"])
def test_missing_or_unknown_token_gets_clios_exact_401(sandbox: Sandbox, presented: str | None) -> None:
    response = call(sandbox, presented)
    assert response.status_code == 401
    assert response.json() == INVALID_TOKEN_BODY
    assert "X-RateLimit-Limit" in response.headers


def test_expired_token_gets_401_until_refreshed(sandbox: Sandbox) -> None:
    refresh = sandbox.state.mint_refresh_token(CLIENT.client_id)
    access = sandbox.token_for(refresh)
    sandbox.state.clock.advance(2_592_000)
    expired = call(sandbox, access)
    assert expired.status_code == 401 and expired.json() == INVALID_TOKEN_BODY
    assert call(sandbox, sandbox.token_for(refresh)).status_code == 200


def test_short_token_lifetime_is_configurable(firm: dict[str, object]) -> None:
    with running_sandbox(firm, make_config(access_token_lifetime_seconds=5)) as box:
        issued = token(box, grant_type="refresh_token", refresh_token=box.state.mint_refresh_token(CLIENT.client_id))
        assert issued.json()["expires_in"] == 5
        assert call(box, issued.json()["access_token"]).status_code == 200
        box.state.clock.advance(5)
        assert call(box, issued.json()["access_token"]).status_code == 401


def test_deauthorize_revokes_access_and_refresh_tokens(sandbox: Sandbox) -> None:
    refresh = sandbox.state.mint_refresh_token(CLIENT.client_id)
    access = sandbox.token_for(refresh)
    revoked = httpx.post(f"{sandbox.base_url}/oauth/deauthorize", data={"token": access},
                         headers={"Authorization": f"Bearer {access}"})
    assert revoked.status_code == 200
    assert call(sandbox, access).json() == INVALID_TOKEN_BODY
    assert token(sandbox, grant_type="refresh_token", refresh_token=refresh).status_code == 400


def test_preauthorized_refresh_token_from_config(firm: dict[str, object]) -> None:
    with running_sandbox(firm, make_config(preauthorized_refresh_tokens={"demo-refresh": CLIENT.client_id})) as box:
        assert token(box, grant_type="refresh_token", refresh_token="demo-refresh").status_code == 200
