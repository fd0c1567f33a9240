"""Shared fixtures: the tiny firm (generated once per session) and the Clio OpenAPI spec."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.firmgen.firms import TINY_SEED, Firm, generate_text

SPEC_ENV = "CLIO_OPENAPI_SPEC"
DEFAULT_SPEC = Path(__file__).resolve().parents[3] / "shared" / "reference" / "clio" / "clio-manage-openapi-2026-04-08.json"


@pytest.fixture(scope="session")
def tiny_text() -> str:
    return generate_text(TINY_SEED, "tiny")


@pytest.fixture(scope="session")
def tiny(tiny_text: str) -> Firm:
    firm: Firm = json.loads(tiny_text)
    return firm


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    path = Path(os.environ.get(SPEC_ENV, DEFAULT_SPEC))
    assert path.is_file(), f"Clio OpenAPI spec not found at {path}; set {SPEC_ENV}"
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="session")
def schemas(spec: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = spec["components"]["schemas"]
    return found
