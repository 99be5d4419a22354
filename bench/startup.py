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
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import psutil

from bench.http_load import _free_port
from bench.report_memory import ORG, demo_token

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "startup.json"
EXAMPLE = ROOT / "examples" / "profile-riverbend-clinics.yaml"
RUNS = 7
SERVER_RUNS = 3
TOP = 8
TARGETS = {"command_s": 0.3, "cold_start_s": 0.6}


def _timed(argv: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of ``argv``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _medians(argv: list[str], env: dict | None = None) -> dict[str, float]:
    _timed(argv, env)  # the files in the page cache, as on any second run
    runs = [_timed(argv, env) for _ in range(RUNS)]
    return {
        "median_s": round(statistics.median(w for w, _ in runs), 3),
        # On a shared machine the wall time grows with the load; the CPU time much less.
        "cpu_median_s": round(statistics.median(c for _, c in runs), 3),
    }


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


def _cpu_s(process: psutil.Process) -> float:
    """CPU time (user + system) of a process and every process it started."""
    total = 0.0
    for p in [process, *process.children(recursive=True)]:
        try:
            times = p.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def _serve_until_answer(env: dict, token: str) -> tuple[float, float]:
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
                    return time.perf_counter() - started, _cpu_s(psutil.Process(server.pid))
            except urllib.error.HTTPError as refused:
                if token:
                    raise SystemExit(f"the API answered {refused.code}") from None
                return time.perf_counter() - started, 0.0  # the preparing start: any answer
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
    # An installed csfpilot has its bytecode (pip writes it at install); with this set, every
    # run would compile each of csfpilot's modules again (about 0.08 s of CPU for the command
    # on a profile file). The warm-up run writes it here.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "csfpilot --version": [*csfpilot, "--version"],
        "csfpilot profile score (a profile file)": [*csfpilot, "profile", "score", str(EXAMPLE)],
    }
    command_rows = [{"command": k, **_medians(v, env)} for k, v in commands.items()]
    # The first start prepares the folder; the measured ones find it ready.
    _serve_until_answer(env, "")
    token = demo_token(env, "viewer")
    starts = [_serve_until_answer(env, token) for _ in range(SERVER_RUNS)]
    return {
        "commands": command_rows,
        "cold_start_s": round(statistics.median(w for w, _ in starts), 3),
        "cold_starts_s": [round(w, 3) for w, _ in starts],
        "cold_start_cpu_s": round(statistics.median(c for _, c in starts), 3),
        "command_imports": _imports(["-m", "csfpilot", "profile", "score", str(EXAMPLE)], env),
        "app_imports": _imports(
            ["-c", "from csfpilot.cli import database; database.wsgi_application()"], env
        ),
    }


def _or_dash(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds} s"


def section(data: dict) -> list[str]:
    lines = [
        "## Start-up: a command on files and the server (standalone runs)\n",
        f"`python -m bench.startup` (bench/results/startup.json): each command a new process, "
        f"median of {RUNS}; the server from `csfpilot serve --workers 1` to the first answer "
        f"of an authenticated API call on a prepared data folder, median of {SERVER_RUNS}. "
        f"Measured {data['when']} on {data['machine']}, commit {data['commit']}, load average "
        f"{data['load_average']}. Targets: a command on files in "
        f"{TARGETS['command_s']:g} s, the server in {TARGETS['cold_start_s']:g} s.\n",
        "The CPU time (user + system, of the process and every process it started) is the",
        "figure to compare across runs on a shared machine: the wall time grows with the load.\n",
        "| what | median wall time | median CPU time |",
        "|---|---|---|",
    ]
    lines += [
        f"| `{r['command']}` | {r['median_s']} s | {_or_dash(r.get('cpu_median_s'))} |"
        for r in data["commands"]
    ]
    lines += [
        f"| `csfpilot serve` to the first authenticated answer | {data['cold_start_s']} s "
        f"| {_or_dash(data.get('cold_start_cpu_s'))} |"
    ]
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
