"""Clio's published reference data (../shared/reference/clio beside the repo): the OpenAPI spec and the files derived from it.

Everything resource-specific the sandbox does (valid fields, filters, limit ranges, order enums, response and
request schemas) is read from here rather than hand-coded per resource.
"""
from __future__ import annotations

import json
import os
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

_DEFAULT_DIR = Path(__file__).resolve().parents[3] / "shared" / "reference" / "clio"
SPEC_FILE = "clio-manage-openapi-2026-04-08.json"


def reference_dir() -> Path:
    return Path(os.environ.get("CLIO_REFERENCE_DIR", str(_DEFAULT_DIR)))


class Reference:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._field_names: dict[str, tuple[frozenset[str], dict[str, dict[str, Any]]]] = {}

    def _load(self, name: str) -> Any:
        path = self.directory / name
        if not path.is_file():
            raise FileNotFoundError(f"Clio reference file {path} is missing: the sandbox reads Clio's OpenAPI spec "
                                    "and its derived catalogues from ../shared/reference/clio beside the repository "
                                    "(or from CLIO_REFERENCE_DIR)")
        return json.loads(path.read_text(encoding="utf-8"))

    @cached_property
    def schemas(self) -> dict[str, Any]:
        """field-catalogue.json: `X_base` = scalar fields, `X` = scalar_fields_from + nested associations."""
        return self._load("field-catalogue.json")["schemas"]

    @cached_property
    def operations(self) -> dict[tuple[str, str], dict[str, Any]]:
        """endpoints.json keyed by (method, path as in the spec, e.g. /api/v4/matters/{id}.json)."""
        return {(op["method"], op["path"]): op for op in self._load("endpoints.json")["endpoints"]}

    @cached_property
    def spec(self) -> dict[str, Any]:
        return self._load(SPEC_FILE)

    def operation(self, method: str, path: str) -> dict[str, Any]:
        return self.operations[(method, path)]

    def request_body_schema(self, method: str, path: str) -> dict[str, Any]:
        spec_path = path.removeprefix("/api/v4")
        body = self.spec["paths"][spec_path][method.lower()]["requestBody"]
        return body["content"]["application/json"]["schema"]

    def field_names(self, schema: str) -> tuple[frozenset[str], dict[str, dict[str, Any]]]:
        """(scalar field names, nested associations by name) of a catalogue schema, `_base` or full."""
        known = self._field_names.get(schema)
        if known is None:
            entry = self.schemas[schema]
            if "fields" in entry:
                known = frozenset(entry["fields"]), {}
            else:
                known = frozenset(self.schemas[entry["scalar_fields_from"]]["fields"]), dict(entry["nested"])
            self._field_names[schema] = known
        return known

    def scalar_field_types(self, schema: str) -> dict[str, dict[str, Any]]:
        entry = self.schemas[schema]
        return entry["fields"] if "fields" in entry else self.schemas[entry["scalar_fields_from"]]["fields"]


@lru_cache(maxsize=4)
def load_reference(directory: str | None = None) -> Reference:
    return Reference(Path(directory) if directory else reference_dir())
