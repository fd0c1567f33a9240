"""Versioned map files: `<name>.<semver>.json`, validated by shared.mapping.model.MapFile."""
from __future__ import annotations

from pathlib import Path

from shared.mapping.model import MapFile

MAPS = Path(__file__).parent


def load_map(name: str = "clio-to-d365-sales", version: str = "1.2.0") -> MapFile:
    return MapFile.model_validate_json((MAPS / f"{name}.{version}.json").read_text())
