"""A map binds only as approved: the hash covers exactly its content."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from shared.mapping.approval import ApprovedMap, MapNotApproved, approve, content_hash
from shared.mapping.maps import load_map

AT = datetime(2026, 11, 26, 14, 0, tzinfo=timezone.utc)


def test_an_approval_records_who_when_and_what() -> None:
    approved = approve(load_map(), "ada.attorney@firm.example", AT, note="practice area Litigation -> Cases")
    assert approved.approval.content_hash == content_hash(load_map())
    assert ApprovedMap.model_validate_json(approved.model_dump_json()).verify() == load_map()


def test_any_edit_after_approval_is_refused() -> None:
    approved = approve(load_map(), "ada.attorney@firm.example", AT)
    approved.map.parameters["case_practice_areas"] = [5101]
    with pytest.raises(MapNotApproved, match="differs from what ada.attorney@firm.example approved"):
        approved.verify()
    with pytest.raises(ValueError, match="time zone"):
        approve(load_map(), "ada", datetime(2026, 11, 26))
