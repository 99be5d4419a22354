"""The lock check reads a pin whose environment marker holds here, and only that one."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "lock_drift.py"


def _module():
    spec = importlib.util.spec_from_file_location("lock_drift", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_pin_per_python_range_is_read_for_this_python(tmp_path):
    lock = tmp_path / "lock.txt"
    lock.write_text(
        "numpy==1.0.0 ; python_full_version < '3.0' \\\n"
        "    --hash=sha256:00\n"
        "numpy==2.0.0 ; python_full_version >= '3.0' \\\n"
        "    --hash=sha256:11\n"
        "numpy==3.0.0 ; python_full_version >= '99.0' \\\n"
        "    --hash=sha256:22\n"
        "six==1.16.0 \\\n"
        "    --hash=sha256:33\n",
        encoding="utf-8",
    )
    assert _module().locked_versions(lock) == {"numpy": "2.0.0", "six": "1.16.0"}
