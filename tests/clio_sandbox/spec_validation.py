"""Validates sandbox responses against the response schema the spec gives the operation (OAS 3.0 rules)."""
from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import httpx
from openapi_schema_validator import OAS30Validator

from sandboxes.clio.reference import load_reference


@lru_cache(maxsize=None)
def _validator(schema_name: str) -> OAS30Validator:
    spec = load_reference().spec
    return OAS30Validator({"$ref": f"#/components/schemas/{schema_name}", "components": spec["components"]})


def validate_against(schema_name: str, body: Any) -> None:
    _validator(schema_name).validate(body)


def operation_path(path: str) -> str:
    """`/api/v4/matters/7` -> `/api/v4/matters/{id}.json`, the key endpoints.json uses."""
    segments = path.removeprefix("/api/v4/").removesuffix(".json").split("/")
    generic = [segments[0]] + ["{id}" if s.isdigit() or i == 1 and s != "who_am_i" else s
                               for i, s in enumerate(segments[1:], start=1)]
    return "/api/v4/" + "/".join(generic) + ".json"


def response_schema(path: str) -> str | None:
    operation = load_reference().operations.get(("GET", operation_path(path)))
    return operation.get("response_schema") if operation else None


def validate_response(response: httpx.Response) -> None:
    """httpx response hook: every 200 JSON body of an API GET must match its operation's response schema, and
    every API error other than 401 (OAuth-shaped, clio.md §8) the spec's `Error` schema."""
    path = urlsplit(str(response.request.url)).path
    if not path.startswith("/api/v4/"):
        return
    if response.status_code >= 400 and response.status_code != 401:
        response.read()
        validate_against("Error", response.json())
        return
    if response.request.method != "GET" or response.status_code != 200:
        return
    schema = response_schema(path)
    assert schema is not None, f"no response schema for {path}"
    response.read()
    validate_against(schema, response.json())
    response.extensions["validated_schema"] = schema
