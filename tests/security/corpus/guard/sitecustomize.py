"""Loaded by every Python process started with this folder on PYTHONPATH: installs the
socket guard of tests/security/corpus/netguard.py before any csfpilot code runs."""

import importlib.util
import os

_spec = importlib.util.spec_from_file_location(
    "_csfpilot_netguard", os.path.join(os.path.dirname(__file__), "..", "netguard.py")
)
_guard = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_guard)
_guard.install([])
