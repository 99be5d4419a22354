"""The prepared process of tests/cli_processes.py: loads what every command loads, then forks
one child per request read from standard input and answers with its pid and exit code."""

from __future__ import annotations

import atexit
import io
import json
import os
import runpy
import sys
import threading
import traceback


def _prepare() -> None:
    # What every command's process does before its own work, none of it touching the database.
    import csfpilot.cli.main  # noqa: F401
    from csfpilot.cli import database

    database._configure()
    from django.db.migrations.loader import MigrationLoader

    MigrationLoader(None, ignore_no_migrations=True)


def _streams(request: dict) -> None:
    stdin = os.open(request["stdin"] or os.devnull, os.O_RDONLY)
    os.dup2(stdin, 0)
    os.close(stdin)
    for fd, name in ((1, request["stdout"]), (2, request["stderr"])):
        out = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out, fd)
        os.close(out)
    # New text layers over the new descriptors, configured as Python configures them for
    # a process whose streams are files or pipes.
    sys.stdin = io.TextIOWrapper(open(0, "rb", closefd=False), encoding="utf-8")  # noqa: SIM115
    sys.stdout = io.TextIOWrapper(open(1, "wb", closefd=False), encoding="utf-8")  # noqa: SIM115
    sys.stderr = io.TextIOWrapper(
        open(2, "wb", buffering=0, closefd=False),  # noqa: SIM115
        encoding="utf-8",
        errors="backslashreplace",
        line_buffering=True,
    )
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = sys.stdin, sys.stdout, sys.stderr


def _child(request: dict) -> None:
    code = 1
    try:
        _streams(request)
        if request["cwd"]:
            os.chdir(request["cwd"])
        sys.argv = ["csfpilot", *request["args"]]
        runpy.run_module("csfpilot", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as stop:
        if stop.code is None:
            code = 0
        elif isinstance(stop.code, int):
            code = stop.code
        else:
            print(stop.code, file=sys.stderr)
            code = 1
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        # What the interpreter does on its way out: wait for threads, run exit handlers.
        try:
            threading._shutdown()
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def main() -> None:
    _prepare()
    control_in = sys.stdin.buffer
    control_out = os.fdopen(os.dup(1), "w", buffering=1)
    for line in control_in:
        request = json.loads(line)
        from django.db import connections

        connections.close_all()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            control_out.close()
            _child(request)
        control_out.write(json.dumps({"pid": pid}) + "\n")
        _, status = os.waitpid(pid, 0)
        control_out.write(json.dumps({"code": os.waitstatus_to_exitcode(status)}) + "\n")


if __name__ == "__main__":
    main()
