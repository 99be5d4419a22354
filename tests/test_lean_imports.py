"""openpyxl is loaded without numpy, and numpy still imports afterwards where it is used."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout.strip()


def test_a_workbook_is_written_and_read_without_loading_numpy():
    out = _run(
        "import io, sys, csfpilot, openpyxl\n"
        "wb = openpyxl.Workbook(); wb.active['A1'] = 3; b = io.BytesIO(); wb.save(b)\n"
        "b.seek(0); v = openpyxl.load_workbook(b).active['A1'].value\n"
        "print(v, 'numpy' in sys.modules)"
    )
    assert out == "3 False"


def test_numpy_imports_after_openpyxl_and_openpyxl_after_numpy():
    assert _run("import csfpilot, openpyxl, numpy, sys; print(numpy.zeros(2).sum())") == "0.0"
    assert _run("import csfpilot, numpy, openpyxl.compat.numbers as n; print(n.NUMPY)") == "True"
