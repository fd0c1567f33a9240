"""Typed failures of the Dataverse client, each with the HTTP status and Dataverse's error code (`0x8004...`)."""
from __future__ import annotations


class DataverseError(Exception):
    def __init__(self, message: str, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class DataverseAuthError(DataverseError):
    """No token, or the token was refused (401)."""


class DataverseRequestError(DataverseError):
    """400/403/404/412 and other answers about the request itself: retrying the same request will not help."""


class DataverseThrottled(DataverseError):
    """429 service protection that kept coming back after waiting out Retry-After."""


class DataverseServerError(DataverseError):
    """5xx that kept coming back after retries."""


class DataverseTransportError(DataverseError):
    """Connection failures and timeouts that kept coming back after retries."""
