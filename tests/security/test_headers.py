"""Security headers on every kind of response, through the real middleware stack:
the Content-Security-Policy (django-csp), nosniff, referrer, framing, opener policy;
and unknown API paths answering JSON problem details instead of the site's HTML page."""

from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}

# An HTML page, a sign-in form, a page that redirects, the API's docs and schema, a 404.
PATHS = ["/", "/frameworks/", "/accounts/login/", "/orgs/", "/api/docs", "/api/openapi.json"]


def parse_policy(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("path", [*PATHS, "/no-such-page/", "/api/no-such-endpoint"])
def test_every_response_carries_the_security_headers(client: Client, path: str):
    response = client.get(path)
    assert response.status_code in {200, 302, 404}
    assert parse_policy(response["Content-Security-Policy"]) == POLICY
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    # HSTS only in production over HTTPS (test_deploy_check.py); never on plain HTTP.
    assert "Strict-Transport-Security" not in response


def test_the_policy_allows_no_inline_code_or_eval(client: Client):
    header = client.get("/")["Content-Security-Policy"]
    for loophole in ("unsafe-inline", "unsafe-eval", "unsafe-hashes", "*", "http:", "https:"):
        assert loophole not in header.split(), loophole


def test_pages_keep_scripts_and_styles_in_static_files(client: Client):
    html = client.get("/").content.decode()
    # HTMX runs without eval and without its injected indicator <style>.
    assert '"includeIndicatorStyles": false' in html
    assert '"allowEval": false' in html
    assert "<style" not in html
    assert " style=" not in html
    assert "<script>" not in html  # every script element has a src


def test_the_api_docs_run_their_init_script_from_a_static_file(client: Client):
    html = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-init.js" in html
    # The only inline script element is JSON data, which browsers never execute.
    assert html.count("<script") == 3
    assert '<script type="application/json" id="swagger-settings">' in html


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_unknown_api_paths_answer_problem_json(client: Client, method: str):
    response = getattr(client, method)("/api/v9/nothing/here")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert body == {
        "title": "Not found",
        "status": 404,
        "detail": "no API endpoint at /api/v9/nothing/here",
        "errors": [],
    }


def test_site_pages_still_answer_html_404(client: Client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
