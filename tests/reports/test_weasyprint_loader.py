"""The first PDF in a process runs no other program (the C tool chain's library search)."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
started = []
sys.addaudithook(lambda event, args: event == "subprocess.Popen" and started.append(args[1]))
from csfpilot.reports.pdf import html_to_pdf
pdf = html_to_pdf("<p>GV.OC-01 治理</p>")
print(pdf[:5].decode(), len(started), started)
"""


def _first_pdf(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    return done.stdout.strip()


def test_the_first_pdf_starts_no_process():
    assert _first_pdf(PROBE).startswith("%PDF- 0 []")


def test_without_the_loader_weasyprint_would_run_the_library_search():
    # The reason for the loader: should a WeasyPrint release stop asking for names the
    # loader cannot place, this fails and the loader can go.
    out = _first_pdf(
        PROBE.replace(
            "from csfpilot.reports.pdf import",
            "import weasyprint\nfrom csfpilot.reports.pdf import",
        )
    )
    assert not out.startswith("%PDF- 0 "), out
