"""``csfpilot report brief|workpaper`` run as a user runs it, in a subprocess: from a profile
file with no database, and from an organization in the session's own SQLite database."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docx
import openpyxl
import pypdf
import pytest

from tests.cli_processes import run_csfpilot
from tests.prepared_data import prepare

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "profile-riverbend-clinics.yaml"
PROFILE_NAME = "Whole company — CSF 2.0"  # the demo organization's profile


@dataclass
class Run:
    code: int
    out: str
    err: str


Csfpilot = Callable[..., Run]


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Csfpilot:
    data_dir = tmp_path_factory.mktemp("report-cli")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
    env.update(
        CSFPILOT_DATA_DIR=str(data_dir),
        CSFPILOT_SECRET_KEY="cli-test-only-not-a-secret",
        COLUMNS="200",
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

    return run


def pdf_text(path: Path) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(path).pages)


def test_brief_from_a_file_as_pdf(cli, tmp_path):
    out = tmp_path / "brief.pdf"
    run = cli("report", "brief", "--profile", EXAMPLE, "--format", "pdf", "-o", out)
    assert run.code == 0, run.err
    assert f"Wrote {out}" in run.err
    text = pdf_text(out)
    assert "Riverbend Clinics" in text and "CSF Tiers" in text and "DE.CM-02" in text
    assert len(pypdf.PdfReader(out).pages) <= 2


def test_every_format_from_a_file_by_suffix(cli, tmp_path):
    for name in ("w.html", "w.xlsx", "w.md"):
        run = cli("report", "workpaper", "-p", EXAMPLE, "-o", tmp_path / name)
        assert run.code == 0, run.err
    assert "<svg" in (tmp_path / "w.html").read_text(encoding="utf-8")
    assert openpyxl.load_workbook(tmp_path / "w.xlsx").sheetnames[1] == "Profile"
    assert "### GV.OC-01" in (tmp_path / "w.md").read_text(encoding="utf-8")
    run = cli("report", "brief", "-p", EXAMPLE, "-o", tmp_path / "b.docx")
    assert run.code == 0, run.err
    headings = [
        p.text for p in docx.Document(tmp_path / "b.docx").paragraphs if p.style.name == "Heading 2"
    ]
    assert headings[0] == "CSF Tiers"


def test_markdown_goes_to_standard_output_in_traditional_chinese(cli):
    run = cli("report", "brief", "-p", EXAMPLE, "-f", "md", "--lang", "zh-Hant")
    assert run.code == 0, run.err
    assert run.out.startswith("# 董事會簡報: Riverbend Clinics")
    assert "## CSF 層級" in run.out and "網路安全風險治理" in run.out


def test_snapshots_give_the_trend(cli, tmp_path):
    snap = tmp_path / "q4.yaml"
    made = cli(
        "profile",
        "snapshot",
        EXAMPLE,
        "-o",
        snap,
        "--label",
        "Q4 review",
        "--taken",
        "2025-12-01T09:00:00+00:00",
    )
    assert made.code == 0, made.err
    run = cli("report", "brief", "-p", EXAMPLE, "--snapshot", snap, "-f", "md")
    assert run.code == 0, run.err
    assert "Since Q4 review: Current" in run.out
    refused = cli("report", "brief", "-p", EXAMPLE, "--snapshot", EXAMPLE, "-f", "md")
    assert refused.code == 2 and "is not a snapshot" in refused.err


def test_own_template_logo_and_colours(cli, tmp_path):
    template = tmp_path / "board.html"
    template.write_text(
        '{% extends "brief.html" %}{% block kind %}Board pack{% endblock %}', encoding="utf-8"
    )
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (20, 10), (0, 90, 50)).save(logo)
    out = tmp_path / "b.html"
    run = cli(
        "report",
        "brief",
        "-p",
        EXAMPLE,
        "--template",
        template,
        "--logo",
        logo,
        "--primary",
        "#005a32",
        "-o",
        out,
    )
    assert run.code == 0, run.err
    page = out.read_text(encoding="utf-8")
    assert "Board pack" in page and "data:image/png;base64," in page and "#005a32" in page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("brief", "-p", EXAMPLE, "-f", "pdf"), "needs --output"),
        (("workpaper", "-p", EXAMPLE, "-f", "docx", "-o", "x.docx"), "not made as DOCX"),
        (("brief", "-p", EXAMPLE, "-o", "x.txt"), "cannot tell the format"),
        (("brief", "-p", "missing.yaml", "-f", "md"), "missing.yaml"),
        (("brief", "-p", EXAMPLE, "-f", "md", "--primary", "red"), "#rrggbb"),
    ],
)
def test_refusals_name_the_problem(cli, tmp_path, args, message):
    run = cli(
        "report",
        *[
            tmp_path / a if isinstance(a, str) and "." in a and a.startswith("x") else a
            for a in args
        ],
    )
    assert run.code == 2, (run.out, run.err)
    assert message in run.err
    assert "Traceback" not in run.err


def test_a_broken_template_names_its_line_and_writes_nothing(cli, tmp_path):
    template = tmp_path / "t.html"
    template.write_text("<p>\n<p>{{ meta.title | nope }}</p>\n", encoding="utf-8")
    out = tmp_path / "b.pdf"
    run = cli("report", "brief", "-p", EXAMPLE, "--template", template, "-o", out)
    assert run.code == 2
    assert f"{template}:2" in run.err and "nope" in run.err
    assert not out.exists()
    evil = tmp_path / "evil.html"
    evil.write_text('<a href="javascript:alert(1)">x</a>', encoding="utf-8")
    run = cli("report", "brief", "-p", EXAMPLE, "--template", evil, "-o", out)
    assert run.code == 2 and "runs script" in run.err and not out.exists()


def test_an_existing_file_is_kept_without_force(cli, tmp_path):
    out = tmp_path / "b.md"
    out.write_text("mine", encoding="utf-8")
    run = cli("report", "brief", "-p", EXAMPLE, "-o", out)
    assert run.code == 2 and "--force" in run.err
    assert out.read_text(encoding="utf-8") == "mine"
    assert cli("report", "brief", "-p", EXAMPLE, "-o", out, "--force").code == 0
    assert out.read_text(encoding="utf-8").startswith("# Board brief")


def test_reports_from_the_database(cli, tmp_path):
    # The first database command prepares the database (migrations, NIST's catalogs).
    assert cli("profile", "list", "--org", "example-manufacturing").code == 1
    made = cli(
        "manage",
        "shell",
        "-c",
        "from csfpilot.webapp.demo import ensure_demo; ensure_demo()",
    )
    assert made.code == 0, made.err
    out = tmp_path / "w.xlsx"
    run = cli(
        "report", "workpaper", "--org", "example-manufacturing", "-p", PROFILE_NAME, "-o", out
    )
    assert run.code == 0, run.err
    wb = openpyxl.load_workbook(out)
    about = {r[0].value: r[1].value for r in wb["About"].iter_rows(min_row=2)}
    assert about["Organization"] == "Example Manufacturing Co."
    assert len(about["SHA-256 of the source"]) == 64
    brief = cli(
        "report",
        "brief",
        "--org",
        "example-manufacturing",
        "-p",
        PROFILE_NAME,
        "-f",
        "md",
        "--lang",
        "zh-Hant",
    )
    assert brief.code == 0, brief.err
    assert brief.out.startswith("# 董事會簡報") and "自 " in brief.out
    missing = cli("report", "brief", "--org", "example-manufacturing", "-p", "Nope", "-f", "md")
    assert missing.code == 1 and "Nope" in missing.err
    wrong = cli("report", "brief", "--org", "no-such-org", "-p", "x", "-f", "md")
    assert wrong.code == 1 and "no-such-org" in wrong.err
