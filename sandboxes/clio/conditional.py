"""ETag / Last-Modified and conditional requests on single records (clio.md §5 [ETAG])."""
from __future__ import annotations

from datetime import timezone
from email.utils import format_datetime, parsedate_to_datetime

from starlette.datastructures import Headers

from sandboxes.clio.store import Record
from sandboxes.clio.timestamps import parse_iso8601


def validators(record: Record) -> dict[str, str]:
    headers = {"ETag": str(record["etag"])}
    if record.get("updated_at"):
        modified = parse_iso8601(record["updated_at"]).astimezone(timezone.utc)
        headers["Last-Modified"] = format_datetime(modified, usegmt=True)
    return headers


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def not_modified(record: Record, headers: Headers) -> bool:
    """If-None-Match wins over If-Modified-Since when both are sent (RFC 9110 §13.2.2)."""
    if "if-none-match" in headers:
        tags = _etags(headers["if-none-match"])
        return "*" in tags or str(record["etag"]) in tags
    if "if-modified-since" in headers and record.get("updated_at"):
        try:
            since = parsedate_to_datetime(headers["if-modified-since"])
        except (TypeError, ValueError):
            return False
        return parse_iso8601(record["updated_at"]).replace(microsecond=0) <= since
    return False


def precondition_failed(record: Record, headers: Headers) -> bool:
    if "if-match" not in headers:
        return False
    tags = _etags(headers["if-match"])
    return "*" not in tags and str(record["etag"]) not in tags
