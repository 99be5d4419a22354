"""The API over a real socket, served by `csfpilot serve` (gunicorn) in a subprocess."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_node_over_http_from_the_production_server(server_url):
    status, headers, body = fetch(f"{server_url}/api/frameworks/csf-2.0/nodes/gv.oc-1")
    assert status == 200
    assert headers["Server"] == "gunicorn"  # the production server, without its version
    assert headers["Content-Type"].startswith("application/json")
    node = json.loads(body)
    assert node["id"] == "GV.OC-01"
    assert node["text"] == (
        "The organizational mission is understood and informs cybersecurity risk management"
    )


def test_problem_body_over_http(server_url):
    status, headers, body = fetch(f"{server_url}/api/frameworks/csf-2.0/nodes/ZZ-404")
    assert status == 404
    assert headers["Content-Type"] == "application/problem+json"
    assert "'ZZ-404'" in json.loads(body)["detail"]


def test_docs_assets_are_served_offline(server_url):
    status, _, html = fetch(f"{server_url}/api/docs")
    assert status == 200
    # Linked by its content-hashed name, as every static file under `csfpilot serve`.
    linked = re.search(rb"/static/ninja/swagger-ui-bundle\.[0-9a-f]{12}\.js", html)
    assert linked
    status, headers, js = fetch(server_url + linked.group(0).decode())
    assert status == 200
    assert "javascript" in headers["Content-Type"]
    assert b"SwaggerUIBundle" in js


def test_parallel_requests_all_answer(server_url):
    urls = [
        f"{server_url}/api/frameworks/csf-2.0/nodes?level=category&offset={i}" for i in range(16)
    ]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(fetch, urls))
    assert [r[0] for r in results] == [200] * 16
    assert [json.loads(r[2])["count"] for r in results] == [22] * 16
