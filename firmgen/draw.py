"""Seeded per-record randomness without Random objects: a splitmix64 stream keyed by (seed, salt, index).

Every record is a pure function of its key, so any generator can recompute another record's values (a bill
re-derives its activities' totals) without keeping earlier records in memory.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def _mix(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def salt_of(name: str) -> int:
    """A stable 64-bit number for a name (Python's hash() is randomised per process)."""
    value = 0xCBF29CE484222325
    for byte in name.encode():
        value = ((value ^ byte) * 0x100000001B3) & _MASK
    return value


class Draw:
    """A short deterministic stream of numbers for one record."""

    __slots__ = ("_state",)

    def __init__(self, seed: int, salt: int, index: int) -> None:
        self._state = _mix((seed * _GOLDEN) ^ _mix(salt + index * _GOLDEN)) & _MASK

    def bits(self) -> int:
        self._state = (self._state + _GOLDEN) & _MASK
        return _mix(self._state)

    def below(self, n: int) -> int:
        return self.bits() % n

    def between(self, low: int, high: int) -> int:
        """Inclusive on both ends."""
        return low + self.bits() % (high - low + 1)

    def fraction(self) -> float:
        return (self.bits() >> 11) / float(1 << 53)

    def chance(self, probability: float) -> bool:
        return self.fraction() < probability

    def pick(self, options: Sequence[T]) -> T:
        return options[self.bits() % len(options)]

    def hex(self, digits: int) -> str:
        text = ""
        while len(text) < digits:
            text += f"{self.bits():016x}"
        return text[:digits]
