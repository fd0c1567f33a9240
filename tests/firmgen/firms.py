"""Helpers the firmgen tests share (fixtures live in conftest.py)."""
from __future__ import annotations

import io
from typing import Any

from firmgen import write_stream

TINY_SEED = 7

Firm = dict[str, Any]


def generate_text(seed: int, size: str) -> str:
    out = io.StringIO()
    write_stream(out, seed, size)
    return out.getvalue()
