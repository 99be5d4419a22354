"""The deployment examples stay true to the code: settings, options and timeouts they name."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from csfpilot.cli.main import app
from csfpilot.cli.server import gunicorn_options

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = [*sorted((ROOT / "deploy").iterdir()), ROOT / "docs" / "deploy.md"]


def test_every_setting_named_in_the_examples_is_documented():
    documented = set(
        re.findall(r"`(CSFPILOT_[A-Z0-9_]+)`", (ROOT / "docs/settings.md").read_text())
    )
    named = {
        name for path in DEPLOY for name in re.findall(r"CSFPILOT_[A-Z0-9_]+", path.read_text())
    }
    assert named, "the examples name settings"
    assert sorted(named - documented) == []


def test_the_serve_options_in_the_examples_exist():
    help_text = CliRunner().invoke(app, ["serve", "--help"], terminal_width=200).output
    used = {
        option
        for path in DEPLOY
        for line in path.read_text().splitlines()
        if "csfpilot serve" in line
        for option in re.findall(r"(--[a-z-]+)", line.split("csfpilot serve", 1)[1])
    } | set(re.findall(r'"(--[a-z-]+)"', (ROOT / "deploy/Containerfile").read_text()))
    assert {"--no-demo", "--host", "--port"} <= used
    for option in used:
        assert option in help_text, option


def test_the_proxy_waits_longer_than_a_worker_may_take():
    nginx = (ROOT / "deploy/nginx.conf").read_text()
    proxy_timeout = int(re.search(r"proxy_read_timeout (\d+)s", nginx).group(1))
    worker_timeout = gunicorn_options("127.0.0.1", 8000, workers=1, threads=1, access_log=False)[
        "timeout"
    ]
    assert proxy_timeout > worker_timeout


def test_ipv6_addresses_are_bracketed_for_gunicorn():
    assert gunicorn_options("::1", 8000, workers=1, threads=1, access_log=False)["bind"] == [
        "[::1]:8000"
    ]


def test_the_proxy_appends_the_client_and_the_app_servers_are_told_to_trust_it():
    # Sign-in throttling counts the address nginx appends; the app believes it only from
    # the proxies named in CSFPILOT_TRUSTED_PROXIES (issue #14, item 4).
    nginx = (ROOT / "deploy/nginx.conf").read_text()
    assert re.search(r"proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;", nginx)
    for path in DEPLOY:
        assert "CSFPILOT_TRUSTED_PROXIES" in path.read_text(), path.name
