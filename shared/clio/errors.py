"""Typed failures of the Clio client. Each carries the HTTP status and Clio's error type where there is one."""
from __future__ import annotations


class ClioError(Exception):
    def __init__(self, message: str, status: int | None = None, error_type: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type


class ClioAuthError(ClioError):
    """401 after one refresh, or the token endpoint refused the refresh token."""


class ClioPermissionError(ClioError):
    """403: the app lacks the access permission, or the authorising user's role forbids it (clio.md §2)."""


class ClioNotFound(ClioError):
    """404: the record does not exist or is not visible to the authorising user."""


class ClioRequestError(ClioError):
    """400/422: the request itself is wrong (InvalidFields, ArgumentError, validation)."""


class ClioVersionGone(ClioError):
    """410: the pinned X-API-VERSION is unknown or retired."""


class ClioRateLimited(ClioError):
    """429 that kept coming back after honouring Retry-After."""


class ClioServerError(ClioError):
    """5xx that kept coming back after retries."""


class ClioTransportError(ClioError):
    """Connection failures and timeouts that kept coming back after retries."""


class ClioMalformedResponse(ClioError):
    """A 2xx whose body is not the JSON envelope Clio documents."""
