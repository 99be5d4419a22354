"""``csfpilot evidence add / version / list / show / link / review / due`` run as a user runs
them, in a subprocess, against a module's own SQLite database and evidence folder."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.cli_processes import run_csfpilot
from tests.prepared_data import prepare

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
PDF_2 = PDF.replace(b"Catalog", b"Catalog /Lang (en)")
PROFILE = """format_version: 1
framework: csf-2.0
name: Plant 2
scale: status
outcomes:
  GV.OC-01: {current: fully, target: fully}
  PR.AA-03: {current: largely, target: fully}
"""
SETUP = """
from django.contrib.auth import get_user_model
from csfpilot.webapp.organizations.models import Membership, Organization
org = Organization.objects.create(name='Acme Corp', slug='acme')
user = get_user_model().objects.create_user(username='lee', email='lee@acme.test', password='x')
Membership.objects.create(user=user, organization=org, role='assessor')
"""


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self):
        assert self.code == 0, self.err
        return json.loads(self.out)


Csfpilot = Callable[..., Run]


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Csfpilot:
    data_dir = tmp_path_factory.mktemp("evidence-cli")
    # Only this module's SQLite file: never a database named by the caller's environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
    env.update(
        CSFPILOT_DATA_DIR=str(data_dir),
        CSFPILOT_SECRET_KEY="cli-test-only-not-a-secret",
        COLUMNS="80",
        NO_COLOR="1",
    )
    prepare(data_dir, env["CSFPILOT_SECRET_KEY"])

    def run(*args: str | Path) -> Run:
        proc = run_csfpilot(
            [*map(str, args)],
            env=env,
            timeout=600,
        )
        return Run(proc.returncode, proc.stdout, proc.stderr)

    first = run("evidence", "list", "--org", "acme", "--json")
    assert first.code == 1, first.err  # the database is prepared; acme does not exist yet
    made = run("manage", "shell", "-c", SETUP)
    assert made.code == 0, made.err
    profile = data_dir / "plant2.yaml"
    profile.write_text(PROFILE, encoding="utf-8")
    assert run("profile", "import", profile, "--org", "acme").code == 0
    return run


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / "policy.pdf"
    path.write_bytes(PDF)
    return path


def one_line_error(run: Run, code: int, *needles: str) -> None:
    assert run.code == code, (run.out, run.err)
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.err
    assert "Traceback" not in run.err
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_a_file_item_keeps_every_version_with_its_hash(cli: Csfpilot, pdf: Path, tmp_path: Path):
    item = cli(
        "evidence",
        "add",
        pdf,
        "--org",
        "acme",
        "--title",
        "Access control policy",
        "--kind",
        "policy",
        "--effective-from",
        "2026-01-01",
        "--review-days",
        "365",
        "--collected-on",
        "2026-01-02",
        "--owner",
        "LEE@acme.test",
        "--source",
        "CISO office",
        "--confidentiality",
        "confidential",
        "--note",
        "approved by the board",
        "--json",
    ).json()
    assert {k: item[k] for k in ("title", "kind", "form", "source", "confidentiality")} == {
        "title": "Access control policy",
        "kind": "policy",
        "form": "file",
        "source": "CISO office",
        "confidentiality": "confidential",
    }
    assert (item["collected_on"], item["effective_from"], item["expires_on"]) == (
        "2026-01-02",
        "2026-01-01",
        "2027-01-01",
    )
    assert (item["owner"], item["review_interval_days"], item["version"]) == (
        "lee@acme.test",
        365,
        1,
    )
    [v1] = item["versions"]
    assert (v1["number"], v1["sha256"], v1["size"], v1["media_type"], v1["filename"]) == (
        1,
        hashlib.sha256(PDF).hexdigest(),
        len(PDF),
        "application/pdf",
        "policy.pdf",
    )
    assert v1["note"] == "approved by the board"

    newer = tmp_path / "policy-2027.pdf"
    newer.write_bytes(PDF_2)
    v2 = cli("evidence", "version", str(item["id"]), newer, "--org", "acme", "--json").json()
    assert (v2["number"], v2["sha256"]) == (2, hashlib.sha256(PDF_2).hexdigest())

    shown = cli("evidence", "show", str(item["id"]), "--org", "acme", "--json").json()
    assert [(v["number"], v["sha256"]) for v in shown["versions"]] == [
        (2, hashlib.sha256(PDF_2).hexdigest()),
        (1, hashlib.sha256(PDF).hexdigest()),
    ]
    assert shown["version"] == 2
    text = cli("evidence", "show", str(item["id"]), "--org", "acme")
    assert text.code == 0, text.err
    assert f"sha256 {hashlib.sha256(PDF).hexdigest()}" in text.out
    assert f"sha256 {hashlib.sha256(PDF_2).hexdigest()}" in text.out
    assert max(len(line) for line in text.out.splitlines()) <= 80

    listed = cli("evidence", "list", "--org", "acme", "--kind", "policy", "--json").json()
    assert [(r["id"], r["latest_version"]) for r in listed] == [(item["id"], 2)]
    table = cli("evidence", "list", "--org", "acme")
    assert "Access control policy" in table.out and "2027-01-01" in table.out
    assert max(len(line) for line in table.out.splitlines()) <= 80


def test_link_to_outcomes_all_or_nothing_then_review(cli: Csfpilot):
    item = cli(
        "evidence",
        "add",
        "--org",
        "acme",
        "--title",
        "MFA rollout attestation",
        "--statement",
        "Every administrator signs in with a security key.",
        "--json",
    ).json()
    assert (item["form"], item["versions"][0]["statement"]) == (
        "attestation",
        "Every administrator signs in with a security key.",
    )
    ref = str(item["id"])
    links = cli(
        "evidence",
        "link",
        ref,
        "--org",
        "acme",
        "--profile",
        "Plant 2",
        "--outcome",
        "PR.AA-03",
        "--outcome",
        "GV.OC-01",
        "--statement",
        "Signed by the CISO",
        "--json",
    ).json()
    assert sorted((x["outcome"], x["side"], x["review"], x["statement"]) for x in links) == [
        ("GV.OC-01", "current", "pending", "Signed by the CISO"),
        ("PR.AA-03", "current", "pending", "Signed by the CISO"),
    ]
    # One outcome already linked: nothing of this command is kept.
    refused = cli(
        "evidence", "link", ref, "--org", "acme", "--profile", "Plant 2",
        "--outcome", "ID.AM-01", "--outcome", "GV.OC-01",
    )  # fmt: skip
    one_line_error(refused, 2, "already linked to GV.OC-01 (current)")
    unknown = cli(
        "evidence", "link", ref, "--org", "acme", "--profile", "Plant 2", "--outcome", "GV.OC-99"
    )
    one_line_error(unknown, 1, "no outcome GV.OC-99")
    target = cli(
        "evidence", "link", ref, "--org", "acme", "--profile", "Plant 2",
        "--outcome", "ID.AM-01", "--side", "target",
    )  # fmt: skip
    assert target.code == 0, target.err
    assert "→ ID.AM-01 (target) in Plant 2, waiting for review." in target.out
    shown = cli("evidence", "show", ref, "--org", "acme", "--json").json()
    assert sorted((x["outcome"], x["side"]) for x in shown["link_list"]) == [
        ("GV.OC-01", "current"),
        ("ID.AM-01", "target"),
        ("PR.AA-03", "current"),
    ]

    link_id = str(next(x["id"] for x in links if x["outcome"] == "GV.OC-01"))
    no_reason = cli("evidence", "review", link_id, "--org", "acme", "--state", "rejected")
    one_line_error(no_reason, 2, "say why the evidence is insufficient or rejected")
    bad = cli("evidence", "review", link_id, "--org", "acme", "--state", "fine")
    assert bad.code == 2 and "fine" in bad.err
    done = cli(
        "evidence", "review", link_id, "--org", "acme", "--state", "accepted",
        "--comment", "Seen the keys", "--json",
    ).json()  # fmt: skip
    assert (done["review"], done["review_comment"], done["reviewed_by"]) == (
        "accepted",
        "Seen the keys",
        None,
    )
    assert done["reviewed_at"] is not None


def test_due_lists_what_expires_and_what_expired(cli: Csfpilot):
    today = date.today()
    for title, end in (
        ("Pen test report", today - timedelta(days=2)),
        ("DR exercise", today + timedelta(days=12)),
        ("Cyber insurance", today + timedelta(days=200)),
    ):
        made = cli(
            "evidence", "add", "--org", "acme", "--title", title,
            "--url", "https://docs.example/x", "--valid-until", end.isoformat(),
        )  # fmt: skip
        assert made.code == 0, made.err
    # Other tests' items share the organization: only this test's are looked at.
    mine = {"Pen test report", "DR exercise", "Cyber insurance"}
    rows = [
        r for r in cli("evidence", "due", "--org", "acme", "--json").json() if r["title"] in mine
    ]
    assert [(r["title"], r["days_left"], r["freshness"]) for r in rows] == [
        ("Pen test report", -2, "expired"),
        ("DR exercise", 12, "expiring"),
    ]
    wider = cli("evidence", "due", "--org", "acme", "--days", "365", "--json").json()
    assert [r["title"] for r in wider if r["title"] in mine] == [
        "Pen test report",
        "DR exercise",
        "Cyber insurance",
    ]
    table = cli("evidence", "due", "--org", "acme")
    assert "Pen test report" in table.out and "expired" in table.out
    assert "Cyber insurance" not in table.out


def test_refusals_name_the_problem_and_store_nothing(cli: Csfpilot, tmp_path: Path, pdf: Path):
    before = cli("evidence", "list", "--org", "acme", "--json").json()
    polyglot = tmp_path / "report.pdf"
    polyglot.write_bytes(b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>")
    html = cli("evidence", "add", polyglot, "--org", "acme", "--title", "Report")
    one_line_error(html, 2, "report.pdf", "HTML or SVG")
    both = cli("evidence", "add", pdf, "--org", "acme", "--title", "X", "--url", "https://a.b/")
    one_line_error(both, 2, "exactly one of FILE, --url or --statement")
    missing = cli("evidence", "add", tmp_path / "nope.pdf", "--org", "acme", "--title", "X")
    one_line_error(missing, 2, "nope.pdf", "no such file")
    bad_day = cli(
        "evidence", "add", pdf, "--org", "acme", "--title", "X", "--valid-until", "31/12/2026"
    )
    one_line_error(bad_day, 2, "field valid_until", "not a date")
    assert cli("evidence", "list", "--org", "acme", "--json").json() == before
    one_line_error(cli("evidence", "list", "--org", "nowhere"), 1, "no organization 'nowhere'")
    one_line_error(cli("evidence", "show", "999999", "--org", "acme"), 1, "no evidence item 999999")
    one_line_error(
        cli("evidence", "version", "999999", pdf, "--org", "acme"), 1, "no evidence item 999999"
    )
    one_line_error(
        cli("evidence", "review", "999999", "--org", "acme", "--state", "accepted"),
        1,
        "no evidence link 999999",
    )


SCANS = Path(__file__).parents[1] / "data" / "scanners"


def test_import_scan_prints_the_summary_and_names_contradictions(cli: Csfpilot):
    """Trivy's failing checks on PR.AA-01 are low; its CVEs on PR.PS-02 are serious. The
    profile claims GV.OC-01 and PR.AA-03 only, so nothing is contradicted here."""
    summary = cli(
        "evidence",
        "import-scan",
        SCANS / "trivy-image.json",
        "--org",
        "acme",
        "--profile",
        "Plant 2",
        "--json",
    ).json()
    assert summary == {
        "format": "trivy",
        "findings": 7,
        "mapped": 7,
        "unmapped": {},
        "outcomes": {
            "ID.RA-01": {"fail": 3},
            "PR.AA-01": {"fail": 1},
            "PR.PS-01": {"fail": 2, "pass": 1},
            "PR.PS-02": {"fail": 3},
        },
        "contradicted": [],
    }
    table = cli("evidence", "import-scan", SCANS / "bandit.sarif", "--org", "acme")
    assert table.code == 0, table.err
    assert "11 findings, 11 mapped" in " ".join(table.out.split())
    assert "PR.PS-06" in table.out


def test_import_scan_refuses_a_file_it_cannot_read(cli: Csfpilot, tmp_path: Path):
    junk = tmp_path / "junk.json"
    junk.write_text('{"hello": "world"}', encoding="utf-8")
    one_line_error(cli("evidence", "import-scan", junk, "--org", "acme"), 2, "junk.json")
