"""quickXorHash against the published vector and a literal, byte-at-a-time reading of the documented algorithm."""
from __future__ import annotations

import random

from shared.graph.quickxor import QuickXorHash, quick_xor_hash


def reference(data: bytes) -> bytes:
    """Byte i rotated left into a 160-bit block at bit 11*i; the length XORed into the top 64 bits."""
    block = 0
    for index, byte in enumerate(data):
        shift = (index * 11) % 160
        block ^= ((byte << shift) | (byte >> (160 - shift))) & ((1 << 160) - 1)
    block ^= len(data) << 96
    return block.to_bytes(20, "little")


def test_published_vector_and_empty_input() -> None:
    assert quick_xor_hash(b"hello world") == "aCgDG9jwBhDc4Q1yawMZAAAAAAA="  # as published with the algorithm
    assert quick_xor_hash(b"") == "A" * 27 + "="


def test_streaming_in_any_pieces_matches_the_reference() -> None:
    rng = random.Random(7)
    for size in (1, 19, 20, 159, 160, 161, 320, 1_000, 5_003):
        data = rng.randbytes(size)
        hasher = QuickXorHash()
        position = 0
        while position < size:
            step = rng.randint(1, 400)
            hasher.update(data[position:position + step])
            position += step
        assert hasher.digest() == reference(data), size
        twin = hasher.copy()
        twin.update(b"x")
        assert hasher.digest() == reference(data) and twin.digest() == reference(data + b"x")
