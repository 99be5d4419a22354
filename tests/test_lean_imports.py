"""Processes load only what their work needs.

openpyxl is loaded without numpy, and numpy still imports afterwards where it is used; a
command on a profile file and a web worker's first answer load none of the large libraries
kept for particular work (each is about 3-30 MB resident and a share of the start-up time).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout.strip()


def test_a_workbook_is_written_and_read_without_loading_numpy():
    out = _run(
        "import io, sys, csfpilot, openpyxl\n"
        "wb = openpyxl.Workbook(); wb.active['A1'] = 3; b = io.BytesIO(); wb.save(b)\n"
        "b.seek(0); v = openpyxl.load_workbook(b).active['A1'].value\n"
        "print(v, 'numpy' in sys.modules)"
    )
    assert out == "3 False"


def test_numpy_imports_after_openpyxl_and_openpyxl_after_numpy():
    assert _run("import csfpilot, openpyxl, numpy, sys; print(numpy.zeros(2).sum())") == "0.0"
    assert _run("import csfpilot, numpy, openpyxl.compat.numbers as n; print(n.NUMPY)") == "True"


# Libraries that a process loads only for the work that needs them: a workbook, an OSCAL
# document or a refused profile, a signature, a report, a scan, the mapping assistant.
HEAVY = (
    "openpyxl",
    "jsonschema",
    "weasyprint",
    "docx",
    "numpy",
    "lxml",
    "PIL",
    "tinyhtml5",
    "gunicorn",
    "markdown_it",
    "requests",
)
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "profile-riverbend-clinics.yaml"


def _loaded(code: str, env: dict[str, str] | None = None) -> tuple[str, set[str]]:
    """What ``code`` printed, and which of HEAVY it left in ``sys.modules``."""
    done = subprocess.run(
        [sys.executable, "-c", code + "\nprint('HEAVY', *sorted(set(sys.modules)))"],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
        env=env,
    )
    out, _, modules = done.stdout.rpartition("HEAVY ")
    return out, {m for m in modules.split() if m.split(".")[0] in HEAVY}


def test_scoring_a_profile_file_loads_none_of_the_heavy_libraries():
    out, heavy = _loaded(
        "import runpy, sys\n"
        f"sys.argv = ['csfpilot', 'profile', 'score', {str(EXAMPLE)!r}]\n"
        "try:\n"
        "    runpy.run_module('csfpilot', run_name='__main__')\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
    )
    assert "Riverbend" in out  # the command ran and printed the scores
    assert heavy == set()


# The modules behind the profile group: its own and those that add commands to it, with
# the helpers they share. Every other command group's module stays unloaded.
PROFILE_GROUP = {
    "csfpilot.cli",
    "csfpilot.cli.entry",
    "csfpilot.cli.tree",
    "csfpilot.cli.help_layout",
    "csfpilot.cli.profile",
    "csfpilot.cli.profile_db",
    "csfpilot.cli.profile_intake",
    "csfpilot.cli.profile_transfer",
    "csfpilot.cli.database",
    "csfpilot.cli.output",
}


def test_scoring_a_profile_file_loads_no_other_command_group():
    done = subprocess.run(
        [sys.executable, "-m", "csfpilot", "profile", "score", str(EXAMPLE)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
        env={**os.environ, "PYTHONPROFILEIMPORTTIME": "1"},
    )
    loaded = {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "Riverbend" in done.stdout
    assert {m for m in loaded if m.startswith("csfpilot.cli")} - PROFILE_GROUP == set()
    assert "csfpilot.cli.profile" in loaded


def test_a_refused_profile_still_names_its_errors(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(EXAMPLE.read_text("utf-8").replace("format_version: 1", "format_version: 9"))
    done = subprocess.run(
        [sys.executable, "-m", "csfpilot", "profile", "score", str(broken)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode != 0
    assert "format_version" in done.stdout + done.stderr


def test_the_web_app_answers_its_first_request_without_the_heavy_libraries(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "CSFPILOT_DATABASE_URL"}
    env["CSFPILOT_DATA_DIR"] = str(tmp_path)
    env["DJANGO_SETTINGS_MODULE"] = "csfpilot.webapp.config.settings"  # as served
    out, heavy = _loaded(
        "import io, sys\n"
        "from csfpilot.cli import database\n"
        "app = database.wsgi_application()\n"
        "environ = {'REQUEST_METHOD': 'GET', 'PATH_INFO': '/healthz', 'QUERY_STRING': '',\n"
        "           'SERVER_NAME': 'localhost', 'SERVER_PORT': '80', 'HTTP_HOST': 'localhost',\n"
        "           'wsgi.input': io.BytesIO(), 'wsgi.url_scheme': 'http'}\n"
        "print(b''.join(app(environ, lambda status, headers, exc=None: print(status))))\n"
        # Every page's view module, as the first request of any page imports them.
        "from django.urls import get_resolver\n"
        "print(len(get_resolver().reverse_dict) > 50)\n",
        env=env,
    )
    assert "200 OK" in out and "True" in out
    assert heavy == set()


OIDC = "allauth.socialaccount.providers.openid_connect"


@pytest.mark.parametrize("sso", [False, True], ids=["passwords only", "single sign-on"])
def test_the_sso_provider_and_requests_load_only_with_single_sign_on(tmp_path, sso):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSFPILOT_OIDC_")}
    env.pop("CSFPILOT_DATABASE_URL", None)
    env["CSFPILOT_DATA_DIR"] = str(tmp_path)
    env["DJANGO_SETTINGS_MODULE"] = "csfpilot.webapp.config.settings"  # as served
    if sso:
        env["CSFPILOT_OIDC_SERVER_URL"] = "https://login.example.com/realms/acme"
        env["CSFPILOT_OIDC_CLIENT_ID"] = "csfpilot"
    out, _ = _loaded(
        "import sys\n"
        "from csfpilot.cli import database\n"
        "database.wsgi_application()\n"
        "from django.conf import settings\n"
        "from django.urls import get_resolver, reverse\n"
        "get_resolver().reverse_dict\n"
        f"print({OIDC!r} in settings.INSTALLED_APPS, 'requests' in sys.modules)\n"
        "try:\n"
        "    print(reverse('openid_connect_login', args=['acme']))\n"
        "except Exception as missing:\n"
        "    print(type(missing).__name__)\n",
        env=env,
    )
    lines = out.split("\n")
    if sso:
        assert lines[:2] == ["True True", "/accounts/oidc/acme/login/"]
    else:
        assert lines[:2] == ["False False", "NoReverseMatch"]
