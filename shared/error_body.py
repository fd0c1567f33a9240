"""The `{"error": {"code": ..., "message": ...}}` body Dataverse and Microsoft Graph answer failures with."""
from __future__ import annotations

import httpx


def error_of(response: httpx.Response) -> tuple[str | None, str]:
    """The error code (Dataverse's `0x8004...`, Graph's `itemNotFound`) and message of a failed answer."""
    try:
        body = response.json()
    except ValueError:
        return None, response.text[:500] or response.reason_phrase
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return error.get("code"), str(error.get("message", ""))
    return None, response.reason_phrase
