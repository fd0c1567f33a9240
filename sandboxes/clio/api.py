"""The /api/v4 routes: authentication, rate limit and version around every call, then the resource handlers.

Both path forms are served: `/api/v4/matters.json` (spec) and `/api/v4/matters` (docs examples) (clio.md §1).
Writes: POST (201), PATCH (200) and DELETE (204) of the resources in `writes.RECORD_WRITES`; webhooks in
`webhooks/api.py`.
"""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from sandboxes.clio.conditional import not_modified, precondition_failed, validators
from sandboxes.clio.errors import ClioError, InvalidToken, bad_request, not_found
from sandboxes.clio.fields import parse_fields
from sandboxes.clio.params import parse_int
from sandboxes.clio.resources import ResourceSpec
from sandboxes.clio.state import SandboxState, bearer_token, sandbox_state_of
from sandboxes.clio.store import Record
from sandboxes.clio.tokens import AccessToken
from sandboxes.clio.versions import negotiate_version
from sandboxes.clio.webhooks.api import webhook_call
from sandboxes.clio.writes import accepts


class Call:
    """One authenticated API request."""

    def __init__(self, request: Request, state: SandboxState, access: AccessToken) -> None:
        self.request = request
        self.state = state
        self.access = access
        self.query = request.query_params

    def spec(self, resource: str) -> ResourceSpec:
        spec = self.state.resources.get(resource)
        if spec is None or resource == "document_versions":
            raise ClioError(404, "NotFound", f"/api/v4/{resource} does not exist")
        return spec

    def record(self, resource: str, record_id: str) -> Record:
        record = self.state.store.get(resource, record_id)
        if record is None:
            raise not_found(resource, record_id)
        return record

    def fields_for(self, schema: str) -> list[Any]:
        requests = parse_fields(self.query.get("fields"))
        self.state.renderer.validate(schema, requests)
        return requests

    def index(self, spec: ResourceSpec, by_id: list[Record], scope_extra: str = "") -> Response:
        requests = self.fields_for(spec.schema)
        matches = self.state.filters.matcher(spec, self.query)
        page = self.state.paginator.paginate(spec, by_id, matches, self.request.url, scope_extra)
        data = [self.state.renderer.render(spec.schema, record, requests) for record in page.records]
        return JSONResponse({"data": data, "meta": page.meta()})

    def single(self, schema: str, record: Record, conditional: bool = True) -> Response:
        requests = self.fields_for(schema)
        headers = validators(record)
        if conditional and not_modified(record, self.request.headers):
            return Response(status_code=304, headers=headers)
        return JSONResponse({"data": self.state.renderer.render(schema, record, requests)}, headers=headers)

    async def body(self) -> Any:
        try:
            return await self.request.json()
        except ValueError:
            raise bad_request("The request body is not valid JSON", "InvalidJSON") from None

    def check_if_match(self, record: Record) -> None:
        if precondition_failed(record, self.request.headers):
            raise ClioError(412, "PreconditionFailed", "If-Match does not match the current ETag")

    def written(self, schema: str, record: Record, fields: list[Any], status: int = 200) -> Response:
        return JSONResponse({"data": self.state.renderer.render(schema, record, fields)}, status_code=status,
                            headers=validators(record))

    async def create(self, resource: str) -> Response:
        spec = self.spec(resource)
        data = self.state.writer.validate("POST", resource, await self.body())
        fields = self.fields_for(spec.schema)
        created = self.state.store.create(resource, self.state.writer.new_record(resource, spec.schema, data))
        return self.written(spec.schema, created, fields, 201)

    async def patch(self, resource: str, record_id: str) -> Response:
        spec = self.spec(resource)
        record = self.record(resource, record_id)
        body = await self.body()
        self.check_if_match(record)
        data = self.state.writer.validate("PATCH", resource, body)
        fields = self.fields_for(spec.schema)
        updated = self.state.store.update(resource, record["id"], self.state.writer.changes(spec.schema, record, data))
        return self.written(spec.schema, updated, fields)

    def delete(self, resource: str, record_id: str) -> Response:
        record = self.record(resource, record_id)
        self.state.store.delete(resource, record["id"])
        return Response(status_code=204)

    def versions(self, document_id: str) -> Response:
        document = self.record("documents", document_id)
        spec = self.state.resources["document_versions"]
        return self.index(spec, self.state.store.versions_of(document["id"]), scope_extra=f"/{document['id']}")

    def download(self, document_id: str) -> Response:
        document = self.record("documents", document_id)
        version_id = self._version_to_download(document)
        version = self.state.files.version(version_id)
        if version is None or version.get("document_id", document["id"]) != document["id"]:
            raise not_found("document_versions", version_id)
        location = f"{self.request.base_url}_files/{version_id}?{self.state.signer.query(version_id)}"
        return RedirectResponse(location, status_code=303)

    def _version_to_download(self, document: Record) -> Any:
        raw = self.query.get("document_version_id")
        if raw is not None:
            return parse_int("document_version_id", raw)
        latest = document.get("latest_document_version") or {}
        if "id" in latest:
            return latest["id"]
        versions = self.state.store.versions_of(document["id"])
        if not versions:
            raise not_found("document_versions", f"of document {document['id']}")
        return max(versions, key=lambda v: v.get("version_number") or 0)["id"]

    def who_am_i(self) -> Response:
        return self.single("User", self.record("users", str(self.access.grant.user_id)))


async def _dispatch(call: Call, method: str, segments: list[str]) -> Response:
    if segments[0] == "webhooks":
        return await webhook_call(call, method, segments)
    if accepts(segments[0], method):
        match method, segments:
            case "POST", [resource]:
                return await call.create(resource)
            case "PATCH", [resource, record_id]:
                return await call.patch(resource, record_id)
            case "DELETE", [resource, record_id]:
                return call.delete(resource, record_id)
    if method == "GET":
        match segments:
            case [resource]:
                spec = call.spec(resource)
                return call.index(spec, call.state.store.by_id(spec.name))
            case ["users", "who_am_i"]:
                return call.who_am_i()
            case ["documents", document_id, "versions"]:
                return call.versions(document_id)
            case ["documents", document_id, "download"]:
                return call.download(document_id)
            case [resource, record_id] if call.spec(resource).show_path:
                spec = call.spec(resource)
                return call.single(spec.schema, call.record(resource, record_id))
    raise ClioError(404, "NotFound", f"{method} /api/v4/{'/'.join(segments)} does not exist")


async def api_endpoint(request: Request) -> Response:
    state = sandbox_state_of(request)
    token = bearer_token(request)
    access = state.tokens.authenticate(token)
    decision = state.limiter.hit(token or "")
    try:
        if access is None:
            raise InvalidToken()
        if not decision.allowed:
            raise ClioError(429, "RateLimited", "You have exceeded the rate limit for this access token",
                            {"Retry-After": decision.retry_after(state.clock.now())})
        version = negotiate_version(request, state.config)
        path = request.path_params["path"]
        segments = path.removesuffix(".json").split("/")
        response = await _dispatch(Call(request, state, access), request.method, segments)
        response.headers["X-API-VERSION"] = version
    except ClioError as error:
        response = error.response()
    response.headers.update(decision.headers())
    return response


ROUTES = [Route("/api/v4/{path:path}", api_endpoint, methods=["GET", "POST", "PATCH", "PUT", "DELETE"])]
