"""Clio's error bodies (clio.md §8): `{"error":{"type":..,"message":..}}`, except 401 which is OAuth-shaped."""
from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

INVALID_TOKEN_BODY = {
    "error": "invalid_token",
    "error_description": "The access token provided is expired, revoked, malformed or invalid for other reasons.",
}


class ClioError(Exception):
    """Raised anywhere below an API route; turned into Clio's error response by the route wrapper."""

    def __init__(self, status: int, error_type: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {error_type}: {message}")
        self.status = status
        self.error_type = error_type
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"type": self.error_type, "message": self.message}}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


class InvalidToken(ClioError):
    def __init__(self) -> None:
        super().__init__(401, "invalid_token", INVALID_TOKEN_BODY["error_description"])

    def body(self) -> dict[str, Any]:
        return dict(INVALID_TOKEN_BODY)


def bad_request(message: str, error_type: str = "BadRequest") -> ClioError:
    return ClioError(400, error_type, message)


def invalid_field(name: str) -> ClioError:
    # clio.md §5 [FIELDS][DOCV]: exact documented shape.
    return ClioError(400, "InvalidFields", f"{name} is not a valid field")


def not_found(resource: str, record_id: object) -> ClioError:
    # clio.md §8: 404 type name undocumented; clients must not match on it.
    return ClioError(404, "RecordNotFound", f"{resource} {record_id} was not found")
