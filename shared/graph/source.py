"""The bytes of one upload: read in order a fragment at a time, hashed (quickXorHash and SHA-256) as they are first
read, and read again from an earlier offset only by seeking or reopening. The last fragment read is kept, so
sending it again needs no re-read: a one-pass source (a pipe, a chunk iterator) can still resume a session."""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Any, Protocol, Union, runtime_checkable

from shared.graph.errors import GraphUploadError
from shared.graph.quickxor import QuickXorHash


@runtime_checkable
class Readable(Protocol):
    """A binary file or anything with its `read`; re-readable from an offset if it also has `seekable` and
    `seek` (and `tell`, where it starts)."""
    def read(self, size: int = ..., /) -> bytes: ...


Opener = Callable[[int], Readable]  # opens the source positioned at the given byte offset
UploadSource = Union[Readable, Opener, Iterable[bytes]]


class _Chunks:
    """An iterable of byte chunks read like a file (one pass only)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""

    def read(self, size: int = -1, /) -> bytes:
        # One join per read, the overshoot of the last chunk kept for the next: a fragment is copied once.
        parts: list[bytes | memoryview] = [self._pending] if self._pending else []
        have = len(self._pending)
        while size < 0 or have < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            parts.append(chunk)
            have += len(chunk)
        self._pending = b""
        if 0 <= size < have:
            last = memoryview(parts[-1])
            cut = len(last) - (have - size)
            parts[-1], self._pending = last[:cut], bytes(last[cut:])
        return b"".join(parts)


class SourceReader:
    def __init__(self, source: UploadSource, size: int) -> None:
        self.size = size
        self._opener: Opener | None = None
        self._stream: Readable | None = None
        self._opened: Readable | None = None  # what we opened ourselves, and so close
        self._origin = 0
        if isinstance(source, Readable):
            self._stream = source
            self._origin = _file(source).tell() if _seekable(source) else 0
        elif callable(source):
            self._opener = source
        else:
            self._stream = _Chunks(iter(source))
        self._position = 0
        self._hashed = 0
        self._quick_xor = QuickXorHash()
        self._sha256 = hashlib.sha256()
        self._kept_at = 0
        self._kept = b""

    def __enter__(self) -> SourceReader:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        _close(self._opened)

    def read(self, offset: int, length: int) -> bytes:
        """Exactly `length` bytes from `offset`."""
        kept_end = self._kept_at + len(self._kept)
        head = self._kept[offset - self._kept_at:offset - self._kept_at + length] \
            if self._kept_at <= offset < kept_end else b""
        self._kept = b""  # read on without holding the fragment before (the session has it)
        rest = length - len(head)
        data = head + self._read_at(offset + len(head), rest) if rest else head
        self._kept_at, self._kept = offset, data
        return data

    @property
    def complete(self) -> bool:
        return self._hashed == self.size

    def digests(self) -> tuple[str, str]:
        """(quickXorHash in Base64, SHA-256 in hex) of the whole source; every byte must have been read."""
        if not self.complete:
            raise GraphUploadError(f"Only {self._hashed} of {self.size} bytes were read")
        return self._quick_xor.b64digest(), self._sha256.hexdigest()

    def _read_at(self, offset: int, length: int) -> bytes:
        if self._stream is None or offset != self._position:
            self._reposition(offset)
        assert self._stream is not None and offset <= self._hashed
        parts: list[bytes] = []
        missing = length
        while missing:
            part = self._stream.read(missing)
            if not part:
                raise GraphUploadError(f"The source ended at byte {offset + length - missing}; "
                                       f"{self.size} bytes were announced")
            parts.append(part)
            missing -= len(part)
        data = parts[0] if len(parts) == 1 else b"".join(parts)
        self._position = offset + length
        if self._position > self._hashed:
            fresh = memoryview(data)[self._hashed - offset:]
            self._quick_xor.update(fresh)
            self._sha256.update(fresh)
            self._hashed = self._position
        return data

    def _reposition(self, offset: int) -> None:
        if self._opener is not None:
            _close(self._opened)
            self._opened = self._opener(offset)
            self._stream = self._opened
        elif self._stream is not None and _seekable(self._stream):
            _file(self._stream).seek(self._origin + offset)
        else:
            raise GraphUploadError(f"The source cannot be read again from byte {offset}: pass a seekable file or "
                                   "a callable that opens the source at an offset")
        self._position = offset


def _seekable(stream: object) -> bool:
    check = getattr(stream, "seekable", None)
    return bool(check and check())


def _file(stream: object) -> Any:
    """The stream as a file whose seek and tell `_seekable` has vouched for."""
    return stream


def _close(stream: Readable | None) -> None:
    close = getattr(stream, "close", None)
    if close is not None:
        close()
