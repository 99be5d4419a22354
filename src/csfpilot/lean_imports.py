"""Keep numpy out of processes that only read or write workbooks.

openpyxl looks for numpy when it is first imported and, when it is installed, loads it
(about 18 MB resident and a tenth of a second) so that numpy numbers can be written to
cells. csfpilot never writes numpy values, and numpy is installed only for the mapping
assistant. So the one openpyxl module that looks for it is run with numpy hidden: every
web worker and command that touches a workbook stays without it, and a process that uses
the mapping assistant imports numpy as usual (before or after openpyxl).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from types import ModuleType

_LOOKS_FOR_NUMPY = "openpyxl.compat.numbers"


class _WithoutNumpy(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
        if name != _LOOKS_FOR_NUMPY:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            if "numpy" in sys.modules:  # already loaded: nothing to save
                run(module)
                return
            sys.modules["numpy"] = None  # type: ignore[assignment]  # "import numpy" fails
            try:
                run(module)
            finally:
                del sys.modules["numpy"]

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def install() -> None:
    if not any(isinstance(f, _WithoutNumpy) for f in sys.meta_path):
        sys.meta_path.insert(0, _WithoutNumpy())
