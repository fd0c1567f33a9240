"""The HTTP face of `/api/data/v9.2/…`: bearer check, service protection, latency model, `$batch`, headers."""
from __future__ import annotations

import asyncio
import time
import uuid

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandboxes.dataverse.batch import BatchRunner
from sandboxes.dataverse.dispatch import execute
from sandboxes.dataverse.entra import request_origin
from sandboxes.dataverse.errors import DataverseError, unauthorized
from sandboxes.dataverse.operation import API_ROOT, Operation, Reply
from sandboxes.dataverse.principal import Principal, resolve_principal
from sandboxes.dataverse.state import DataverseState, state_of


def _respond(state: DataverseState, status: int, headers: dict[str, str], body: bytes,
             principal: Principal | None) -> Response:
    request_id = str(uuid.uuid4())
    extra = {"x-ms-dop-hint": str(state.config.dop_hint), "OData-Version": "4.0", "REQ_ID": request_id,
             "x-ms-service-request-id": request_id}
    if principal is not None:
        requests_left, seconds_left = state.limiter.remaining(principal.key)
        extra["x-ms-ratelimit-burst-remaining-xrm-requests"] = str(max(0, requests_left))
        extra["x-ms-ratelimit-time-remaining-xrm-requests"] = f"{max(0.0, seconds_left):.2f}"
    return Response(body, status_code=status, headers={**headers, **extra})


def _reply_response(state: DataverseState, reply: Reply, principal: Principal | None) -> Response:
    return _respond(state, reply.status, reply.content_headers(), reply.encoded(), principal)


def _authenticate(state: DataverseState, request: Request) -> Principal:
    origin = request_origin(request)
    tenant = state.config.application_users[0].tenant_id if state.config.application_users else "common"
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized(f"{origin}/{tenant}/oauth2/authorize")
    user = state.tokens.check(token.strip(), origin)
    if user is None:
        raise unauthorized(f"{origin}/{tenant}/oauth2/authorize")
    # §6: CallerObjectId (Entra object id) impersonation; MSCRMCallerID is the legacy systemuserid form.
    return resolve_principal(user, request.headers.get("callerobjectid"), request.headers.get("mscrmcallerid"),
                             state.store)


async def _run(state: DataverseState, request: Request, principal: Principal) -> Response:
    started = time.monotonic()
    path = request.url.path[len(API_ROOT) + 1:]
    headers = {name.lower(): value for name, value in request.headers.items()}
    operation = Operation(request.method, path, dict(request.query_params), headers, await request.body(), principal,
                          request_origin(request))

    def run() -> tuple[Response, int]:
        with state.store.lock:
            return execute_locked()

    def execute_locked() -> tuple[Response, int]:
        written_before = state.store.rows_written
        if path == "$batch":
            if request.method != "POST":
                raise DataverseError(405, "", "$batch accepts POST only.")
            runner = BatchRunner(state, operation, lambda part: execute(state, part))
            status, payload, content_type = runner.run(operation.body, headers.get("content-type", ""))
            answer = _respond(state, status, {"Content-Type": content_type}, payload, principal)
        else:
            answer = _reply_response(state, execute(state, operation), principal)
        return answer, state.store.rows_written - written_before

    # One request executes at a time (under the store's lock), off the event loop, so requests sleeping out
    # their simulated latency wake on time while another one executes.
    response, rows = await asyncio.to_thread(run)
    latency = state.config.latency
    # The model is the request's whole server time: queueing and the sandbox's own processing are part of it.
    simulated = latency.seconds_per_request + rows * latency.seconds_per_row_written - (time.monotonic() - started)
    if simulated > 0:
        await asyncio.sleep(simulated)
    return response


async def data_api(request: Request) -> Response:
    state = state_of(request)
    principal: Principal | None = None
    try:
        principal = _authenticate(state, request)
        state.limiter.enter(principal.key)
    except DataverseError as error:
        return _reply_response(state, Reply.of_error(error), principal if error.status == 429 else None)
    started = time.monotonic()
    try:
        return await _run(state, request, principal)
    except DataverseError as error:
        return _reply_response(state, Reply.of_error(error), principal)
    finally:
        # §4: the simulated server time counts as execution time (it was slept, so it is in the elapsed time).
        state.limiter.leave(principal.key, time.monotonic() - started)


ROUTES = [Route(API_ROOT + "/{path:path}", data_api, methods=["GET", "POST", "PATCH", "PUT", "DELETE"])]
