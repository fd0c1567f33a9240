"""Typed failures of the Graph client, each with the HTTP status and Graph's error code (`itemNotFound`, ...)."""
from __future__ import annotations


class GraphError(Exception):
    def __init__(self, message: str, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class GraphAuthError(GraphError):
    """No token, or the token was refused (401/403)."""


class GraphRequestError(GraphError):
    """400 and other answers about the request itself: retrying the same request will not help."""


class GraphNotFound(GraphRequestError):
    """404 `itemNotFound`: the site, drive, item or upload session does not exist (any more)."""


class GraphConflict(GraphRequestError):
    """409 `nameAlreadyExists`, or a path that names a file where a folder is needed."""


class GraphThrottled(GraphError):
    """429 (or 503 with Retry-After) that kept coming back after waiting out Retry-After."""


class GraphServerError(GraphError):
    """5xx that kept coming back after retries."""


class GraphTransportError(GraphError):
    """Connection failures and timeouts that kept coming back after retries."""


class GraphUploadError(GraphError):
    """An upload that could not be completed: the source cannot be re-read, or the session kept failing."""


class GraphIntegrityError(GraphUploadError):
    """The stored file's size or quickXorHash differs from what was sent."""


RETRYABLE = (GraphServerError, GraphTransportError)  # a later attempt may not see these
