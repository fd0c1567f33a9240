"""Size profiles, metadata counts, and the streaming writer."""
from __future__ import annotations

import io
import itertools
import json
import tracemalloc
from pathlib import Path

import pytest

from firmgen import PROFILES, RESOURCE_NAMES, write_firm, write_stream
from firmgen.firm import Firm as FirmContext
from firmgen.generate import RESOURCES, Generator
from tests.firmgen.firms import Firm


def test_tiny_has_a_few_hundred_records_and_its_counts_match_metadata(tiny: Firm) -> None:
    counts = {name: len(tiny[name]) for name in RESOURCE_NAMES}
    assert counts == tiny["_firm"]["counts"]
    assert 200 <= sum(counts.values()) <= 1000
    assert list(tiny) == ["_firm", *RESOURCE_NAMES]


def test_small_firm_has_about_five_thousand_records(tmp_path: Path) -> None:
    path = tmp_path / "small.json"
    written = write_firm(path, 3, "small")
    firm = json.loads(path.read_text(encoding="utf-8"))
    assert written == sum(len(firm[name]) for name in RESOURCE_NAMES)
    assert 4_500 <= written <= 6_000
    assert firm["_firm"]["size"] == "small" and firm["_firm"]["seed"] == 3


def test_large_profile_counts_exceed_a_million_records_dominated_by_bulk_resources() -> None:
    counts = FirmContext(1, "large").counts
    total = sum(counts.values())
    bulk = sum(counts[n] for n in ("activities", "line_items", "notes", "communications", "documents",
                                   "document_versions"))
    assert total >= 1_000_000 and bulk / total > 0.8
    assert PROFILES["large"].activities == max(counts.values())


def test_streamed_output_is_valid_json_with_one_record_per_line() -> None:
    out = io.StringIO()
    written = write_stream(out, 11, "tiny")
    text = out.getvalue()
    parsed = json.loads(text)
    assert written == sum(len(parsed[name]) for name in RESOURCE_NAMES)
    record_lines = [line for line in text.splitlines() if line.startswith("{\"id\"")]
    assert len(record_lines) == written
    assert all(json.loads(line.rstrip(",")) for line in record_lines[:50])


@pytest.fixture(scope="module")
def large() -> FirmContext:
    return FirmContext(5, "large")


@pytest.mark.parametrize(("name", "generate"), RESOURCES, ids=RESOURCE_NAMES)
def test_large_generators_hold_nothing_between_records(large: FirmContext, name: str, generate: Generator) -> None:
    """Each generator of the large firm streams: memory still held after 400 more records stays flat.

    (A generator that kept its records, even a few hundred bytes each, would grow by > 100 KiB here.)"""
    records = generate(large)
    for _ in itertools.islice(records, 100):
        pass
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        produced = sum(1 for _ in itertools.islice(records, 400))
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert produced == max(0, min(400, large.counts[name] - 100))
    assert after - before < 32 * 1024
