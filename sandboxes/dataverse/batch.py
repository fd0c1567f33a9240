"""`$batch`: multipart/mixed with changesets (dataverse.md §3.1, §13.5)."""
from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from sandboxes.dataverse.errors import DataverseError, bad_request
from sandboxes.dataverse.operation import API_ROOT, Operation, Reply

if TYPE_CHECKING:
    from sandboxes.dataverse.state import DataverseState

CRLF = b"\r\n"


@dataclass
class Part:
    request_line: str
    headers: dict[str, str]
    body: bytes
    content_id: str | None = None


@dataclass
class ChangeSet:
    parts: list[Part] = field(default_factory=list)


def _boundary(content_type: str) -> str:
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not match or not content_type.lower().startswith("multipart/mixed"):
        raise bad_request("The $batch request must be multipart/mixed with a boundary.")
    return match.group(1)


def _lf_error() -> DataverseError:
    # §3.1 (ERRWEB): LF-only line endings.
    return bad_request("Error identified in Payload provided by the user for Entity :'', For more information on "
                       "this error please follow this help link https://go.microsoft.com/fwlink/?linkid=2195293 "
                       "----> InnerException : System.ArgumentException: Stream was not readable.", "0x80048d19")


def _headers(block: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in block.split(CRLF):
        if line.strip():
            name, _, value = line.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
    return headers


def _sections(body: bytes, boundary: str) -> list[bytes]:
    delimiter = b"--" + boundary.encode()
    if delimiter + b"--" not in body:
        raise bad_request(f"The $batch body does not end with the closing boundary --{boundary}--.")
    chunks = body.split(delimiter)
    sections = []
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        if not chunk.startswith(CRLF):
            raise _lf_error()
        sections.append(chunk[2:])
    return sections


def _part(section: bytes) -> Part | ChangeSet:
    if b"\n" in section.replace(CRLF, b""):
        raise _lf_error()
    head, separator, rest = section.partition(CRLF + CRLF)
    if not separator:
        raise _lf_error()
    headers = _headers(head)
    content_type = headers.get("content-type", "")
    if content_type.lower().startswith("multipart/mixed"):
        changeset = ChangeSet()
        for inner in _sections(rest, _boundary(content_type)):
            part = _part(inner)
            if isinstance(part, ChangeSet):
                raise bad_request("Change sets cannot be nested.")
            changeset.parts.append(part)
        return changeset
    if not content_type.lower().startswith("application/http"):
        raise bad_request("Each $batch part must have Content-Type: application/http.")
    request_head, _, body = rest.partition(CRLF + CRLF)
    lines = request_head.split(CRLF)
    body = body[:-2] if body.endswith(CRLF) else body
    return Part(lines[0].decode(), _headers(CRLF.join(lines[1:])), body, headers.get("content-id"))


def _operation(part: Part, outer: Operation) -> Operation:
    match = re.fullmatch(r"(GET|POST|PATCH|PUT|DELETE) (\S+) HTTP/1\.1", part.request_line.strip())
    if match is None:
        raise bad_request(f"Invalid request line in $batch part: '{part.request_line}'.")
    method, target = match.groups()
    url = urlsplit(target)
    path = url.path
    if path.startswith("$"):
        pass  # a Content-ID reference: resolved against the batch context
    elif API_ROOT + "/" in path:
        path = path[path.index(API_ROOT + "/") + len(API_ROOT) + 1:]
    elif path.startswith("/") or url.scheme:
        raise bad_request(f"The $batch part URL '{target}' is not below the service root.")
    if path.startswith("$batch"):
        raise bad_request("Nested $batch requests are not supported.")  # §3.1
    return Operation(method, path, dict(parse_qsl(url.query)), {**_inherited(outer), **part.headers}, part.body,
                     outer.principal, outer.origin)


def _inherited(outer: Operation) -> dict[str, str]:
    return {name: value for name, value in outer.headers.items() if name in ("callerobjectid",)}


def _http(reply: Reply, content_id: str | None) -> bytes:
    head = [b"Content-Type: application/http", b"Content-Transfer-Encoding: binary"]
    if content_id is not None:
        head.append(f"Content-ID: {content_id}".encode())
    reason = {200: "OK", 201: "Created", 204: "No Content", 304: "Not Modified", 400: "Bad Request",
              404: "Not Found", 412: "Precondition Failed", 429: "Too Many Requests"}.get(reply.status, "Error")
    lines = [f"HTTP/1.1 {reply.status} {reason}".encode()]
    lines += [f"{name}: {value}".encode() for name, value in reply.content_headers().items()]
    body = reply.encoded()
    return CRLF.join(head) + CRLF + CRLF + CRLF.join(lines) + CRLF + CRLF + body + CRLF


def _resolve_content_id(operation: Operation, content_ids: dict[str, str]) -> None:
    if operation.path.startswith("$"):
        reference, _, rest = operation.path.partition("/")
        if reference not in content_ids:
            raise bad_request(f"Content-ID Reference: '{reference}' does not exist in the batch context.")
        target = content_ids[reference].split(API_ROOT + "/", 1)[-1]
        operation.path = target + (f"/{rest}" if rest else "")


class BatchRunner:
    def __init__(self, state: DataverseState, outer: Operation, execute: Callable[[Operation], Reply]) -> None:
        self.state = state
        self.outer = outer
        self.execute = execute
        self.content_ids: dict[str, str] = {}

    def _run_one(self, part: Part) -> Reply:
        operation = _operation(part, self.outer)
        _resolve_content_id(operation, self.content_ids)
        operation.content_ids = self.content_ids
        reply = self.execute(operation)
        if part.content_id is not None and "OData-EntityId" in reply.headers:
            self.content_ids[f"${part.content_id}"] = reply.headers["OData-EntityId"]
        return reply

    def _changeset(self, changeset: ChangeSet) -> tuple[bytes, Reply | None]:
        boundary = f"changesetresponse_{uuid.uuid4()}"
        for part in changeset.parts:
            if part.request_line.startswith("GET "):
                raise bad_request("GET requests are not allowed inside a change set.")  # §3.1
        replies: list[tuple[Part, Reply]] = []
        try:
            with self.state.store.transaction():
                for part in changeset.parts:
                    reply = self._run_one(part)
                    replies.append((part, reply))
                    if reply.status >= 400:
                        raise _ChangesetFailed(reply)
        except _ChangesetFailed as failed:
            # §3.1: atomic; the response carries the failing operation only.
            return _http(failed.reply, replies[-1][0].content_id), failed.reply
        body = b"".join(b"--" + boundary.encode() + CRLF + _http(reply, part.content_id)
                        for part, reply in replies)
        body += b"--" + boundary.encode() + b"--" + CRLF
        framed = f"Content-Type: multipart/mixed; boundary={boundary}".encode() + CRLF + CRLF + body
        return framed, None

    def run(self, body: bytes, content_type: str) -> tuple[int, bytes, str]:
        if b"\n" in body.replace(CRLF, b""):
            raise _lf_error()
        items = [_part(section) for section in _sections(body, _boundary(content_type))]
        count = sum(len(item.parts) if isinstance(item, ChangeSet) else 1 for item in items)
        if count > self.state.config.max_batch_operations:
            raise bad_request(f"The maximum number of requests in a batch is {self.state.config.max_batch_operations}"
                              f"; this batch has {count}.", "0x8005f104")
        boundary = f"batchresponse_{uuid.uuid4()}"
        chunks: list[bytes] = []
        status = 200
        keep_going = self.outer.prefer.continue_on_error
        for item in items:
            if isinstance(item, ChangeSet):
                framed, failure = self._changeset(item)
            else:
                reply = self._run_one(item)
                framed, failure = _http(reply, item.content_id), reply if reply.status >= 400 else None
            chunks.append(b"--" + boundary.encode() + CRLF + framed)
            if failure is not None and not keep_going:
                status = failure.status  # §3.1: stops at the first error, outer status = that error
                break
        payload = b"".join(chunks) + b"--" + boundary.encode() + b"--" + CRLF
        return status, payload, f"multipart/mixed; boundary={boundary}"


class _ChangesetFailed(Exception):
    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply
