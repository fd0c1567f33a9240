"""Rate limits (clio.md §3) and X-API-VERSION (clio.md §1)."""
from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.clio_sandbox.conftest import Sandbox, make_config, running_sandbox

RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


def test_rate_headers_on_every_api_response_including_errors(sandbox: Sandbox) -> None:
    responses = [
        sandbox.get("/api/v4/matters.json"),
        sandbox.get("/api/v4/matters.json", params={"fields": "nope"}),
        sandbox.get("/api/v4/matters/999999.json"),
        sandbox.get("/api/v4/matters.json", headers={"X-API-VERSION": "3.0.0"}),
        httpx.get(f"{sandbox.base_url}/api/v4/matters.json"),
    ]
    assert [r.status_code for r in responses] == [200, 400, 404, 410, 401]
    for response in responses:
        assert all(name in response.headers for name in RATE_HEADERS), response.headers


def test_429_with_retry_after_when_the_window_is_used_up(firm: dict[str, Any]) -> None:
    with running_sandbox(firm, make_config(rate_limit=3)) as box:
        answers = [box.get("/api/v4/users.json") for _ in range(4)]
        assert [r.status_code for r in answers] == [200, 200, 200, 429]
        assert [r.headers["X-RateLimit-Remaining"] for r in answers] == ["2", "1", "0", "0"]
        limited = answers[-1]
        assert limited.json()["error"]["type"] and limited.json()["error"]["message"]
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        assert int(limited.headers["X-RateLimit-Reset"]) == int(answers[0].headers["X-RateLimit-Reset"])
        other = box.new_token()  # a refreshed token has its own window
        assert box.get("/api/v4/users.json", headers={"Authorization": f"Bearer {other}"}).status_code == 200
        box.state.clock.advance(60)
        assert box.get("/api/v4/users.json").status_code == 200
        assert box.state.counters.served == 5 and box.state.counters.throttled == 1


def test_version_header_echoed_defaulted_and_unknown_is_410(sandbox: Sandbox) -> None:
    assert sandbox.get("/api/v4/users.json").headers["X-API-VERSION"] == "4.0.13"
    pinned = sandbox.get("/api/v4/users.json", headers={"X-API-VERSION": "4.0.13"})
    assert pinned.headers["X-API-VERSION"] == "4.0.13"
    gone = sandbox.get("/api/v4/users.json", headers={"X-API-VERSION": "4.0.99"})
    assert gone.status_code == 410 and gone.json()["error"]["type"]
    assert "X-API-VERSION" not in gone.headers


@pytest.mark.parametrize("path", ["/api/v4/matters.json", "/api/v4/matters", "/api/v4/matters/1",
                                  "/api/v4/users/who_am_i"])
def test_spec_and_bare_paths_are_both_served(sandbox: Sandbox, path: str) -> None:
    assert sandbox.get(path).status_code == 200
