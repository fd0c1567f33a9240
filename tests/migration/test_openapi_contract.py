"""schemathesis (a tool we did not write) generates requests from the served OpenAPI document and checks every
answer: no server error, status codes, content types and bodies as the document declares them, and no access
without a function key. Its own pytest plugin does not load under this pytest, so each operation's cases are drawn
with hypothesis directly."""
from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from function_app import app
from localrun.host import LocalHost
from localrun.http_gateway import wsgi_app

KEY = "local-function-key"


@pytest.fixture
def keyed_host(storage_env: str) -> Iterator[LocalHost]:
    with LocalHost(app, os.environ["AzureWebJobsStorage"], function_keys=frozenset({KEY})) as host:
        yield host


def test_every_operation_keeps_its_contract(keyed_host: LocalHost) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app(keyed_host))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 9

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers={"x-functions-key": KEY})

        check()
