"""Every record of the tiny firm validates against its OpenAPI component schema."""
from __future__ import annotations

from typing import Any

from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from firmgen import RESOURCE_NAMES
from sandboxes.clio.resources import SCHEMA_OF_RESOURCE as SCHEMA_OF  # the firm-file contract's table
from tests.firmgen.firms import Firm

SPEC_URI = "urn:clio-openapi"


def _validator(spec: dict[str, Any], schema: str) -> OAS30Validator:
    registry: Registry = Registry().with_resource(SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT4))
    return OAS30Validator(
        {"$ref": f"{SPEC_URI}#/components/schemas/{schema}"}, registry=registry, format_checker=oas30_format_checker,
    )


def _properties(schemas: dict[str, Any], name: str) -> set[str]:
    schema = schemas[name]
    names = set(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        names |= _properties(schemas, part["$ref"].rsplit("/", 1)[1]) if "$ref" in part else set(part["properties"])
    return names


def test_every_resource_has_a_schema() -> None:
    assert set(SCHEMA_OF) == set(RESOURCE_NAMES)


def test_the_validator_rejects_a_wrong_record(spec: dict[str, Any]) -> None:
    errors = list(_validator(spec, "Matter").iter_errors({"id": 1, "status": "Archived", "client": {"id": "x"}}))
    assert len(errors) == 2


def test_every_tiny_record_validates(tiny: Firm, spec: dict[str, Any]) -> None:
    failures = []
    for resource, schema in SCHEMA_OF.items():
        validator = _validator(spec, schema)
        for record in tiny[resource]:
            failures += [f"{resource} {record['id']}: {e.message}" for e in validator.iter_errors(record)]
    assert failures == []


def test_records_use_only_fields_the_spec_defines(tiny: Firm, schemas: dict[str, Any]) -> None:
    # the component schemas do not forbid extra properties, so check field names separately
    unknown = {
        (resource, field)
        for resource, schema in SCHEMA_OF.items()
        for record in tiny[resource]
        for field in set(record) - _properties(schemas, schema)
    }
    assert unknown == set()
