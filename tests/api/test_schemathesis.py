"""schemathesis against the OpenAPI schema: whatever it generates, valid or not, no route answers
with a 5xx, every error is a problem detail and every success matches the documented schema.

(schemathesis's lazy ``from_fixture`` loader does not run under pytest 9, so each operation's
Hypothesis strategy is drawn inside an ordinary test, over a schema loaded by a fixture.)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.api.conftest import AUTH, app_client, served_copy

pytestmark = pytest.mark.slow
OPERATIONS = [
    ("POST", "/v1/ask"), ("POST", "/v1/review"), ("GET", "/v1/incidents"), ("GET", "/v1/incidents/trends"),
    ("POST", "/v1/incidents/similar"), ("POST", "/v1/capacity/plan"), ("GET", "/v1/search"), ("GET", "/v1/documents"),
    ("GET", "/v1/documents/{doc_id}"), ("POST", "/v1/index"), ("GET", "/v1/index/{job}"), ("GET", "/healthz"),
    ("GET", "/readyz"),
]
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]


@pytest.fixture(scope="module")
def api_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    home, docs = served_copy(tmp_path_factory.mktemp("fuzzed"))
    with app_client(home, index_paths=[docs], api_rate_per_minute=1e6, api_rate_burst=100_000, api_timeout=120) as c:
        yield c.app
        c.app.state.services.jobs.wait(120)  # type: ignore[attr-defined]  # index jobs the fuzzer started


@pytest.fixture(scope="module")
def api_schema(api_app: object):
    return schemathesis.openapi.from_asgi("/openapi.json", api_app)


def test_every_operation_is_fuzzed(api_schema) -> None:
    documented = {(op.method.upper(), op.path) for op in (r.ok() for r in api_schema.get_all_operations())}
    assert documented == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path", "mode"), [
    (m, p, mode) for m, p in OPERATIONS for mode in MODES
    if not (mode is schemathesis.GenerationMode.NEGATIVE and p in ("/healthz", "/readyz", "/v1/index"))  # no inputs
], ids=lambda x: str(x))
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
@given(data=st.data())
def test_no_server_errors(api_schema, method: str, path: str, mode, data: st.DataObject) -> None:
    case = data.draw(api_schema[path][method].as_strategy(generation_mode=mode))
    response = case.call(headers=AUTH)
    ctype = (response.headers.get("content-type") or [""])[0]
    label = f"{case.method} {case.formatted_path} {case.query or ''}"
    assert response.status_code < 500, f"{label} -> {response.status_code}: {response.text[:500]}"
    if response.status_code >= 400:
        assert ctype.startswith("application/problem+json"), (label, ctype, response.text[:300])
        assert response.json()["status"] == response.status_code
    elif mode is schemathesis.GenerationMode.POSITIVE and ctype.startswith("application/json"):
        case.validate_response(response, checks=[response_schema_conformance])
