"""A schema-driven fuzzer (schemathesis) against the real server's OpenAPI description:
whatever it sends, the server answers without a 5xx and stays up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.sync.conftest import Server, server_database

TOKEN: dict[str, str] = {}
CALLS: dict[str, int] = {}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzzed_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("fuzz")
    with server_database(request.param, tmp) as url:
        s = Server(url, tmp, serve_args=["--api-docs"])  # the description is published only when asked
        s.start()
        r = requests.post(f"{s.url}/api/v1/enroll", json={"code": s.add_officer("fuzz"), "device_name": "fuzzer"}, timeout=10)
        TOKEN["value"] = r.json()["token"]
        yield s
        s.stop()


@pytest.fixture(scope="module")
def api_schema(fuzzed_server: Server) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{fuzzed_server.url}/openapi.json")


def test_no_input_makes_the_server_fail(api_schema: schemathesis.BaseSchema, fuzzed_server: Server) -> None:
    # Driven by hand rather than by schemathesis's pytest plugin, which does not run under pytest 9.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 6
    for operation in operations:
        headers = {"Authorization": f"Bearer {TOKEN['value']}"} if operation.path != "/api/v1/enroll" else {}
        fuzz_one(operation, headers)
        assert requests.get(f"{fuzzed_server.url}/api/v1/health", timeout=5).status_code == 200, operation.path
    # Every endpoint was really exercised: those that take input with many generated cases.
    assert all(CALLS.get(op.path, 0) >= 1 for op in operations), CALLS
    assert all(CALLS[p] >= 10 for p in ("/api/v1/enroll", "/api/v1/batches", "/api/v1/bundles", "/api/v1/changes")), CALLS


def fuzz_one(operation: schemathesis.APIOperation, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def fuzz(case: schemathesis.Case) -> None:
        CALLS[operation.path] = CALLS.get(operation.path, 0) + 1
        case.call_and_validate(headers=headers, checks=[not_a_server_error], timeout=30)

    fuzz()


def test_the_description_lists_every_endpoint(api_schema: schemathesis.BaseSchema, tmp_path: Path) -> None:
    paths = set(api_schema.raw_schema["paths"])
    assert {"/api/v1/health", "/api/v1/enroll", "/api/v1/me", "/api/v1/batches", "/api/v1/bundles",
            "/api/v1/changes"} <= paths
