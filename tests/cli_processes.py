"""``csfpilot`` commands in processes of their own, started by forking a prepared process.

The CLI tests run commands as operators do, one process per command, a data folder per
instance. Most of such a process's time is the same every time: the interpreter, importing
the commands, configuring Django, reading the migration files. Here one prepared process
per environment does that once and forks a child for each command, which then runs
``python -m csfpilot ARGS`` exactly as a new process would: its own standard input, output
and error (files, as with ``capture_output``), its working folder, its exit code, database
connections of its own (the prepared process never opens one). A command's start-up itself
is tested where it matters with real new processes (tests/test_lean_imports.py, the serving
tests, the fresh clone).

    run_csfpilot(["profile", "list", "--org", "acme"], env=env, input="…")
"""

from __future__ import annotations

import atexit
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEEP = 6  # prepared processes kept per test process (about 100 MB each)


class _Prepared:
    def __init__(self, env: dict[str, str]) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="csfpilot-cli-"))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.cli_prepared"],
            env={**env, "PYTHONPATH": os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])},
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.proc.stdout, selectors.EVENT_READ)
        self.count = 0

    def _reply(self, timeout: float | None) -> dict | None:
        if not self.selector.select(timeout):
            return None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the prepared csfpilot process stopped")
        return json.loads(line)

    def run(
        self, args: list[str], input: str | None, timeout: float, cwd: str | None
    ) -> subprocess.CompletedProcess[str]:
        self.count += 1
        base = self.folder / str(self.count)
        stdin = None
        if input is not None:
            stdin = f"{base}.in"
            Path(stdin).write_text(input, encoding="utf-8")
        request = {
            "args": args,
            "stdin": stdin,
            "stdout": f"{base}.out",
            "stderr": f"{base}.err",
            "cwd": cwd,
        }
        self.proc.stdin.write((json.dumps(request) + "\n").encode())
        self.proc.stdin.flush()
        started = self._reply(60)
        if started is None:
            raise RuntimeError("the prepared csfpilot process did not answer")
        done = self._reply(timeout)
        if done is None:
            os.kill(started["pid"], signal.SIGKILL)
            self._reply(60)
            raise subprocess.TimeoutExpired(["csfpilot", *args], timeout)
        out = Path(request["stdout"]).read_text(encoding="utf-8", errors="replace")
        err = Path(request["stderr"]).read_text(encoding="utf-8", errors="replace")
        for name in (request["stdout"], request["stderr"], stdin):
            if name:
                Path(name).unlink(missing_ok=True)
        return subprocess.CompletedProcess(["csfpilot", *args], done["code"], out, err)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc.stdout.close()
        self.selector.close()
        for leftover in self.folder.iterdir():
            leftover.unlink()
        self.folder.rmdir()


_prepared: OrderedDict[tuple, _Prepared] = OrderedDict()


def run_csfpilot(
    args: Sequence[str | os.PathLike[str]],
    *,
    env: dict[str, str] | None = None,
    input: str | None = None,
    timeout: float = 600,
    cwd: str | os.PathLike[str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m csfpilot ARGS`` as a process of its own, its output captured as text."""
    env = dict(os.environ if env is None else env)
    key = tuple(sorted(env.items()))
    prepared = _prepared.pop(key, None)
    if prepared is None or prepared.proc.poll() is not None:
        prepared = _Prepared(env)
    _prepared[key] = prepared
    while len(_prepared) > KEEP:
        _prepared.popitem(last=False)[1].close()
    return prepared.run([str(a) for a in args], input, timeout, None if cwd is None else str(cwd))


@atexit.register
def _close_all() -> None:
    while _prepared:
        _prepared.popitem()[1].close()
