"""The hostile input corpus (tests/security/corpus/payloads.py) through every import entry
point: the web upload, the API (profile, Community Profile and signed package import) and
the CLI (``csfpilot profile import``, ``package import`` and ``import-framework``), under
memory and time limits, with every outbound connection refused and counted.

A crash is a 500, an exception out of a view, a CLI exit code the CLI does not document,
a traceback, or a process killed (by the memory limit, the alarm or anything else). A
partial write is any table whose row count changed after a refused input. Harmless but
nasty content (formulas, scripts, ``javascript:`` links) may be accepted; it must then
come out neutralised in CSV and Excel exports and escaped in every page.

tests/formats/test_native_hostile.py, test_hostile_catalogs.py and
test_profile_xlsx_hostile.py check the readers' exact messages; this file checks the
whole path from upload to database.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.prepared_data import prepare
from tests.security.corpus import netguard
from tests.security.corpus.payloads import FORMULAS, JS_URL, SCRIPT, Payload, all_payloads
from tests.webapp.profiles_world import World, world_fixture  # noqa: F401

CORPUS = Path(__file__).parent / "corpus"
TIME_LIMIT = 120  # seconds for one request; a hang is a crash, not a slow test
MEMORY_HEADROOM = 1536 * 1024 * 1024
WEB = "/orgs/acme/profiles/import/"
API = "/api/organizations/acme/profiles/import"
API_COMMUNITY = "/api/organizations/acme/community-profiles"
API_PACKAGE = "/api/organizations/acme/packages/import"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def test_the_corpus_is_big_enough():
    payloads = all_payloads()
    assert len(payloads) >= 50
    for word in (
        "xxe",
        "laughs",
        "bomb",
        "overlapping",
        "slip",
        "symlink",
        "alias",
        "deep",
        "1e400",
        "huge",
        "nul",
        "surrogate",
        "utf16",
        "latin1",
        "formulas",
    ):
        assert any(word in p.name for p in payloads), word


# -- limits for the in-process requests --------------------------------------------------------


class TimeLimitExceeded(Exception):
    pass


@contextmanager
def limits() -> Iterator[None]:
    """An address-space ceiling above what the process uses now, and an alarm."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as fh:
        used = int(fh.read().split()[0]) * resource.getpagesize()
    ceiling = used + MEMORY_HEADROOM
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))

    def _alarm(signum, frame):
        raise TimeLimitExceeded(f"no answer within {TIME_LIMIT} s")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIME_LIMIT)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def row_counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m.__module__.startswith("csfpilot.") and not m._meta.label.startswith("sessions")
    }


# -- web and API -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_payload_through_the_web_and_the_api(world: World, figure):
    client = Client()
    client.force_login(world.users["owner"])
    tried = crashes = partial = 0
    problems: list[str] = []
    with netguard.no_outbound() as outbound:
        for p in all_payloads():
            for url in (WEB, API, API_COMMUNITY, API_PACKAGE):
                cache.clear()
                tried += 1
                before = row_counts()
                upload = SimpleUploadedFile(p.filename, p.data)
                try:
                    # An untrusted signer is accepted, so that only the hostile part refuses.
                    form = {"accept_untrusted": "true"} if url == API_PACKAGE else {}
                    with limits():
                        response = client.post(url, {"file": upload, **form})
                    status = response.status_code
                except (Exception, MemoryError) as exc:  # a view that raised: a crash
                    crashes += 1
                    problems.append(f"{p.name} {url}: {type(exc).__name__}: {exc}"[:300])
                    continue
                if status >= 500:
                    crashes += 1
                    problems.append(f"{p.name} {url}: {status}")
                    continue
                refused = status >= 400
                if refused:
                    after = row_counts()
                    changed = {k for k in after if after[k] != before.get(k)}
                    if changed:
                        partial += 1
                        problems.append(f"{p.name} {url}: refused but changed {sorted(changed)}")
                    if url != WEB:
                        body = response.json()
                        assert body["detail"], p.name  # says what was wrong
                elif not p.accepted:
                    problems.append(f"{p.name} {url}: accepted ({status})")
    figure(
        "hostile_corpus",
        {
            "files": len(all_payloads()),
            "attempts": tried,
            "crashes": crashes,
            "partial_writes": partial,
            "outbound_requests": len(outbound),
        },
        part="web and API",
    )
    assert not problems, "\n".join(problems)
    assert outbound == []


# -- the CLI -----------------------------------------------------------------------------------


def _cli_env(data_dir: Path, guard_log: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
    env.update(
        CSFPILOT_DATA_DIR=str(data_dir),
        CSFPILOT_SECRET_KEY="corpus-only-not-a-secret",
        NETGUARD_LOG=str(guard_log),
        PYTHONPATH=os.pathsep.join(
            [str(CORPUS / "guard"), str(Path(__file__).parents[2]), env.get("PYTHONPATH", "")]
        ),
    )
    prepare(data_dir, env["CSFPILOT_SECRET_KEY"])
    return env


@pytest.mark.sqlite_file
def test_every_payload_through_the_cli(tmp_path: Path, figure):
    files = tmp_path / "files"
    files.mkdir()
    jobs = []
    for i, p in enumerate(all_payloads()):
        path = files / f"{i:03}-{p.filename}"
        path.write_bytes(p.data)
        # Each file goes to the command meant for its kind (``profile import`` for
        # profile files, ``import-framework`` for the rest); the web and API test sends
        # every file to every upload.
        if p.kind == "profile":
            args = ["profile", "import", str(path), "--org", "acme", "--replace"]
        elif p.kind == "package":
            args = ["package", "import", str(path), "--org", "acme", "--accept-untrusted"]
        else:
            args = ["import-framework", str(path), "--json"]
        jobs.append({"id": f"{i}", "payload": p.name, "accepted": p.accepted, "args": args})
    (tmp_path / "jobs.json").write_text(json.dumps(jobs))
    guard_log = tmp_path / "outbound.log"
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    run = subprocess.run(
        [
            sys.executable,
            str(CORPUS / "cli_driver.py"),
            str(tmp_path / "jobs.json"),
            str(tmp_path / "results.json"),
        ],
        env=_cli_env(data_dir, guard_log),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads((tmp_path / "results.json").read_text())
    crashes = [r for r in results if r["exit"] not in (0, 1, 2) or "Traceback" in r["stderr"]]
    partial = [r for r in results if r["exit"] != 0 and r["changed"]]
    accepted_wrongly = [r for r in results if r["exit"] == 0 and not r["accepted"]]
    outbound = guard_log.read_text().splitlines() if guard_log.exists() else []
    figure(
        "hostile_corpus",
        {
            "files": len(all_payloads()),
            "attempts": len(results),
            "crashes": len(crashes),
            "partial_writes": len(partial),
            "outbound_requests": len(outbound),
        },
        part="CLI",
    )
    brief = [
        f"{r['payload']} {' '.join(r['args'][:2])}: exit {r['exit']} {r['stderr'][-300:]}"
        for r in crashes + partial + accepted_wrongly
    ]
    assert not brief, "\n".join(brief)
    assert outbound == []
    # Refusals are one clear line on stderr, naming the file.
    for r in results:
        if r["exit"] == 2:
            assert r["stderr"].startswith("error: "), r
            assert "Traceback" not in r["stderr"]


def test_the_socket_guard_catches_an_outbound_connection(tmp_path: Path):
    """The guard is not blind: a real attempt to connect out is refused and logged, in this
    process and in a subprocess started the way the CLI runs are."""
    import socket
    import urllib.request

    with netguard.no_outbound() as outbound:
        with pytest.raises(OSError):
            urllib.request.urlopen("http://203.0.113.7/", timeout=2)
        with pytest.raises(OSError):
            socket.create_connection(("203.0.113.7", 80), timeout=2)
    assert len(outbound) == 2
    log = tmp_path / "outbound.log"
    code = (
        "import socket\ntry:\n socket.create_connection(('203.0.113.7', 80), timeout=2)\n"
        "except OSError as e:\n print(type(e).__name__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=_cli_env(tmp_path, log),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stdout.strip() == "OutboundRefused"
    assert "203.0.113.7" in log.read_text()


# -- accepted content stays inert ------------------------------------------------------------


def _payload(name: str) -> Payload:
    return next(p for p in all_payloads() if p.name == name)


def _neutral(text: str) -> bool:
    return not text.startswith(FORMULA_START)


def _csv_cells(body: bytes) -> list[str]:
    return [c for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for c in row]


def _xlsx_cells(body: bytes) -> list[tuple[str, object]]:
    book = openpyxl.load_workbook(io.BytesIO(body))
    return [
        (cell.data_type, cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


@pytest.mark.django_db
def test_formula_prefixes_come_out_neutralised_in_exports(world: World, tmp_path: Path):
    from csfpilot.formats.detect import read_framework_file
    from csfpilot.webapp.catalog.services import load_bundle

    client = Client()
    client.force_login(world.users["owner"])
    p = _payload("yaml-formulas-and-scripts")
    response = client.post(API, {"file": SimpleUploadedFile(p.filename, p.data)})
    assert response.status_code == 201, response.content
    profile = (
        response.json()["profile"]["id"]
        if "profile" in response.json()
        else (response.json()["id"])
    )
    framework = _payload("csv-formulas")
    path = tmp_path / framework.filename
    path.write_bytes(framework.data)
    key = load_bundle(read_framework_file(path, key="formula-framework", version="1")).created
    assert key

    downloads = {
        "audit CSV": "/orgs/acme/audit/audit-trail.csv",
        "workpaper XLSX": f"/orgs/acme/profiles/{profile}/reports/workpaper.xlsx",
        "framework CSV": "/frameworks/formula-framework/export/csv",
        "framework XLSX": "/frameworks/formula-framework/export/xlsx",
    }
    seen_formulas = 0
    for label, url in downloads.items():
        got = client.get(url)
        assert got.status_code == 200, (label, got.status_code)
        body = b"".join(got) if got.streaming else got.content
        if url.endswith("xlsx"):
            cells = _xlsx_cells(body)
            assert not [c for c in cells if c[0] == "f"], f"{label}: a formula cell"
            texts = [str(v) for _, v in cells]
        else:
            texts = _csv_cells(body)
        bad = [t for t in texts if not _neutral(t) and any(f.strip() in t for f in FORMULAS)]
        assert bad == [], f"{label}: {bad}"
        seen_formulas += sum(1 for t in texts if any(f.strip() in t for f in FORMULAS))
    # The exports did carry the hostile texts (neutralised), so the check above was real.
    assert seen_formulas >= 4


@pytest.mark.django_db
def test_script_in_names_and_notes_comes_out_escaped(world: World):
    client = Client()
    client.force_login(world.users["owner"])
    p = _payload("yaml-formulas-and-scripts")
    response = client.post(API, {"file": SimpleUploadedFile(p.filename, p.data)})
    assert response.status_code == 201, response.content
    body = response.json()
    pk = body["profile"]["id"] if "profile" in body else body["id"]
    pages = (
        ["/orgs/acme/profiles/", f"/orgs/acme/profiles/{pk}/"]
        + [
            f"/orgs/acme/profiles/{pk}/{tail}"
            for tail in (
                "dashboard/",
                "assess/",
                "outcomes/GV.OC-04/",
                "outcomes/GV.OC-01/",
                "plan/",
                "history/",
                "settings/",
                "tiers/",
                "reports/",
            )
        ]
        + ["/orgs/acme/audit/", f"/orgs/acme/profiles/{pk}/reports/workpaper.html"]
    )
    escaped_seen = 0
    for url in pages:
        got = client.get(url)
        assert got.status_code == 200, (url, got.status_code)
        html = got.content.decode()
        assert SCRIPT not in html, url
        assert "<img src=x onerror" not in html, url
        assert not re.search(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", html, re.I), url
        escaped_seen += "&lt;script&gt;alert(" in html
    assert escaped_seen >= 3  # the names and notes were on the pages, escaped
    assert JS_URL
