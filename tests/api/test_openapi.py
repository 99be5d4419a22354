"""The OpenAPI schema describes every endpoint, and the docs page works without internet."""

from __future__ import annotations

import re

import pytest
from django.urls import get_resolver

pytestmark = pytest.mark.django_db

CATALOG_PATHS = {
    "/api/frameworks",
    "/api/frameworks/{key}",
    "/api/frameworks/{key}/nodes",
    "/api/frameworks/{key}/nodes/{code}",
    "/api/frameworks/{key}/nodes/{code}/crosswalk",
    "/api/search",
    "/api/datasets",
    "/api/datasets/{key}/mappings",
}


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_schema_lists_every_catalog_endpoint(schema):
    assert set(schema["paths"]) >= CATALOG_PATHS
    for path in CATALOG_PATHS:
        operation = schema["paths"][path]["get"]
        assert operation["summary"], path
        ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok, path


def test_every_routed_api_url_is_in_the_schema(schema):
    """A route added without being described would fail here."""
    from csfpilot.webapp.config.api import api

    documented = {re.sub(r"\{(\w+)\}", r"<\1>", p.removeprefix("/api")) for p in schema["paths"]}
    routed: set[str] = set()
    for router_prefix, router in api._routers:
        for path in router.path_operations:
            full = (router_prefix.rstrip("/") + "/" + path.lstrip("/")).rstrip("/") or "/"
            routed.add(re.sub(r"\{(?:\w+:)?(\w+)\}", r"<\1>", full))
    assert routed == documented
    assert get_resolver().resolve("/api/frameworks")


def test_lookups_by_id_document_their_404_problem(schema):
    for path in CATALOG_PATHS - {"/api/frameworks", "/api/datasets"}:
        responses = schema["paths"][path]["get"]["responses"]
        assert responses["404"]["content"]["application/problem+json"]["schema"] == {
            "$ref": "#/components/schemas/Problem"
        }, path


def test_paginated_lists_take_limit_and_offset(schema):
    for path in (
        "/api/frameworks/{key}/nodes",
        "/api/search",
        "/api/datasets/{key}/mappings",
    ):
        names = {p["name"] for p in schema["paths"][path]["get"]["parameters"]}
        assert {"limit", "offset"} <= names, path
    node_params = {
        p["name"] for p in schema["paths"]["/api/frameworks/{key}/nodes"]["get"]["parameters"]
    }
    assert {"level", "parent", "include_withdrawn"} <= node_params


def test_schemas_name_the_fields_scripts_rely_on(schema):
    components = schema["components"]["schemas"]
    assert {"id", "title", "text", "level", "examples", "references"} <= set(
        components["NodeDetail"]["properties"]
    )
    assert {"framework", "id", "relationship", "dataset", "in_catalog"} <= set(
        components["ReferenceOut"]["properties"]
    )
    assert {"title", "status", "detail", "errors"} <= set(components["Problem"]["properties"])


def test_docs_page_uses_assets_served_by_the_app(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    styles = re.findall(r'<link[^>]+href="([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in scripts
    assert "/static/ninja/swagger-ui.css" in styles
    for url in scripts + styles:
        assert url.startswith("/static/"), url
    assert "/api/openapi.json" in html


METHODS = ("get", "post", "put", "patch", "delete")


def test_a_wrong_method_on_any_api_path_answers_a_problem_naming_the_allowed_ones(schema, client):
    checked = 0
    for path, operations in schema["paths"].items():
        documented = {m for m in operations if m in METHODS}
        wrong = next(m for m in ("delete", "put", "patch", "post", "get") if m not in documented)
        url = re.sub(r"\{[^}]+\}", "1", path)
        response = getattr(client, wrong)(url)
        assert response.status_code == 405, (wrong, url, response.status_code)
        assert response["Content-Type"] == "application/problem+json", url
        body = response.json()
        allowed = sorted(m.upper() for m in documented)
        assert {m.strip() for m in response["Allow"].split(",")} == set(allowed), url
        assert body["title"] == "Method not allowed" and body["status"] == 405
        assert body["detail"] == (
            f"{wrong.upper()} is not allowed on {url}; allowed: {', '.join(allowed)}"
        )
        checked += 1
    assert checked >= 45  # every path of the schema


def test_no_two_schemas_share_a_name():
    """The OpenAPI components are named by class name: two schemas of one name would
    describe one operation's answer with the other's fields."""
    import importlib
    import inspect
    import pkgutil
    from collections import defaultdict

    from ninja import Schema

    import csfpilot.webapp

    owners: dict[str, set[str]] = defaultdict(set)
    for found in pkgutil.walk_packages(csfpilot.webapp.__path__, "csfpilot.webapp."):
        if not found.name.endswith(".schemas"):
            continue
        module = importlib.import_module(found.name)
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, Schema) and obj.__module__ == found.name:
                owners[name].add(found.name)
    # Strict is a base class with no fields of its own, never a component.
    shared = {n: sorted(m) for n, m in owners.items() if len(m) > 1 and n != "Strict"}
    assert shared == {}
