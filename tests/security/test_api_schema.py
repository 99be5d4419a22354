"""The API's schema documents every error answer it can give, as the problem document it is;
and what schema fuzzing found stays fixed."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def schema(client: Client) -> dict:
    return client.get("/api/openapi.json").json()


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", method, operation


def test_every_error_answer_is_documented_as_a_problem_document(schema):
    for name, _, operation in operations(schema):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert list(response["content"]) == [PROBLEM], (name, status)


def test_secured_operations_document_401_and_403(schema):
    secured = [(n, op) for n, _, op in operations(schema) if op.get("security")]
    assert len(secured) >= 30
    for name, operation in secured:
        assert {"401", "403"} <= set(operation["responses"]), name


def test_operations_with_input_document_its_refusal(schema):
    for name, method, operation in operations(schema):
        responses = set(operation["responses"])
        if any(p["in"] == "path" for p in operation.get("parameters", [])):
            assert "404" in responses, name
        if operation.get("parameters") or "requestBody" in operation:
            assert {"400", "422"} <= responses, name
        if method in {"post", "put", "patch", "delete"}:
            assert "409" in responses, name


def test_profile_files_are_documented_in_both_formats(schema):
    for path in (
        "/api/organizations/{slug}/profiles/{profile_id}/export",
        "/api/organizations/{slug}/snapshots/{snapshot_id}/export",
    ):
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]
        assert set(content) == {"application/yaml", "application/json"}, path
        assert all(media["schema"]["type"] == "object" for media in content.values()), path


def test_an_offset_past_any_database_integer_is_refused_not_a_server_error(client: Client):
    # Found by the fuzzer: SQLite cannot hold the number and the query failed with a 500.
    response = client.get("/api/search", {"q": "risk", "offset": 10**21})
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    assert "offset" in response.json()["detail"]
    assert client.get("/api/frameworks/csf-2.0/nodes", {"offset": 10**7}).status_code == 200
