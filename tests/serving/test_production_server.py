"""``csfpilot serve`` as production runs it: gunicorn workers, hashed static files, SQLite."""

from __future__ import annotations

import re
import threading

import psutil

from tests.e2e.conftest import running_server
from tests.serving.conftest import WORKERS, Server, call

HASHED = re.compile(r"/static/csfpilot/css/app\.[0-9a-f]{12}\.css")


def _server_processes(url: str) -> list[psutil.Process]:
    port = url.rsplit(":", 1)[1]
    main = next(
        p
        for p in psutil.process_iter(["cmdline"])
        if p.info["cmdline"] and "serve" in p.info["cmdline"] and port in p.info["cmdline"]
    )
    return [main, *main.children()]


def test_bare_endpoint_answers_ok_and_says_nothing_more(sqlite_server: Server):
    answer = call(f"{sqlite_server.url}/healthz")
    assert answer.status == 200
    assert answer.body == b"ok"
    assert answer.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "no-store" in answer.headers["Cache-Control"]
    assert "Set-Cookie" not in answer.headers
    # No version of anything: not the server's, not Python's, not the app's.
    assert not any(
        re.search(r"\d+\.\d+", value)
        for value in answer.headers.values()
        if not re.match(r"\w{3}, \d", value) and "dur=" not in value
    )
    # The same middleware as every page: its headers are there.
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    # Only GET and HEAD: a POST is refused (by the CSRF check, before the view).
    assert call(f"{sqlite_server.url}/healthz", method="POST").status == 403
    assert call(f"{sqlite_server.url}/healthz", method="HEAD").status == 200


def test_readiness_checks_the_database(sqlite_server: Server):
    answer = call(f"{sqlite_server.url}/readyz")
    assert (answer.status, answer.body) == (200, b"ok")


def test_several_worker_processes_serve(sqlite_server: Server):
    _main, *children = _server_processes(sqlite_server.url)
    # Besides gunicorn's worker processes, the one background job worker it started.
    jobs = [c for c in children if "worker" in c.cmdline()]
    workers = [c for c in children if c not in jobs]
    assert len(workers) == WORKERS and len(jobs) == 1
    assert all(w.name().startswith(("csfpilot", "python", "gunicorn")) for w in workers)


def test_pages_link_hashed_static_files_cached_for_a_year(sqlite_server: Server):
    page = call(f"{sqlite_server.url}/")
    assert page.status == 200
    linked = HASHED.search(page.body.decode())
    assert linked, "the page links the stylesheet by its content-hashed name"
    css = call(sqlite_server.url + linked.group(0), headers={"Accept-Encoding": "gzip"})
    assert css.status == 200
    assert css.headers["Content-Type"].startswith("text/css")
    assert "immutable" in css.headers["Cache-Control"]
    assert "max-age=315360000" in css.headers["Cache-Control"]
    assert css.headers["Content-Encoding"] == "gzip"  # compressed once, at collection


def test_restart_reuses_collected_static_files(sqlite_server: Server):
    fingerprint = sqlite_server.data_dir / "static.fingerprint"
    before = fingerprint.stat().st_mtime_ns
    with running_server(sqlite_server.data_dir, extra_env={"CSFPILOT_WORKERS": "1"}) as url:
        assert call(f"{url}/healthz").status == 200
    assert fingerprint.stat().st_mtime_ns == before
    log = (sqlite_server.data_dir / "server.log").read_text()
    assert "Static files collected" not in log
    assert "Migrations" not in log and "Preparing" not in log


def test_concurrent_writers_on_sqlite_never_see_a_locked_database(sqlite_server: Server):
    """Eight clients rate different outcomes at once through both worker processes."""
    outcomes = call(sqlite_server.api("/outcomes"), token=sqlite_server.token).json()
    codes = [o["code"] for o in outcomes[:8]]
    failures: list[str] = []

    def rate(code: str) -> None:
        version = call(sqlite_server.api(f"/outcomes/{code}"), token=sqlite_server.token).json()[
            "version"
        ]
        for turn in range(12):
            answer = call(
                sqlite_server.api(f"/outcomes/{code}"),
                method="PATCH",
                token=sqlite_server.token,
                body={"version": version, "notes": f"turn {turn}", "current": "partially"},
            )
            if answer.status != 200:
                failures.append(f"{code} turn {turn}: {answer.status} {answer.body[:200]!r}")
                return
            version = answer.json()["version"]

    threads = [threading.Thread(target=rate, args=(code,)) for code in codes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    listed = call(sqlite_server.api("/outcomes"), token=sqlite_server.token).json()
    final = {o["code"]: o for o in listed}
    assert all(final[code]["notes"] == "turn 11" for code in codes)
    assert "database is locked" not in (sqlite_server.data_dir / "server.log").read_text()
