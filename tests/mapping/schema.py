"""The target schema the mapping tests check rows against: Dynamics' standard tables from the entity definitions
plus what the map provisions itself."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from shared.mapping.maps import load_map
from shared.mapping.target_schema import SchemaSnapshot

DEFINITIONS = Path(__file__).resolve().parents[3] / "shared" / "reference" / "dataverse" / \
    "d365_sales_entities_from_xrmdefinitelytyped.json"


@cache
def standard_definitions() -> dict:
    return json.loads(DEFINITIONS.read_text())["entities"]


def map_snapshot() -> SchemaSnapshot:
    return SchemaSnapshot.for_map(standard_definitions(), load_map())
