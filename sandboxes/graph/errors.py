"""Graph's error shape: `{"error": {"code": "...", "message": "...", "innerError": {...}}}` (GRAPH errors).

Codes are from Graph's documented list (itemNotFound, nameAlreadyExists, invalidRange, activityLimitReached, ...);
which code Graph picks for a given refusal is inferred where its pages do not say.
"""
from __future__ import annotations

import time
import uuid
from typing import Any

from starlette.responses import JSONResponse


class GraphError(Exception):
    """Raised anywhere below a route; turned into Graph's error response by the route wrapper."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "innerError": _inner_error()}, **self.extra}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def _inner_error() -> dict[str, str]:
    request_id = str(uuid.uuid4())
    return {"date": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()), "request-id": request_id,
            "client-request-id": request_id}


def injected(status: int) -> GraphError:
    return GraphError(status, "serviceNotAvailable" if status == 503 else "generalException", f"Injected {status}.")


def injected_error_body(status: int) -> dict[str, Any]:
    return injected(status).body()


def invalid_request(message: str) -> GraphError:
    return GraphError(400, "invalidRequest", message)


def method_not_allowed(method: str) -> GraphError:
    return GraphError(405, "invalidRequest", f"{method} is not supported here.")


def item_not_found(message: str = "The resource could not be found.") -> GraphError:
    return GraphError(404, "itemNotFound", message)


def name_already_exists(name: str) -> GraphError:
    return GraphError(409, "nameAlreadyExists", f"The specified item name already exists. Name: {name}")


def invalid_token(message: str) -> GraphError:
    return GraphError(401, "InvalidAuthenticationToken", message,
                      {"WWW-Authenticate": 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/'
                                          'common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"'})


def too_large(message: str) -> GraphError:
    return GraphError(413, "maxFileSizeExceeded", message)


def throttled(retry_after: int) -> GraphError:
    return GraphError(429, "activityLimitReached", "The request has been throttled.",
                      {"Retry-After": str(retry_after)})
