"""The declared extraction streams against Clio's own spec: every field exists, no scalar field is left out."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from shared.clio.models import resource_catalogue

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "clio"
CATALOGUE = json.loads((REFERENCE / "field-catalogue.json").read_text())["schemas"]
ENDPOINTS = {(e["method"], e["path"]): e for e in json.loads((REFERENCE / "endpoints.json").read_text())["endpoints"]}
SPECS = resource_catalogue().resources


def scalar_fields(schema: str) -> set[str]:
    source = CATALOGUE[schema].get("scalar_fields_from", schema)
    return set(CATALOGUE[source].get("fields", {}))


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.key)
def test_stream_matches_the_spec(spec) -> None:
    endpoint = ENDPOINTS[("GET", spec.path)]
    params = {p["name"]: p for p in endpoint["parameters"]}
    nested = CATALOGUE[spec.schema_name].get("nested", {})
    requested_scalars = set()
    for field in spec.fields:
        found = re.fullmatch(r"(\w+)\{([\w,]+)\}", field)
        if found:
            name, subfields = found.group(1), found.group(2).split(",")
            assert name in nested, f"{spec.key}: {name} is not an association of {spec.schema_name}"
            ref = nested[name]["ref"]
            # a field of the association, or an association of it (returned with its defaults, clio.md §5)
            assert set(subfields) <= scalar_fields(ref) | set(CATALOGUE[ref].get("nested", {})), \
                f"{spec.key}: {field}"
        else:
            assert field in scalar_fields(spec.schema_name), f"{spec.key}: {field} is not a field"
            requested_scalars.add(field)
    assert requested_scalars == scalar_fields(spec.schema_name), "every standard field is extracted"
    for name, value in spec.params.items():
        assert value in params[name].get("enum", [value]), f"{spec.key}: {name}={value}"
    if spec.order:
        assert spec.order in params["order"].get("enum", [spec.order])
    else:
        assert "order" not in params
    assert spec.limit == params["limit"]["range"][1], "pages as large as Clio allows"
    assert spec.incremental == ("updated_since" in params)


def test_notes_are_pulled_once_per_type() -> None:
    notes = [spec for spec in SPECS if spec.resource == "notes"]
    assert sorted(spec.params["type"] for spec in notes) == ["Contact", "Matter"]
