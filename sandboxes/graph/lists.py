"""The list behind a document library over HTTP: `GET /drives/{id}/list`, `GET /sites/{site}/lists/{list}` and
`GET|POST …/lists/{list}/columns` (GRAPH list-list-columns, list-post-columns); and a driveItem's list item:
`GET …/listItem[?$expand=fields]`, `GET|PATCH …/listItem/fields` (GRAPH listitem-get, listitem-update)."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sandboxes.graph.addressing import Address, resolve
from sandboxes.graph.columns import ColumnBody
from sandboxes.graph.errors import item_not_found, method_not_allowed
from sandboxes.graph.receive import json_object
from sandboxes.graph.render import fields_json, list_item_json, list_json
from sandboxes.graph.state import GraphState
from sandboxes.graph.store import Drive, Item, Site


def document_list(state: GraphState, drive: Drive) -> Response:
    with state.store.lock:
        return JSONResponse(list_json(state.store, state.store.list_of(drive)))


async def site_list(request: Request, state: GraphState, site: Site, rest: str) -> Response:
    """`{list-id or title}[/columns]` below `/sites/{site}/lists/`."""
    reference, _, action = rest.partition("/")
    store = state.store
    with store.lock:
        listed = store.require_list(site, reference)
    route = (request.method, action)
    if route == ("GET", ""):
        with store.lock:
            return JSONResponse(list_json(store, listed))
    if route == ("GET", "columns"):
        with store.lock:
            return JSONResponse({"value": [column.json() for column in listed.columns.values() if not column.hidden]})
    if route == ("POST", "columns"):
        column = ColumnBody.parse(await json_object(request))
        with store.lock:
            listed.add(column)
        return JSONResponse(column.json(), status_code=201)
    raise method_not_allowed(request.method)


def get_list_item(request: Request, state: GraphState, drive: Drive, address: Address) -> Response:
    expand = request.query_params.get("$expand", request.query_params.get("expand", ""))
    with_fields = any(part.strip().startswith("fields") for part in expand.split(","))
    with state.store.lock:
        return JSONResponse(list_item_json(state.store, _list_item(state, drive, address), with_fields))


def get_fields(state: GraphState, drive: Drive, address: Address) -> Response:
    with state.store.lock:
        return JSONResponse(fields_json(_list_item(state, drive, address)))


async def update_fields(request: Request, state: GraphState, drive: Drive, address: Address) -> Response:
    """Sets the fields in the body, all or (on any refusal) none; answers the whole fieldValueSet."""
    body = await json_object(request)
    with state.store.lock:
        item = _list_item(state, drive, address)
        values = state.store.list_of(drive).checked(body)
        if values:
            state.store.update_fields(item, values)
        return JSONResponse(fields_json(item))


def _list_item(state: GraphState, drive: Drive, address: Address) -> Item:
    item = resolve(state.store, drive, address)
    if item.list_item_id is None:
        raise item_not_found("The root of a drive is not a list item.")
    return item
