"""Request bodies streamed to disk chunk by chunk (hashing as they pass), so memory stays flat for any size."""
from __future__ import annotations

from pathlib import Path

from starlette.requests import ClientDisconnect, Request

from sandboxes.graph.errors import GraphError
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
