"""Uploading one file (GRAPH driveitem-put-content, driveitem-createuploadsession): one PUT up to the simple-upload
limit; above it an upload session, sent in fragments to its pre-authenticated URL (no Authorization header).

After a failed fragment (connection lost, 5xx, 416) the upload asks the session which bytes it still wants and
carries on from there; a session that is gone (expired or cancelled) is replaced and the upload begins again,
unless it was the last fragment's answer that got lost and the file is already in place. Either way the stored
file's size and quickXorHash must match what was read, or the upload fails.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import httpx

from shared.graph.addresses import CONFLICT, item_path
from shared.graph.errors import RETRYABLE, GraphIntegrityError, GraphUploadError
from shared.graph.models import ConflictBehavior, DriveItem, UploadResult, UploadSession
from shared.graph.source import SourceReader, UploadSource
from shared.retrying import retrying

if TYPE_CHECKING:
    from shared.graph.client import GraphClient

_MAX_RESTARTS = 3
_MAX_STALLS = 10  # answers in a row that move the upload no further (416, a lost session)


def upload(client: GraphClient, drive_id: str, folder_id: str, name: str, source: UploadSource, size: int,
           conflict: ConflictBehavior) -> UploadResult:
    if size < 0:
        raise ValueError("size must not be negative")
    with SourceReader(source, size) as reader:
        if size <= client.simple_upload_max_bytes:
            item, requests = _simple(client, reader, drive_id, folder_id, name, conflict)
            return _verified(client, drive_id, item, reader, "simple", requests)
        session = SessionUpload(client, reader, drive_id, folder_id, name, conflict)
        item = session.run()
        return _verified(client, drive_id, item, reader, "session", session.requests, session.resumed,
                         session.restarted)


def _simple(client: GraphClient, reader: SourceReader, drive_id: str, folder_id: str, name: str,
            conflict: ConflictBehavior) -> tuple[DriveItem, int]:
    data = reader.read(0, reader.size)
    attempts = 0

    def put() -> httpx.Response:
        nonlocal attempts
        attempts += 1
        return client.send("PUT", f"{item_path(drive_id, folder_id, name)}/content", content=data,
                           params={CONFLICT: conflict}, headers={"Content-Type": "application/octet-stream"})

    response = retrying(put, RETRYABLE, client.max_attempts)
    return DriveItem.model_validate(response.json()), attempts


def _verified(client: GraphClient, drive_id: str, item: DriveItem, reader: SourceReader,
              method: Literal["simple", "session"], requests: int, resumed: int = 0,
              restarted: int = 0) -> UploadResult:
    quick_xor, sha256 = reader.digests()
    if _reported_hash(item) is None:  # a driveItem answer may come without hashes; the item itself has them
        item = client.item(drive_id, item.id)
    if item.size != reader.size or _reported_hash(item) != quick_xor:
        raise GraphIntegrityError(f"'{item.name}' was stored with {item.size} bytes and quickXorHash "
                                  f"{_reported_hash(item)}; {reader.size} bytes with {quick_xor} were sent")
    return UploadResult(item=item, size=reader.size, quick_xor_hash=quick_xor, sha256=sha256, method=method,
                        requests=requests, resumed=resumed, restarted=restarted)


def _reported_hash(item: DriveItem) -> str | None:
    return item.file.hashes.quick_xor_hash if item.file else None


class SessionUpload:
    def __init__(self, client: GraphClient, reader: SourceReader, drive_id: str, folder_id: str, name: str,
                 conflict: ConflictBehavior) -> None:
        self.client = client
        self.reader = reader
        self.drive_id, self.folder_id, self.name, self.conflict = drive_id, folder_id, name, conflict
        self.url = ""
        self.offset = 0
        self.unsure = False  # the last fragment's fate is unknown: ask the session before sending more
        self.requests = self.resumed = self.restarted = self.stalls = 0

    def run(self) -> DriveItem:
        self._open()
        while True:
            item = retrying(self._step, RETRYABLE, self.client.max_attempts)
            if item is not None:
                return item
            if self.stalls >= _MAX_STALLS:
                raise GraphUploadError(f"Uploading '{self.name}' makes no progress (offset {self.offset})")

    def _open(self) -> None:
        body = {"item": {CONFLICT: self.conflict, "name": self.name}}
        path = f"{item_path(self.drive_id, self.folder_id, self.name)}/createUploadSession"
        session = UploadSession.model_validate(self.client.request("POST", path, json_body=body).json())
        if not session.upload_url:
            raise GraphUploadError(f"No uploadUrl in the upload session for '{self.name}'")
        self.url, self.offset, self.unsure = session.upload_url, 0, False

    def _step(self) -> DriveItem | None:
        """Sends the next fragment; the stored item once the last one is in, else None."""
        if self.unsure:
            lost = self._resume()
            if lost is not None or self.unsure:
                return lost
        size = self.reader.size
        length = min(self.client.fragment_bytes, size - self.offset)
        data = self.reader.read(self.offset, length)
        headers = {"Content-Length": str(length),
                   "Content-Range": f"bytes {self.offset}-{self.offset + length - 1}/{size}"}
        self.unsure = True
        self.requests += 1
        response = self.client.send("PUT", self.url, authorized=False, content=data, headers=headers,
                                    allow=(404, 416))
        if response.status_code == 416:
            self.stalls += 1
            return None
        if response.status_code == 404:
            return self._lost()
        self.unsure, self.stalls = False, 0
        if response.status_code == 202:
            next_offset = UploadSession.model_validate(response.json()).next_offset()
            self.offset, self.unsure = (next_offset, False) if next_offset is not None else (self.offset, True)
            return None
        return DriveItem.model_validate(response.json())

    def _resume(self) -> DriveItem | None:
        """Asks the session which bytes it still wants (GET on the upload URL) and carries on from there."""
        self.resumed += 1
        response = self.client.send("GET", self.url, authorized=False, allow=(404,))
        if response.status_code == 404:
            return self._lost()
        next_offset = UploadSession.model_validate(response.json()).next_offset()
        if next_offset is None:
            raise GraphUploadError(f"The upload session for '{self.name}' has every byte but made no file")
        self.offset, self.unsure = next_offset, False
        return None

    def _lost(self) -> DriveItem | None:
        """The session is gone: expired or cancelled — or complete, with its last answer lost on the way."""
        self.stalls += 1
        if self.reader.complete:
            item = self.client.item_at(self.drive_id, self.name, self.folder_id)
            if item is not None and item.size == self.reader.size and \
                    _reported_hash(item) == self.reader.digests()[0]:
                return item
        self.restarted += 1
        if self.restarted > _MAX_RESTARTS:
            raise GraphUploadError(f"The upload session for '{self.name}' was lost {self.restarted} times")
        self._open()
        return None
