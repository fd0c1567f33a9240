"""ISO-8601 parsing shared by filters, conditional requests and the store."""
from __future__ import annotations

import re
from datetime import datetime, timezone

_DECODED_PLUS_OFFSET = re.compile(r" (\d\d:?\d\d)$")


def parse_iso8601(text: str) -> datetime:
    """Any ISO-8601 date or date-time (clio.md §1: parse any offset); naive means UTC. ValueError if not."""
    # An unencoded "+05:00" offset in a query string arrives as " 05:00".
    cleaned = _DECODED_PLUS_OFFSET.sub(r"+\1", text.strip())
    parsed = datetime.fromisoformat(cleaned)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
