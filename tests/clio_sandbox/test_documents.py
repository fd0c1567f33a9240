"""Document download per clio.md §7 Documents: 303 to a signed URL, bytes without auth."""
from __future__ import annotations

import hashlib
import resource
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx

from sandboxes.clio.documents import generated_bytes
from tests.clio_sandbox.conftest import Sandbox, make_config, running_sandbox

BIG_VERSION_SIZE = 3 * 1024 * 1024 + 17  # version 2, the latest of document 1 (firm.py)


def download_location(sandbox: Sandbox, path: str = "/api/v4/documents/1/download.json", **params: Any) -> str:
    response = sandbox.get(path, params=params, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"]


def test_download_is_303_to_a_same_server_url_and_costs_a_request(sandbox: Sandbox) -> None:
    before = sandbox.state.limiter.counters.served
    location = download_location(sandbox)
    assert location.startswith(f"{sandbox.base_url}/_files/2?")
    assert sandbox.state.limiter.counters.served == before + 1


def test_file_url_streams_the_bytes_without_authorization(sandbox: Sandbox) -> None:
    location = download_location(sandbox)
    served = sandbox.state.limiter.counters.served
    first = httpx.get(location)
    second = httpx.get(location)
    assert first.status_code == 200 and "authorization" not in first.request.headers
    assert int(first.headers["Content-Length"]) == len(first.content) == BIG_VERSION_SIZE
    assert hashlib.sha256(first.content).hexdigest() == hashlib.sha256(second.content).hexdigest()
    assert sandbox.state.limiter.counters.served == served  # the file URL is not rate limited


def test_generated_bytes_are_stable_across_instances(firm: dict[str, Any]) -> None:
    digests = []
    for _ in range(2):
        with running_sandbox(firm, make_config()) as box:
            digests.append(hashlib.sha256(httpx.get(download_location(box)).content).hexdigest())
    assert digests[0] == digests[1]
    # Pinned: a change to the generator would change every firm's document bytes.
    assert digests[0] == "39fbf1f0e0c1816f02ee75543f7e814f604a185727e27339795ebd1e3b326173"


def test_specific_version_and_foreign_version(sandbox: Sandbox) -> None:
    older = httpx.get(download_location(sandbox, document_version_id=1))
    assert len(older.content) == 1000
    wrong = sandbox.get("/api/v4/documents/1/download.json", params={"document_version_id": 3},
                        follow_redirects=False)
    assert wrong.status_code == 404
    assert sandbox.get("/api/v4/documents/77/download.json", follow_redirects=False).status_code == 404


def test_range_requests(sandbox: Sandbox) -> None:
    location = download_location(sandbox)
    whole = httpx.get(location).content
    part = httpx.get(location, headers={"Range": "bytes=1048570-1048589"})
    assert part.status_code == 206 and part.content == whole[1048570:1048590]
    assert part.headers["Content-Range"] == f"bytes 1048570-1048589/{BIG_VERSION_SIZE}"
    tail = httpx.get(location, headers={"Range": "bytes=-10"})
    assert tail.content == whole[-10:]
    assert httpx.get(location, headers={"Range": f"bytes={BIG_VERSION_SIZE}-"}).status_code == 416


def test_expired_or_tampered_file_urls_are_refused(sandbox: Sandbox) -> None:
    location = download_location(sandbox)
    assert httpx.get(location.replace("/_files/2?", "/_files/1?")).status_code == 403
    sandbox.state.clock.advance(601)
    assert httpx.get(location).status_code == 403


def test_file_beside_the_firm_file_overrides_generated_bytes(tmp_path: Path, firm: dict[str, Any]) -> None:
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "2").write_bytes(b"real contract text")
    firm_file = tmp_path / "firm.json"
    firm_file.write_text(json.dumps(firm))
    with running_sandbox(firm_file, make_config()) as box:
        response = httpx.get(download_location(box))
        assert response.content == b"real contract text"
        assert response.headers["Content-Length"] == str(len(b"real contract text"))


async def _count(version_id: int, size: int) -> int:
    return sum([len(chunk) async for chunk in generated_bytes(version_id, 0, size)])


def test_generator_makes_300_mb_in_a_few_seconds() -> None:
    started = time.monotonic()
    assert anyio.run(_count, 9, 300 * 1024 * 1024) == 300 * 1024 * 1024
    assert time.monotonic() - started < 5


def test_300_mb_streams_over_http_in_constant_memory(firm: dict[str, Any]) -> None:
    size = 300 * 1024 * 1024
    firm["document_versions"][1]["size"] = firm["documents"][0]["latest_document_version"]["size"] = size
    with running_sandbox(firm, make_config()) as box:
        location = download_location(box)
        peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started, received = time.monotonic(), 0
        with httpx.stream("GET", location) as response:
            assert response.headers["Content-Length"] == str(size)
            for chunk in response.iter_raw(1 << 20):
                received += len(chunk)
        assert received == size
        assert time.monotonic() - started < 10
        peak_growth_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
        assert peak_growth_kib < 100 * 1024  # server and client share this process


def test_location_keeps_the_api_host(sandbox: Sandbox) -> None:
    assert urlsplit(download_location(sandbox)).netloc == urlsplit(sandbox.base_url).netloc
