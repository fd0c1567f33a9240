"""SharePoint name rules and Clio's peak hours: pure functions, checked against the documented rules."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from shared.documents.names import MAX_NAME, numbered, safe_name
from shared.documents.off_peak import PeakHours, peak_hours, region_of


@pytest.mark.parametrize("name, safe, changed", [
    ("Letter.pdf", "Letter.pdf", False),
    ('a:b?"c"|d<e>*.pdf', "a_b__c__d_e__.pdf", True),
    ("  padded. ", "padded", True),
    ("CON.txt", "CON_.txt", True),
    ("nul", "nul_", True),
    ("~$draft.docx", "_$draft.docx", True),
    ("my_vti_file.doc", "my_vti-file.doc", True),
    ("", "Document 9", True),
    (".gitignore", ".gitignore", False),
])
def test_names_are_made_safe_and_every_change_has_a_reason(name: str, safe: str, changed: bool) -> None:
    result, reason = safe_name(name, "Document 9")
    assert result == safe
    assert (reason is not None) is changed


def test_a_long_name_keeps_its_extension() -> None:
    result, reason = safe_name("x" * 400 + ".pdf", "d")
    assert len(result) == MAX_NAME and result.endswith(".pdf") and reason and "shortened" in reason


def test_numbered_names_keep_the_extension() -> None:
    assert numbered("Letter.pdf", "Clio 12") == "Letter (Clio 12).pdf"
    assert numbered("README", "Clio 3") == "README (Clio 3)"


@pytest.mark.parametrize("url, region", [
    ("https://app.clio.com/api/v4", "us"), ("https://eu.app.clio.com/api/v4", "eu"),
    ("https://ca.app.clio.com/api/v4", "ca"), ("https://au.app.clio.com/api/v4", "au"),
    ("https://127.0.0.1:9/api/v4", "us")])
def test_the_region_comes_from_the_api_host(url: str, region: str) -> None:
    assert region_of(url) == region


def test_us_peak_is_4_to_19_pacific_on_weekdays() -> None:
    peak = peak_hours("https://app.clio.com/api/v4")
    thursday_noon_pacific = datetime(2026, 11, 26, 20, 0, tzinfo=timezone.utc)  # PST = UTC-8
    assert peak.is_peak(thursday_noon_pacific)
    assert peak.next_off_peak(thursday_noon_pacific) == datetime(2026, 11, 27, 3, 0, tzinfo=timezone.utc)
    assert not peak.is_peak(datetime(2026, 11, 27, 3, 0, tzinfo=timezone.utc))
    saturday = datetime(2026, 11, 28, 20, 0, tzinfo=timezone.utc)
    assert not peak.is_peak(saturday) and peak.next_off_peak(saturday) == saturday
    assert peak.next_peak(saturday) == datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)  # Monday 04:00 PST
    summer = datetime(2026, 7, 1, 11, 30, tzinfo=timezone.utc)  # 04:30 PDT
    assert peak.is_peak(summer)


def test_eu_and_au_peaks_follow_their_zones() -> None:
    eu = peak_hours("https://eu.app.clio.com/api/v4")
    assert eu.is_peak(datetime(2026, 7, 1, 21, 59, tzinfo=timezone.utc))
    assert not eu.is_peak(datetime(2026, 7, 1, 22, 0, tzinfo=timezone.utc))
    au = peak_hours("https://au.app.clio.com/api/v4")
    assert au.is_peak(datetime(2026, 11, 25, 22, 0, tzinfo=timezone.utc))  # Thursday 09:00 AEDT
    assert not au.is_peak(datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc))  # Wednesday 23:00 AEDT


def test_an_override_sets_hours_zone_and_days() -> None:
    daily = peak_hours("https://app.clio.com/api/v4", "08-18 Europe/London daily")
    assert daily == PeakHours(timezone="Europe/London", start_hour=8, end_hour=18, weekdays=list(range(7)))
    assert daily.is_peak(datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc))  # a Sunday
    with pytest.raises(Exception):
        peak_hours("https://app.clio.com/api/v4", "08-18 Mars/Olympus")
    with pytest.raises(ValueError):
        PeakHours(timezone="UTC", start_hour=19, end_hour=4)
