"""Request bodies: file bytes streamed to disk chunk by chunk (hashing as they pass), so memory stays flat for any
size; and JSON bodies."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from starlette.requests import ClientDisconnect, Request

from sandboxes.graph.errors import GraphError, invalid_request
from shared.graph.quickxor import QuickXorHash


async def receive_into(request: Request, target: Path, offset: int, limit: int, hasher: QuickXorHash,
                       too_large: GraphError) -> int:
    """Writes the body at `offset` of `target` (which must exist when offset > 0); returns its length. On any
    failure the file is cut back to `offset`, as if the request never came."""
    received = 0
    with target.open("r+b" if target.exists() else "wb") as out:
        out.seek(offset)
        try:
            async for chunk in request.stream():
                received += len(chunk)
                if received > limit:
                    raise too_large
                out.write(chunk)
                hasher.update(chunk)
        except BaseException:
            out.truncate(offset)
            raise
        out.truncate()
    return received


async def drain(request: Request) -> None:
    """Reads what is left of the body, so an early answer does not break the client's upload mid-send."""
    try:
        async for _ in request.stream():
            pass
    except (RuntimeError, ClientDisconnect):  # already read, or the client is gone
        pass


async def json_object(request: Request, optional: bool = False) -> dict[str, Any]:
    """The body as a JSON object, else 400 invalidRequest; with `optional`, no body at all reads as `{}`."""
    raw = await request.body()
    if optional and not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise invalid_request("The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    return body
