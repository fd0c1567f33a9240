"""Upload sessions over HTTP (GRAPH createuploadsession): `POST …:/{name}:/createUploadSession`, then the
pre-authenticated upload URL: PUT a fragment, GET the status (to resume), DELETE to cancel.

Fragment rules: `Content-Range: bytes {start}-{end}/{total}` and a matching Content-Length; sequential (a start
other than the next expected byte is 416 with nextExpectedRanges); each fragment smaller than 60 MiB and, except
the last, a multiple of 320 KiB; intermediate answers 202 with nextExpectedRanges; the last one 201 (new) or 200
(replaced) with the driveItem. Every fragment extends the session's expiry. An Authorization header is refused
(Graph warns the pre-authenticated URL may answer 401 to one).
"""
from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from sandboxes.clio.faults import DroppedConnection
from sandboxes.dataverse.entra import request_origin
from sandboxes.graph.addressing import Address, resolve, resolve_parent
from sandboxes.graph.config import FRAGMENT_MULTIPLE
from sandboxes.graph.errors import GraphError, injected, invalid_request
from sandboxes.graph.items import CONFLICT
from sandboxes.graph.receive import json_object, receive_into
from sandboxes.graph.render import item_json, iso
from sandboxes.graph.sessions import UploadSession
from sandboxes.graph.state import GraphState
from sandboxes.graph.store import Drive, check_name, conflict_behavior
from sandboxes.graph.throttle import units_for

_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


async def create_session(request: Request, state: GraphState, drive: Drive, address: Address) -> Response:
    body = await json_object(request, optional=True)
    if set(body) - {"item", "deferCommit"} or not isinstance(body.get("item", {}), dict):
        raise invalid_request("Upload session properties must be wrapped in an 'item' object.")
    if body.get("deferCommit"):
        raise invalid_request("deferCommit is not supported by the sandbox.")
    properties: dict[str, Any] = body.get("item", {})
    with state.store.lock:
        if address.path:
            parent, name = resolve_parent(state.store, drive, address)
        else:
            existing = resolve(state.store, drive, address)
            if existing.is_folder or existing.parent_id is None:
                raise invalid_request("An upload session updates a file, or creates one under a folder.")
            parent, name = state.store.items[existing.parent_id], existing.name
    if properties.get("name") not in (None, name):
        raise invalid_request("The name in the body differs from the one in the path.")
    check_name(name)
    conflict = conflict_behavior(properties.get(CONFLICT), "replace")
    session = state.sessions.create(drive.id, parent.id, name, conflict, request.state.app)
    return JSONResponse({"uploadUrl": f"{request_origin(request)}/uploads/{session.id}", **_status(session)})


async def upload_url(request: Request, state: GraphState) -> Response:
    if "authorization" in request.headers:
        raise GraphError(401, "unauthenticated",
                         "The upload URL is pre-authenticated; send no Authorization header to it.")
    session = state.sessions.get(request.path_params["session_id"])
    state.budget.charge(session.app, units_for(request.method))
    if request.method == "GET":
        return JSONResponse(_status(session))
    if request.method == "DELETE":
        state.sessions.end(session)
        return Response(status_code=204)
    return await _put_fragment(request, state, session)


async def _put_fragment(request: Request, state: GraphState, session: UploadSession) -> Response:
    start, end, total = _check_fragment(request, state, session)
    session.fragments += 1
    fault = state.fragment_faults.pick(session)
    if fault is not None and fault.kind == "status":
        raise injected(fault.status)
    session.busy = True
    try:
        hasher = session.hasher.copy()
        length = end - start + 1
        received = await receive_into(request, session.file, start, length, hasher,
                                      invalid_request("The body is longer than Content-Length."))
        if received != length:
            with session.file.open("r+b") as out:
                out.truncate(start)
            raise invalid_request("The body is shorter than Content-Length.")
    finally:
        session.busy = False
    session.total, session.received, session.hasher = total, end + 1, hasher
    state.sessions.touch(session)
    answer = _complete(state, session) if session.received == total else JSONResponse(_status(session), 202)
    return DroppedAnswer(answer) if fault is not None else answer


def _check_fragment(request: Request, state: GraphState, session: UploadSession) -> tuple[int, int, int]:
    match = _CONTENT_RANGE.match(request.headers.get("content-range", ""))
    if match is None:
        raise invalid_request("A fragment needs 'Content-Range: bytes {start}-{end}/{total}'.")
    start, end, total = (int(group) for group in match.groups())
    declared = request.headers.get("content-length", "")
    if not declared.isdigit():
        raise GraphError(411, "invalidRequest", "A fragment needs a Content-Length.")
    length = int(declared)
    if start > end or length != end - start + 1:
        raise invalid_request("Content-Length does not match Content-Range.")
    if length >= state.config.fragment_max_bytes:
        raise GraphError(413, "invalidRequest", "A fragment must be smaller than 60 MiB.")
    if (session.total is not None and total != session.total) or end >= total:
        raise invalid_request("The Content-Range total does not match the file being uploaded.")
    if session.busy or start != session.received:
        raise GraphError(416, "invalidRange", "The uploaded fragment overlaps or skips bytes; see "
                         "nextExpectedRanges.", extra={"nextExpectedRanges": session.next_expected_ranges()})
    if end + 1 < total and length % FRAGMENT_MULTIPLE:
        raise invalid_request("A fragment other than the last must be a multiple of 320 KiB (327,680 bytes).")
    return start, end, total


def _complete(state: GraphState, session: UploadSession) -> Response:
    """Puts the received file in place; a name conflict (conflictBehavior fail) leaves the session for retry."""
    store = state.store
    assert session.total is not None
    with store.lock:
        parent = store.require_item(session.drive_id, session.parent_id)
        item, created = store.commit_file(parent, session.name, session.file, session.total,
                                          session.hasher.b64digest(), session.conflict)
        body = item_json(store, item)
    state.sessions.end(session)
    return JSONResponse(body, status_code=201 if created else 200)


def _status(session: UploadSession) -> dict[str, Any]:
    return {"expirationDateTime": iso(session.expires), "nextExpectedRanges": session.next_expected_ranges()}


class DroppedAnswer(Response):
    """Fault injection: the head and half the body of `answer` go out, then the connection breaks."""

    def __init__(self, answer: Response) -> None:
        super().__init__(bytes(answer.body), answer.status_code, media_type=answer.media_type)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": self.body[: len(self.body) // 2], "more_body": True})
        raise DroppedConnection("fault injection dropped the connection mid-answer")
