"""The estimate shown at the mapping gate: documents that will be downloaded, and their time at the Clio limit."""
from __future__ import annotations

from shared.migration.estimate import estimate


def _document(size: int, **latest: object) -> dict[str, object]:
    return {"id": size, "latest_document_version": {"id": size, "size": size, "fully_uploaded": True, **latest}}


def test_only_documents_that_will_be_downloaded_count_and_time_follows_the_limit() -> None:
    documents = [_document(2**30), _document(2**29), _document(10, fully_uploaded=False),
                 {"id": 4, "deleted_at": "2026-01-01T00:00:00Z", "latest_document_version": {"id": 4, "size": 1}},
                 {"id": 5, "latest_document_version": None}]
    figures = estimate({"documents": 5, "matters": 7}, 40, documents, 50, 4)
    assert (figures.documents, figures.document_bytes, figures.document_requests) == (2, 3 * 2**29, 2)
    assert figures.document_hours == 1 / 60  # two downloads fit in the first minute's 50
    assert figures.lines()[0] == "12 Clio records extracted; 40 Dataverse rows staged"
    assert "1.5 GiB" in figures.lines()[1]

    many = estimate({}, 0, [_document(1)] * 3001, 50, None)
    assert many.document_hours == 61 / 60  # 3,001 downloads: 61 windows of a minute


def test_without_a_reported_limit_there_is_no_duration() -> None:
    figures = estimate({}, 0, [_document(1)], None, None)
    assert figures.document_hours is None and len(figures.lines()) == 2
