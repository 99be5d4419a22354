"""Reports laid out in report processes: the file is the same, a report error crosses over
unchanged, the web process never loads WeasyPrint, and a report process that dies is replaced."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from csfpilot.core.errors import InputRefused
from csfpilot.reports.limits import RenderLimits
from csfpilot.reports.render import render
from csfpilot.webapp.reports import processes


@pytest.fixture
def pool(settings):
    settings.CSFPILOT_REPORT_PROCESSES = 1
    settings.CSFPILOT_REPORT_PROCESS_RENDERS = 100
    processes.stop()
    yield
    processes.stop()


@pytest.fixture
def brief(build):
    return build("brief")


def _children() -> list[int]:
    pool = processes._pool
    return list(pool._processes) if pool is not None and pool._processes else []


def test_a_report_process_makes_the_same_file_in_another_process(pool, brief):
    limits = RenderLimits()
    made = processes.render_report(brief, "md", template=None, template_name="", limits=limits)
    assert made == render(brief, "md", limits=limits)
    children = _children()
    assert children and os.getpid() not in children
    pdf = processes.render_report(brief, "pdf", template=None, template_name="", limits=limits)
    assert pdf.startswith(b"%PDF-")
    assert _children() == children  # long-lived: the same process made both


def test_a_report_error_in_the_report_process_reaches_the_caller_unchanged(pool, brief):
    bomb = "{% for i in range(10) %}{% for j in range(10) %}x{% endfor %}{% endfor %}"
    limits = RenderLimits(max_iterations=50)
    with pytest.raises(InputRefused) as here:
        render(brief, "html", template=bomb, template_name="bomb.html", limits=limits)
    with pytest.raises(InputRefused) as there:
        processes.render_report(
            brief, "html", template=bomb, template_name="bomb.html", limits=limits
        )
    assert type(there.value) is type(here.value)
    assert str(there.value) == str(here.value)
    assert there.value.file == "bomb.html" and "50 loop iterations" in there.value.message
    assert _children()  # it was the report process that refused


def test_a_report_process_that_dies_is_replaced(pool, brief):
    limits = RenderLimits()
    processes.render_report(brief, "md", template=None, template_name="", limits=limits)
    (child,) = _children()
    os.kill(child, signal.SIGKILL)
    # The report that was running (or the next one, if the death is noticed only then)
    # is refused with a plain reason; the one after is made by a new process.
    outcomes = []
    for _ in range(2):
        try:
            processes.render_report(brief, "md", template=None, template_name="", limits=limits)
            outcomes.append("made")
        except InputRefused as exc:
            assert "try again" in str(exc)
            outcomes.append("refused")
    assert outcomes[-1] == "made"
    assert child not in _children()


def test_without_report_processes_the_render_is_in_the_caller(settings, brief):
    settings.CSFPILOT_REPORT_PROCESSES = 0
    processes.stop()
    data = processes.render_report(
        brief, "md", template=None, template_name="", limits=RenderLimits()
    )
    assert data == render(brief, "md", limits=RenderLimits())
    assert processes._pool is None


def test_the_web_process_does_not_load_weasyprint_for_a_pdf(tmp_path):
    """In a fresh process configured as `csfpilot serve` is, a PDF is made without
    WeasyPrint (or Pango, or the fonts) ever being imported by that process."""
    script = textwrap.dedent(
        """
        import sys
        from datetime import UTC, date, datetime
        from pathlib import Path
        from csfpilot.cli import database
        database._configure()
        from django.conf import settings
        from csfpilot.formats.native import read_profile
        from csfpilot.formats.native.reference import bundled_reference
        from csfpilot.reports.limits import RenderLimits
        from csfpilot.reports.model import Provenance, build_report
        from csfpilot.webapp.reports import processes
        assert settings.CSFPILOT_REPORT_PROCESSES == 1
        ref = bundled_reference()
        i = ref.catalog.info
        example = Path(sys.argv[1])
        profile = read_profile(
            example, framework=ref.framework, withdrawals=ref.withdrawals
        ).profile
        report = build_report(
            profile, ref.framework, kind="brief",
            provenance=Provenance(i.key, i.name, i.version, i.publisher, i.source_file,
                                  i.source_sha256),
            today=date(2026, 3, 2), generated=datetime(2026, 3, 2, 9, tzinfo=UTC),
        )
        data = processes.render_report(report, "pdf", template=None, template_name="",
                                       limits=RenderLimits())
        assert data.startswith(b"%PDF-")
        print("weasyprint" in sys.modules)
        """
    )
    from tests.reports.conftest import EXAMPLE

    env = dict(os.environ, CSFPILOT_DATA_DIR=str(tmp_path), CSFPILOT_REPORT_PROCESSES="1")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", script, str(EXAMPLE)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"
