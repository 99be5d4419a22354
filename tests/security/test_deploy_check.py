"""Production settings: ``csfpilot manage check --deploy`` is clean with CSFPILOT_ENV=production,
and the settings it checks really reach the responses (HSTS, secure cookies, the redirect to
HTTPS, a proxy's X-Forwarded-Proto trusted only when configured). Each case runs in a fresh
process, because the settings are read from the environment once, at start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# The server (or the checked process) has a SQLite file of its own: not repeated on PostgreSQL.
pytestmark = pytest.mark.sqlite_file

PROBE = """
import json, os, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0)
c = Client()
plain = c.get("/accounts/login/")
secure = c.get("/accounts/login/", secure=True)
proxied = c.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "secure": [secure.status_code, secure.get("Strict-Transport-Security"),
               secure.cookies["csrftoken"]["secure"]],
    "proxied": [proxied.status_code, proxied.get("Location")],
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
}))
"""


def run(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
    clean.update(
        DJANGO_SETTINGS_MODULE="csfpilot.webapp.config.settings",
        CSFPILOT_DATA_DIR=str(data_dir),
        CSFPILOT_AUTOLOAD_CATALOGS="0",
        # What `check --deploy` asks of a key: long and random, like the generated one.
        CSFPILOT_SECRET_KEY="k7Qv-2pX9sLm4RzT8wYb1NcD6fHj3GaE5uKo0iPq7Ws2VyZx4BnMe9Tr6Ud1",
        **env,
    )
    return subprocess.run(
        [sys.executable, *args], env=clean, capture_output=True, text=True, timeout=120
    )


def check_deploy(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return run(["-m", "csfpilot", "manage", "check", "--deploy"], tmp_path, **env)


def test_production_settings_pass_the_deploy_check_with_no_issues(tmp_path):
    result = check_deploy(tmp_path, CSFPILOT_ENV="production")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_the_deploy_check_does_find_what_development_leaves_off(tmp_path):
    # The same check without production names each setting that only HTTPS allows: proof
    # that the clean result above comes from the settings, not from a silenced check.
    result = check_deploy(tmp_path)
    found = {w for w in ("W004", "W008", "W012", "W016") if f"security.{w}" in result.stderr}
    assert found == {"W004", "W008", "W012", "W016"}, result.stderr
    assert "System check identified 4 issues (0 silenced)." in result.stderr


def test_each_production_part_can_be_turned_back_off(tmp_path):
    result = check_deploy(tmp_path, CSFPILOT_ENV="production", CSFPILOT_HSTS_PRELOAD="0")
    assert "security.W021" in result.stderr  # preload off: the check says so
    assert "System check identified 1 issue (0 silenced)." in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CSFPILOT_ENV": "production", "CSFPILOT_DEBUG": "1"}, "CSFPILOT_DEBUG=1 is refused"),
        ({"CSFPILOT_ENV": "prod"}, "CSFPILOT_ENV must be 'development' or 'production'"),
    ],
)
def test_unsafe_or_mistyped_modes_stop_the_start(tmp_path, env, message):
    result = check_deploy(tmp_path, **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_responses_behind_a_proxy(tmp_path):
    result = run(
        ["-c", PROBE],
        tmp_path,
        CSFPILOT_ENV="production",
        CSFPILOT_ALLOWED_HOSTS="testserver",
        CSFPILOT_PROXY_SSL_HEADER="X-Forwarded-Proto",
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {
        "plain": [301, "https://testserver/accounts/login/"],
        "secure": [200, "max-age=31536000; includeSubDomains; preload", True],
        "proxied": [200, None],  # the proxy said HTTPS, and it is trusted
        "session_cookie_secure": True,
    }

    # Without CSFPILOT_PROXY_SSL_HEADER a client's X-Forwarded-Proto is not believed.
    result = run(
        ["-c", PROBE], tmp_path, CSFPILOT_ENV="production", CSFPILOT_ALLOWED_HOSTS="testserver"
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["proxied"] == [301, "https://testserver/accounts/login/"]
