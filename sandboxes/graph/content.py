"""Simple upload (GRAPH driveitem-put-content): `PUT …/{parent}:/{name}:/content` or `PUT …/items/{id}/content`,
the whole file in one body, streamed to disk; 201 for a new file, 200 when an existing one is replaced."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sandboxes.graph.addressing import Address, resolve, resolve_parent
from sandboxes.graph.errors import invalid_request, too_large
from sandboxes.graph.items import CONFLICT
from sandboxes.graph.receive import receive_into
from sandboxes.graph.render import item_json
from sandboxes.graph.state import GraphState
from sandboxes.graph.store import Drive, check_name, conflict_behavior
from shared.graph.quickxor import QuickXorHash


async def simple_upload(request: Request, state: GraphState, drive: Drive, address: Address) -> Response:
    limit = state.config.simple_upload_max_bytes
    refusal = too_large(f"Simple upload takes at most {limit} bytes; use an upload session.")
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise refusal if declared.isdigit() else invalid_request("Content-Length is not a number.")
    conflict = conflict_behavior(request.query_params.get(CONFLICT), "replace")
    store = state.store
    with store.lock:
        if address.path:
            parent, name = resolve_parent(store, drive, address)
            check_name(name)
            target = None
        else:
            target = resolve(store, drive, address)
            if target.is_folder:
                raise invalid_request("Content can only be uploaded to a file.")
    staged = store.staging_path()
    hasher = QuickXorHash()
    try:
        size = await receive_into(request, staged, 0, limit, hasher, refusal)
        with store.lock:
            if target is not None:
                store.replace_content(target, staged, size, hasher.b64digest())
                item, created = target, False
            else:
                item, created = store.commit_file(parent, name, staged, size, hasher.b64digest(), conflict)
            return JSONResponse(item_json(store, item), status_code=201 if created else 200)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
