"""The README's first command on a fresh clone: `make run` installs from the lock and serves.

The repository is cloned from its last commit into a temporary folder and `make run` is
run there as the README gives it, with a new virtual environment built from
requirements/lock.txt and a new data folder: the server must answer with the demo and its
printed login must sign in. (The README's second command, `make test`, is what CI runs on a
fresh clone of every submission.)
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALL_AND_START = 1200  # seconds: a new venv from the lock on a busy 2-core machine

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists(),
    reason="needs a git checkout to clone",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment of a person's shell: no virtual environment, no test settings."""
    drop = ("VIRTUAL_ENV", "DJANGO_", "CSFPILOT_", "PYTEST_", "PYTHONPATH")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    venv_bin = str(ROOT / ".venv" / "bin")
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    env.update(extra)
    return env


def _wait_for_url(process: subprocess.Popen, log: Path) -> tuple[str, str, str]:
    """The URL and demo login `make run` printed, once the server answers."""
    deadline = time.monotonic() + INSTALL_AND_START
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        url = re.search(r"serving at (http://\S+/)", text)
        login = re.search(r"Demo login: (\S+) / (\S+)", text)
        if url and login:
            try:
                with urllib.request.urlopen(url.group(1) + "healthz", timeout=5) as answer:
                    if answer.status == 200:
                        return url.group(1), login.group(1), login.group(2)
            except OSError:
                pass
        if process.poll() is not None:
            pytest.fail(f"make run ended with {process.returncode}:\n{text[-4000:]}")
        time.sleep(1)
    pytest.fail(f"make run did not answer in {INSTALL_AND_START} s:\n{log.read_text()[-4000:]}")


def _sign_in(url: str, email: str, password: str) -> str:
    """Sign in through the login form as a browser does; the page it lands on."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(url + "accounts/login/", timeout=30) as page:
        form = page.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token, "the login page has no CSRF token"
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "login": email, "password": password}
    ).encode()
    request = urllib.request.Request(
        url + "accounts/login/", data=body, headers={"Referer": url + "accounts/login/"}
    )
    with opener.open(request, timeout=30) as landed:
        assert landed.status == 200
        return landed.read().decode()


def test_make_run_on_a_fresh_clone_installs_from_the_lock_and_serves_the_demo(tmp_path: Path):
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)],
        check=True,
        timeout=300,
    )
    log = tmp_path / "make-run.log"
    env = _clean_env(
        CSFPILOT_PORT=str(_free_port()),
        CSFPILOT_DATA_DIR=str(tmp_path / "data"),
        CSFPILOT_WORKERS="1",
    )
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["make", "run"],
            cwd=clone,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        url, email, password = _wait_for_url(process, log)
        landed = _sign_in(url, email, password)
        assert "/accounts/logout/" in landed, "the printed demo login did not sign in"
        assert "Example Manufacturing Co." in landed
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)

    # The environment came from the lock: every pinned version is the installed one.
    drift = subprocess.run(
        [str(clone / ".venv/bin/python"), "scripts/lock_drift.py", "requirements/lock.txt"],
        cwd=clone,
        capture_output=True,
        text=True,
        check=True,
    )
    assert drift.stdout.strip() == "Every installed version is the locked one.", drift.stdout
    # Nothing was installed outside the lock (pip check: every requirement satisfied).
    subprocess.run([str(clone / ".venv/bin/python"), "-m", "pip", "check"], cwd=clone, check=True)
