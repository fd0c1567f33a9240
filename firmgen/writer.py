"""Streams a firm file: one record per line, resources in order, never more than one record in memory."""
from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from firmgen.firm import Firm
from firmgen.generate import RESOURCES, metadata


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def write_stream(out: TextIO, seed: int, size: str) -> int:
    """Writes the firm to `out`; returns the number of records written."""
    firm = Firm(seed, size)
    out.write('{"_firm":' + _dump(metadata(firm)))
    written = 0
    for name, generate in RESOURCES:
        out.write(f",\n{_dump(name)}:[")
        separator = "\n"
        for record in generate(firm):
            out.write(separator + _dump(record))
            separator = ",\n"
            written += 1
        out.write("\n]")
    out.write("\n}\n")
    return written


def write_firm(path: str | Path, seed: int, size: str) -> int:
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        return write_stream(out, seed, size)
