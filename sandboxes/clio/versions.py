"""X-API-VERSION (clio.md §1 "Minor versions"): omitted -> default; unknown or retired -> 410 Gone."""
from __future__ import annotations

from starlette.requests import Request

from sandboxes.clio.config import SandboxConfig
from sandboxes.clio.errors import ClioError


def negotiate_version(request: Request, config: SandboxConfig) -> str:
    asked = request.headers.get("x-api-version")
    if asked is None:
        return config.default_api_version
    if asked.strip() not in config.api_versions:
        # Body shape per the generic Error schema; the type name is undocumented (inferred).
        raise ClioError(410, "ApiVersionGone", f"API version {asked} is not supported")
    return asked.strip()
