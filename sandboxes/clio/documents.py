"""Document bytes and their download URLs (clio.md §7 Documents).

`GET /documents/{id}/download.json` answers 303 to a signed, expiring URL on this server (`/_files/<version id>`),
standing in for the pre-signed object-store URL: it needs no Authorization header and is not rate limited.
The bytes are `documents/<version id>` beside the firm file when present, else generated from the version id
and its size (README "The firm file"): 1 MiB blocks from a PRNG seeded per block, so any range is cheap and a
300 MB file streams in constant memory.
"""
from __future__ import annotations

import hashlib
import hmac
import random
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import anyio

from sandboxes.clio.clock import SandboxClock
from sandboxes.clio.store import FirmStore, Record

BLOCK_SIZE = 1 << 20
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def generated_block(version_id: int | str, index: int) -> bytes:
    return random.Random(f"clio-sandbox:{version_id}:{index}").randbytes(BLOCK_SIZE)


async def generated_bytes(version_id: int | str, start: int, end: int) -> AsyncIterator[bytes]:
    """Bytes [start, end) of a generated document version."""
    position = start
    while position < end:
        index, skip = divmod(position, BLOCK_SIZE)
        chunk = generated_block(version_id, index)[skip:skip + end - position]
        position += len(chunk)
        yield chunk
        await anyio.sleep(0)


async def file_bytes(path: Path, start: int, end: int) -> AsyncIterator[bytes]:
    async with await anyio.open_file(path, "rb") as handle:
        await handle.seek(start)
        remaining = end - start
        while remaining > 0:
            chunk = await handle.read(min(BLOCK_SIZE, remaining))
            if not chunk:
                raise OSError(f"{path} is shorter than expected")
            remaining -= len(chunk)
            yield chunk


@dataclass(frozen=True)
class VersionContent:
    version_id: int | str
    size: int
    path: Path | None

    def stream(self, start: int, end: int) -> AsyncIterator[bytes]:
        if self.path is not None:
            return file_bytes(self.path, start, end)
        return generated_bytes(self.version_id, start, end)


class DocumentFiles:
    def __init__(self, store: FirmStore) -> None:
        self.store = store

    def version(self, version_id: int | str) -> Record | None:
        found = self.store.get("document_versions", version_id)
        if found is not None:
            return found
        for document in self.store.all("documents"):
            latest = document.get("latest_document_version") or {}
            if str(latest.get("id")) == str(version_id) and "size" in latest:
                return {**latest, "document_id": document["id"]}
        return None

    def content(self, version_id: int | str) -> VersionContent | None:
        version = self.version(version_id)
        if version is None:
            return None
        firm_dir = self.store.firm_dir
        path = firm_dir / "documents" / str(version_id) if firm_dir is not None else None
        if path is not None and path.is_file():
            return VersionContent(version_id, path.stat().st_size, path)
        return VersionContent(version_id, int(version.get("size") or 0), None)


class UrlSigner:
    def __init__(self, secret: bytes, clock: SandboxClock, lifetime_seconds: int) -> None:
        self._secret = secret
        self._clock = clock
        self.lifetime_seconds = lifetime_seconds

    def _signature(self, version_id: str, expires: int) -> str:
        return hmac.new(self._secret, f"{version_id}:{expires}".encode(), hashlib.sha256).hexdigest()

    def query(self, version_id: int | str) -> str:
        expires = int(self._clock.now()) + self.lifetime_seconds
        return f"expires={expires}&signature={self._signature(str(version_id), expires)}"

    def valid(self, version_id: str, expires: str, signature: str) -> bool:
        if not expires.isdigit() or int(expires) < self._clock.now():
            return False
        return hmac.compare_digest(self._signature(version_id, int(expires)), signature)


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """[start, end) for a single `bytes=` range; None = whole file. ValueError if unsatisfiable."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None or match.group(1) == match.group(2) == "":
        return None  # multi-range or unknown unit: serve the whole file (RFC 9110 allows ignoring Range)
    first, last = match.groups()
    if first == "":
        start, end = max(0, size - int(last)), size
    else:
        start, end = int(first), min(size, int(last) + 1) if last else size
    if start >= size or start >= end:
        raise ValueError("unsatisfiable range")
    return start, end
