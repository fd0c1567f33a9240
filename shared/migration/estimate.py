"""What the migration will take, shown at the mapping gate: the records extracted per Clio object, the Dataverse
rows the dry run staged, the documents to move, and what the rate limits make of them. Clio does not document a
record count (clio.md §4: `meta.records` is not in the spec), so the counts come from the extraction itself; the
document moves are then bound by the Clio limit pre-flight read (one download per document version), the loading
by Dataverse's service protection, which no header states as rows per second: the load's ETA measures it."""
from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel


class Estimate(BaseModel):
    records: dict[str, int]  # extraction stream -> records extracted
    rows: int  # Dataverse rows staged by the dry run
    documents: int  # documents with a version to move (the latest; all versions may be more)
    document_bytes: int
    clio_requests_per_minute: int | None  # X-RateLimit-Limit as pre-flight saw it
    document_requests: int  # Clio downloads the moves need
    document_hours: float | None  # at the Clio limit, working through it without pause
    dataverse_parallelism: int | None  # x-ms-dop-hint

    def lines(self) -> list[str]:
        said = [f"{sum(self.records.values()):,} Clio records extracted; {self.rows:,} Dataverse rows staged",
                f"{self.documents:,} documents ({self.document_bytes / 2**30:.1f} GiB) need "
                f"{self.document_requests:,} Clio downloads"]
        if self.document_hours is not None:
            said.append(f"at {self.clio_requests_per_minute} Clio requests/min that is {self.document_hours:.1f} h "
                        "of moving (more in calendar time when moves wait for off-peak hours)")
        return said


def estimate(records: dict[str, int], rows: int, documents: Iterable[dict[str, Any]],
             clio_requests_per_minute: int | None, dataverse_parallelism: int | None) -> Estimate:
    """`documents`: the extracted document records (their latest version's size and readiness)."""
    count = size = 0
    for document in documents:
        latest = document.get("latest_document_version") or {}
        if document.get("deleted_at") or latest.get("id") is None or latest.get("fully_uploaded") is False:
            continue  # reported by the document plan, never downloaded
        count += 1
        size += int(latest.get("size") or document.get("size") or 0)
    hours = (math.ceil(count / clio_requests_per_minute) / 60 if clio_requests_per_minute else None)
    return Estimate(records=records, rows=rows, documents=count, document_bytes=size,
                    clio_requests_per_minute=clio_requests_per_minute, document_requests=count,
                    document_hours=hours, dataverse_parallelism=dataverse_parallelism)
