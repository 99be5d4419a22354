"""How long csfpilot takes to start: a command on files, and the server to its first answer.

    python -m bench.startup

- **A command on files**: ``csfpilot profile score examples/profile-riverbend-clinics.yaml``
  and ``csfpilot --version``, each as a new process, median of ``RUNS``, beside
  ``python -c pass`` (the interpreter alone).
- **Cold start**: ``csfpilot serve --workers 1 --no-worker`` on a prepared data folder
  (database migrated, NIST's data and the demo loaded, static files collected), timed from
  the command to the first answer of an authenticated API call (a token made beforehand),
  median of ``SERVER_RUNS``.
- **Where the time goes**: the modules with the largest cumulative import time
  (``python -X importtime``) for the command and for loading the web app, so that a slow
  start names its cause.

Results: bench/results/startup.json and a section of docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from bench.http_load import _free_port
from bench.report_memory import ORG, demo_token

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "startup.json"
EXAMPLE = ROOT / "examples" / "profile-riverbend-clinics.yaml"
RUNS = 7
SERVER_RUNS = 3
TOP = 8
TARGETS = {"command_s": 0.3, "cold_start_s": 0.6}


def _timed(argv: list[str], env: dict | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def _median_s(argv: list[str], env: dict | None = None) -> float:
    _timed(argv, env)  # the files in the page cache, as on any second run
    return round(statistics.median(_timed(argv, env) for _ in range(RUNS)), 3)


def _imports(code: list[str], env: dict | None = None) -> list[dict]:
    """The modules with the largest cumulative import time (ms) of one run."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *code], env=env, capture_output=True, text=True
    )
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.split("|")
        rows.append((int(cumulative), name.strip()))
    # Top-level packages and csfpilot's own modules, largest first, without their parents'
    # repeats: what a lazy import could move out of the way.
    rows.sort(reverse=True)
    return [{"module": n, "ms": round(us / 1000, 1)} for us, n in rows[:TOP]]


def _serve_until_answer(env: dict, token: str) -> float:
    port = _free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "csfpilot", "serve"),
            *("--port", str(port), "--workers", "1", "--no-worker"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/organizations/{ORG}/profiles",
        headers={"Authorization": f"Bearer {token}"},
    )
    try:
        while True:
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    response.read()
                    return time.perf_counter() - started
            except urllib.error.HTTPError as refused:
                if token:
                    raise SystemExit(f"the API answered {refused.code}") from None
                return time.perf_counter() - started  # the preparing start: any answer
            except OSError:
                if server.poll() is not None:
                    raise SystemExit("csfpilot serve stopped") from None
                time.sleep(0.01)
    finally:
        server.terminate()
        server.wait(timeout=60)


def measure() -> dict:
    csfpilot = [sys.executable, "-m", "csfpilot"]
    data = Path(tempfile.mkdtemp(prefix="csfpilot-bench-start-"))
    env = dict(os.environ, CSFPILOT_DATA_DIR=str(data), PYTHONUNBUFFERED="1")
    env.pop("CSFPILOT_DATABASE_URL", None)
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "csfpilot --version": [*csfpilot, "--version"],
        "csfpilot profile score (a profile file)": [*csfpilot, "profile", "score", str(EXAMPLE)],
    }
    command_rows = [{"command": k, "median_s": _median_s(v, env)} for k, v in commands.items()]
    # The first start prepares the folder; the measured ones find it ready.
    _serve_until_answer(env, "")
    token = demo_token(env, "viewer")
    starts = [_serve_until_answer(env, token) for _ in range(SERVER_RUNS)]
    return {
        "commands": command_rows,
        "cold_start_s": round(statistics.median(starts), 3),
        "cold_starts_s": [round(s, 3) for s in starts],
        "command_imports": _imports(["-m", "csfpilot", "profile", "score", str(EXAMPLE)], env),
        "app_imports": _imports(
            ["-c", "from csfpilot.cli import database; database.wsgi_application()"], env
        ),
    }


def section(data: dict) -> list[str]:
    lines = [
        "## Start-up: a command on files and the server (standalone runs)\n",
        f"`python -m bench.startup` (bench/results/startup.json): each command a new process, "
        f"median of {RUNS}; the server from `csfpilot serve --workers 1` to the first answer "
        f"of an authenticated API call on a prepared data folder, median of {SERVER_RUNS}. "
        f"Measured {data['when']} on {data['machine']}, commit {data['commit']}, load average "
        f"{data['load_average']}. Targets: a command on files in "
        f"{TARGETS['command_s']:g} s, the server in {TARGETS['cold_start_s']:g} s.\n",
        "| what | median |",
        "|---|---|",
    ]
    lines += [f"| `{r['command']}` | {r['median_s']} s |" for r in data["commands"]]
    lines += [f"| `csfpilot serve` to the first authenticated answer | {data['cold_start_s']} s |"]
    lines += ["", "Where the time goes (cumulative import time of one run, largest first):\n"]
    for title, key in (("the command", "command_imports"), ("the web app", "app_imports")):
        shown = ", ".join(f"`{r['module']}` {r['ms']} ms" for r in data[key])
        lines.append(f"- {title}: {shown}")
    lines.append("")
    return lines


def main() -> None:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    data = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "commit": commit or "unknown",
        "load_average": load,
        **measure(),
    }
    RESULTS.write_text(json.dumps(data, indent=2) + "\n")
    from bench.report import write_doc

    write_doc(ROOT / "docs" / "benchmarks.md")
    print(json.dumps(data))


if __name__ == "__main__":
    main()
