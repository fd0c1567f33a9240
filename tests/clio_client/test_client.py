"""The Clio client against the sandbox: auth, pacing from headers, Retry-After, version pinning, downloads."""
from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import pytest

from activities.clio_extract import record_problems
from localrun.clio_sandbox import RunningClio, running_clio
from shared.clio.client import ClioClient
from shared.clio.errors import ClioAuthError, ClioRequestError, ClioVersionGone
from shared.clio.models import resource_catalogue
from shared.settings import Settings


def client_for(clio: RunningClio, **overrides: str) -> ClioClient:
    return ClioClient(Settings(**{**clio.settings(), **overrides}))  # type: ignore[arg-type]


def test_refreshes_once_when_the_token_expires_mid_run(clio: RunningClio) -> None:
    client = client_for(clio)
    spec = resource_catalogue().get("users")
    assert client.fetch_page(client.first_page_url(spec)).page.data
    clio.state.expire_all_access_tokens()
    assert client.fetch_page(client.first_page_url(spec)).page.data
    assert client.tokens.refreshes == 2


def test_a_bad_refresh_token_is_an_auth_error_without_the_secret(clio: RunningClio) -> None:
    client = client_for(clio, CLIO_REFRESH_TOKEN="not-a-token")
    with pytest.raises(ClioAuthError) as failure:
        client.get(client.url("/users.json"))
    assert "not-a-token" not in str(failure.value) and clio.client_secret not in str(failure.value)


def test_pinned_version_and_fields_errors_are_typed(clio: RunningClio) -> None:
    with pytest.raises(ClioVersionGone):
        client_for(clio, CLIO_API_VERSION="4.0.1").get(client_for(clio).url("/users.json"))
    client = client_for(clio)
    with pytest.raises(ClioRequestError) as failure:
        client.get(client.url("/matters.json"), {"fields": "id,document_versions"})
    assert failure.value.status == 400 and failure.value.error_type == "InvalidFields"


def test_pacing_spends_the_window_without_429(tiny_firm: tuple[Path, dict[str, Any]]) -> None:
    with running_clio(tiny_firm[0], rate_limit=8, window_seconds=2) as clio:
        client = client_for(clio)
        url = client.url("/users.json")
        started = time.monotonic()
        for _ in range(20):
            client.get(url, {"fields": "id"})
        elapsed = time.monotonic() - started
        assert clio.state.counters.throttled == 0
        assert clio.state.counters.served == 20
        assert elapsed >= 2.0, "20 requests at 8 per 2 s need at least two window changes"


def test_retry_after_is_honoured_when_another_process_spends_the_budget(
        tiny_firm: tuple[Path, dict[str, Any]]) -> None:
    with running_clio(tiny_firm[0], rate_limit=5, window_seconds=2) as clio:
        first, second = client_for(clio), client_for(clio)
        second.tokens = first.tokens  # one access token, two pacers: as two worker instances of the app
        url = first.url("/users.json")
        for _ in range(5):
            first.get(url, {"fields": "id"})
        started = time.monotonic()
        for _ in range(3):
            second.get(url, {"fields": "id"})
        assert clio.state.counters.throttled == 1, "only the request that found the window spent"
        assert second.pacer.throttled == 1
        assert clio.state.counters.served == 8
        assert time.monotonic() - started > 0.5, "Retry-After was waited out"


def test_download_follows_303_without_the_bearer_token(clio: RunningClio) -> None:
    client = client_for(clio)
    document = min(clio.state.store.all("documents"),
                   key=lambda d: abs(d["latest_document_version"]["size"] - 1_000_000))
    seen: dict[str, Any] = {}
    original = client._files.stream

    def spy(method: str, url: str, **kwargs: Any) -> Any:
        seen["url"], seen["headers"] = url, dict(client._files.headers)
        return original(method, url, **kwargs)

    client._files.stream = spy  # type: ignore[method-assign]
    digest, size = hashlib.sha256(), 0
    with client.download(document["id"]) as response:
        for chunk in response.iter_bytes():
            digest.update(chunk)
            size += len(chunk)
    assert size == document["latest_document_version"]["size"]
    assert "/_files/" in seen["url"] and "authorization" not in {k.lower() for k in seen["headers"]}
    with client.download(document["id"]) as again:
        assert hashlib.sha256(again.read()).hexdigest() == digest.hexdigest(), "document bytes are stable"


def test_record_problems_name_each_unusable_record() -> None:
    records = [{"id": 1}, {"name": "no id"}, {"id": 1}, {"id": True}, {"id": "text_line-1"}, {"id": ""}]
    assert record_problems(records) == [
        {"index": 1, "id": None, "reason": "record has no usable id"},
        {"index": 2, "id": 1, "reason": "id appears twice on this page"},
        {"index": 3, "id": True, "reason": "record has no usable id"},
        {"index": 5, "id": "", "reason": "record has no usable id"}]
