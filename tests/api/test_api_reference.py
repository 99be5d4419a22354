"""The API reference in docs/api.md is generated from the OpenAPI schema and kept current."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from django.urls import resolve

from csfpilot.webapp.config.api import api
from csfpilot.webapp.config.api_reference import END, START, example, markdown, need_text

ROOT = Path(__file__).resolve().parent.parent.parent
PAGE = ROOT / "docs" / "api.md"


def _operations():
    schema = api.get_openapi_schema()
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            yield schema, method, path, op


def test_the_committed_reference_is_the_generated_one(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
    env.update(CSFPILOT_DATA_DIR=str(tmp_path), CSFPILOT_SECRET_KEY="docs-test-only")
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_api_docs.py"), "--check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    page = PAGE.read_text(encoding="utf-8")
    section = page[page.index(START) : page.index(END) + len(END)]
    assert section + "\n" == markdown(api.get_openapi_schema())


def test_every_operation_is_listed_with_what_it_needs_and_an_example():
    page = PAGE.read_text(encoding="utf-8")
    section = page[page.index(START) :]
    headings = re.findall(r"^#### `([A-Z]+ \S+)`$", section, re.M)
    listed = [f"{m.upper()} {p}" for _, m, p, _ in _operations()]
    assert headings == listed
    for block in section.split("\n#### ")[1:]:
        assert "**Needs:** " in block
        assert "\n$ curl -s " in block


def test_the_stale_promise_is_gone():
    page = PAGE.read_text(encoding="utf-8")
    assert "will come with accounts and roles" not in page


def test_each_example_requests_its_own_operation():
    for schema, method, path, op in _operations():
        words = shlex.split(example(method, path, op, schema))
        assert words[:2] == ["curl", "-s"]
        sent = words[words.index("-X") + 1] if "-X" in words else "GET"
        assert sent == method.upper()
        url = urlsplit(words[-1])
        match = resolve(url.path)
        template = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path)
        assert re.fullmatch(template, url.path), (path, url.path)
        assert match.url_name, path
        needs_token = op["x-permission"] not in ("public", "session", "steward")
        assert ("Authorization: Bearer $CSFPILOT_TOKEN" in words) == needs_token, path


def test_permissions_are_named_with_the_roles_that_hold_them():
    assert need_text("audit.view") == "`audit.view` in the organization (roles: owner, auditor)."
    assert "a contributor only on the outcomes assigned to them" in need_text(
        "outcomes.edit_assigned"
    )
    assert need_text("public") == "nothing: public, no account."
