"""The HTTP face of `/v1.0/…`: the bearer check, the resource-unit budget, errors in Graph's shape, routing."""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandboxes.graph.addressing import parse_address
from sandboxes.graph.content import simple_upload
from sandboxes.graph.config import GRAPH_RESOURCE
from sandboxes.graph.errors import GraphError, invalid_request, invalid_token, method_not_allowed
from sandboxes.graph.items import create_folder, delete_item, get_item, list_children, list_versions
from sandboxes.graph.lists import document_list, get_fields, get_list_item, site_list, update_fields
from sandboxes.graph.receive import drain
from sandboxes.graph.render import drive_json, site_json
from sandboxes.graph.state import GraphState, state_of
from sandboxes.graph.throttle import units_for
from sandboxes.graph.uploads import create_session, upload_url

Handler = Callable[[Request, GraphState], Awaitable[Response]]


def graph_endpoint(handler: Handler, authenticated: bool = True) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        state = state_of(request)
        try:
            if authenticated:
                request.state.app = authenticate(state, request)
                state.budget.charge(request.state.app, units_for(request.method))
            return await handler(request, state)
        except GraphError as error:
            await drain(request)
            return error.response()
    return endpoint


def authenticate(state: GraphState, request: Request) -> str:
    """The client id of the app whose live Graph token came with the request."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise invalid_token("Access token is empty.")
    user = state.tokens.check(token.strip(), GRAPH_RESOURCE)
    if user is None:
        raise invalid_token("Access token validation failure. Invalid audience, signature or lifetime.")
    return user.client_id


async def sites(request: Request, state: GraphState) -> Response:
    """`/sites/{hostname}:/sites/{path}[:]`, `/sites/{site-id}`, either followed by `/drives` or `/lists/…`."""
    rest = request.path_params["rest"]
    if ":" in rest.split("/", 1)[0]:
        hostname, _, remainder = rest.partition(":")
        site_path, _, tail = remainder.partition(":")
        site = state.store.site_by_path(hostname, site_path)
    else:
        site_id, _, tail = rest.partition("/")
        site = state.store.require_site(site_id)
    tail = tail.strip("/")
    if tail.startswith("lists/"):
        return await site_list(request, state, site, tail[len("lists/"):])
    if request.method != "GET":
        raise method_not_allowed(request.method)
    if tail == "":
        return JSONResponse(site_json(site))
    if tail == "drives":
        drives = [drive_json(state.store, state.store.drives[drive_id]) for drive_id in site.drive_ids]
        return JSONResponse({"value": drives})
    raise invalid_request(f"Resource not found for the segment '{tail}'.")


async def drives(request: Request, state: GraphState) -> Response:
    drive = state.store.require_drive(request.path_params["drive_id"])
    if request.path_params["rest"] == "list":
        if request.method != "GET":
            raise method_not_allowed(request.method)
        return document_list(state, drive)
    address = parse_address(request.path_params["rest"])
    route = (request.method, address.action)
    if route == ("PUT", "content"):
        return await simple_upload(request, state, drive, address)
    if route == ("POST", "createUploadSession"):
        return await create_session(request, state, drive, address)
    if route == ("GET", ""):
        return get_item(state, drive, address)
    if route == ("DELETE", ""):
        return delete_item(state, drive, address, request.headers.get("if-match"))
    if route == ("GET", "children"):
        return list_children(request, state, drive, address)
    if route == ("POST", "children"):
        return await create_folder(request, state, drive, address)
    if route == ("GET", "versions"):
        return list_versions(state, drive, address)
    if route == ("GET", "listItem"):
        return get_list_item(request, state, drive, address)
    if route == ("GET", "listItem/fields"):
        return get_fields(state, drive, address)
    if route == ("PATCH", "listItem/fields"):
        return await update_fields(request, state, drive, address)
    raise method_not_allowed(request.method)


async def unknown(request: Request, state: GraphState) -> Response:
    raise invalid_request(f"Resource not found for the segment '{request.path_params['rest'].split('/', 1)[0]}'.")


_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
ROUTES = [
    Route("/v1.0/sites/{rest:path}", graph_endpoint(sites), methods=_METHODS),
    Route("/v1.0/drives/{drive_id}/{rest:path}", graph_endpoint(drives), methods=_METHODS),
    Route("/v1.0/{rest:path}", graph_endpoint(unknown), methods=_METHODS),
    Route("/uploads/{session_id}", graph_endpoint(upload_url, authenticated=False),
          methods=["GET", "PUT", "DELETE"]),
]
