"""The signed download URLs the 303 points at (`/_files/<version id>`): no Authorization, not rate limited,
streamed with Content-Length, single byte ranges honoured (206/416). A bad or expired signature is 403, as an
object store answers a bad pre-signed URL (inferred)."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from sandboxes.clio.documents import parse_range
from sandboxes.clio.state import sandbox_state_of


async def file_endpoint(request: Request) -> Response:
    state = sandbox_state_of(request)
    version_id = request.path_params["version_id"]
    query = request.query_params
    if not state.signer.valid(version_id, query.get("expires", ""), query.get("signature", "")):
        return Response("Request has expired or the signature does not match", status_code=403,
                        media_type="text/plain")
    content = state.files.content(int(version_id) if version_id.isdigit() else version_id)
    if content is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    try:
        requested = parse_range(request.headers.get("range"), content.size)
    except ValueError:
        return Response(status_code=416, headers={"Content-Range": f"bytes */{content.size}"})
    start, end = requested or (0, content.size)
    headers = {"Content-Length": str(end - start), "Accept-Ranges": "bytes"}
    if requested:
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{content.size}"
    return StreamingResponse(content.stream(start, end), status_code=206 if requested else 200, headers=headers,
                             media_type="application/octet-stream")


ROUTES = [Route("/_files/{version_id}", file_endpoint, methods=["GET"])]
