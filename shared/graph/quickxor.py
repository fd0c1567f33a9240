"""quickXorHash, the content hash SharePoint and OneDrive for Business report for files (`file.hashes.quickXorHash`,
Base64 of 20 bytes).

The documented algorithm: byte i of the input is XORed into a 160-bit block at bit (i * 11) mod 160 (rotating
left, so bits past the top wrap to the bottom); the input length, as a little-endian 64-bit number, is XORed into
the block's last 8 bytes. Here the block is an int read little-endian. Since 160 * 11 is a multiple of 160, inputs
160 bytes apart land on the same bits: each update XOR-folds its bytes into 160 "lanes" with big-int arithmetic
(no per-byte Python loop), and the rotation is applied once per lane when the digest is taken.
"""
from __future__ import annotations

import base64

WIDTH_BITS = 160
DIGEST_BYTES = WIDTH_BITS // 8
SHIFT = 11
LANES = WIDTH_BITS  # input bytes this far apart share their bits, since (LANES * SHIFT) % WIDTH_BITS == 0
_MASK = (1 << WIDTH_BITS) - 1
_LENGTH_SHIFT = WIDTH_BITS - 64

_SLICE = 1 << 20


def _fold(value: int, blocks: int) -> int:
    """XOR of the `blocks` LANES-byte blocks of `value` (little-endian), halving the number each round."""
    while blocks > 1:
        upper = (blocks + 1) // 2
        bits = upper * LANES * 8
        value = (value & ((1 << bits) - 1)) ^ (value >> bits)
        blocks = upper
    return value


class QuickXorHash:
    def __init__(self) -> None:
        self._lanes = 0
        self.length = 0

    def update(self, data: bytes | bytearray | memoryview) -> None:
        # In slices: the big-integer arithmetic needs about 2.5 times its input in temporary memory.
        view = memoryview(data).cast("B")
        for start in range(0, len(view), _SLICE):
            self._update(view[start:start + _SLICE])

    def _update(self, data: memoryview) -> None:
        offset = self.length % LANES
        span = offset + len(data)
        value = int.from_bytes(data, "little") << (8 * offset)
        self._lanes ^= _fold(value, -(-span // LANES))
        self.length += len(data)

    def copy(self) -> QuickXorHash:
        twin = QuickXorHash()
        twin._lanes, twin.length = self._lanes, self.length
        return twin

    def digest(self) -> bytes:
        block = 0
        for lane, byte in enumerate(self._lanes.to_bytes(LANES, "little")):
            if byte:
                shift = (lane * SHIFT) % WIDTH_BITS
                block ^= ((byte << shift) | (byte >> (WIDTH_BITS - shift))) & _MASK
        block ^= (self.length & 0xFFFF_FFFF_FFFF_FFFF) << _LENGTH_SHIFT
        return block.to_bytes(DIGEST_BYTES, "little")

    def b64digest(self) -> str:
        return base64.b64encode(self.digest()).decode()


def quick_xor_hash(data: bytes) -> str:
    hasher = QuickXorHash()
    hasher.update(data)
    return hasher.b64digest()
