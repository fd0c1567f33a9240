from __future__ import annotations

from tests.firmgen.firms import TINY_SEED, generate_text


def test_same_seed_and_size_give_byte_identical_files(tiny_text: str) -> None:
    assert generate_text(TINY_SEED, "tiny") == tiny_text


def test_another_seed_gives_another_firm(tiny_text: str) -> None:
    assert generate_text(TINY_SEED + 1, "tiny") != tiny_text
