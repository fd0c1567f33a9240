"""Reading driveItems and their versions, listing, creating folders and deleting."""
from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sandboxes.dataverse.entra import request_origin
from sandboxes.graph.addressing import Address, resolve
from sandboxes.graph.errors import GraphError, invalid_request
from sandboxes.graph.receive import json_object
from sandboxes.graph.render import item_json, version_json
from sandboxes.graph.state import GraphState
from sandboxes.graph.store import Drive, Item, conflict_behavior

CONFLICT = "@microsoft.graph.conflictBehavior"


def get_item(state: GraphState, drive: Drive, address: Address) -> Response:
    with state.store.lock:
        return JSONResponse(item_json(state.store, resolve(state.store, drive, address)))


def list_versions(state: GraphState, drive: Drive, address: Address) -> Response:
    """The file's versions, newest (the current one) first (GRAPH driveitem-list-versions)."""
    with state.store.lock:
        item = resolve(state.store, drive, address)
        if item.is_folder:
            raise invalid_request("Only a file has versions.")
        versions = [state.store.current_version(item), *item.versions]
        return JSONResponse({"value": [version_json(version) for version in versions]})


def delete_item(state: GraphState, drive: Drive, address: Address, if_match: str | None = None) -> Response:
    """204; a folder goes with everything in it. With `if-match`, an eTag or cTag that is no longer the item's is
    a 412 and nothing is deleted (GRAPH driveitem-delete). Graph moves the item to the site's recycle bin; the
    sandbox has none, so the item is simply gone from the drive, as it is for every Graph read."""
    with state.store.lock:
        item = resolve(state.store, drive, address)
        if item.parent_id is None:
            raise GraphError(403, "accessDenied", "The root of a drive cannot be deleted.")
        if if_match is not None and if_match.strip() not in _tags(state, item):
            # The code Graph documents for "changed since the caller last read it, usually an eTag mismatch".
            raise GraphError(412, "resourceModified", "The resource has changed since the caller last read it.")
        state.store.delete(item)
    return Response(status_code=204)


def _tags(state: GraphState, item: Item) -> set[str]:
    rendered = item_json(state.store, item)
    return {rendered["eTag"], *([rendered["cTag"]] if "cTag" in rendered else [])}


def list_children(request: Request, state: GraphState, drive: Drive, address: Address) -> Response:
    """One page of children; `@odata.nextLink` (with a `$skiptoken`) leads to the next."""
    top = _int_param(request, "$top", state.config.page_size)
    if not 1 <= top <= state.config.max_page_size:
        raise invalid_request(f"$top must be between 1 and {state.config.max_page_size}.")
    start = _skip(request.query_params.get("$skiptoken"))
    with state.store.lock:
        folder = resolve(state.store, drive, address)
        children = state.store.children(folder) if folder.is_folder else []
        page = [item_json(state.store, child) for child in children[start:start + top]]
    body: dict[str, Any] = {"value": page}
    if start + top < len(children):
        token = base64.urlsafe_b64encode(f"offset={start + top}".encode()).decode()
        query = urlencode({"$top": top, "$skiptoken": token})
        body["@odata.nextLink"] = f"{request_origin(request)}{quote(request.url.path)}?{query}"
    return JSONResponse(body)


async def create_folder(request: Request, state: GraphState, drive: Drive, address: Address) -> Response:
    body = await json_object(request)
    if not isinstance(body.get("name"), str) or body.get("folder") != {}:
        raise invalid_request("A folder needs a 'name' and an empty 'folder' facet.")
    conflict = conflict_behavior(body.get(CONFLICT), "fail")
    with state.store.lock:
        parent = resolve(state.store, drive, address)
        if not parent.is_folder:
            raise invalid_request("The parent item is not a folder.")
        folder = state.store.create_folder(parent, body["name"], conflict)
        return JSONResponse(item_json(state.store, folder), status_code=201)


def _int_param(request: Request, name: str, default: int) -> int:
    value = request.query_params.get(name)
    if value is None:
        return default
    if not value.isdigit():
        raise invalid_request(f"Invalid value for {name}: '{value}'.")
    return int(value)


def _skip(token: str | None) -> int:
    if token is None:
        return 0
    try:
        key, _, value = base64.urlsafe_b64decode(token.encode()).decode().partition("=")
        if key == "offset" and value.isdigit():
            return int(value)
    except ValueError:
        pass
    raise invalid_request("The $skiptoken is not valid.")
