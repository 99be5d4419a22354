"""Import WeasyPrint without running the C tool chain to find its libraries.

WeasyPrint opens Pango, HarfBuzz, fontconfig and GObject through cffi under several names per
library (Windows, macOS and Linux spellings, in that order). cffi hands every name that is
not a path to ``ctypes.util.find_library``, which on Linux runs ``ldconfig -p``, then the C
compiler and the linker, for each name it cannot place: about a dozen processes before the
first PDF, and compiler scratch files in the temporary folder. Every list also holds the
Linux run-time name (``libpango-1.0.so.0``), which the dynamic loader opens directly; so the
import first runs with ``find_library`` answering "not found", and only if a library is then
missing (an unusual system) once more with the real search.
"""

from __future__ import annotations

import ctypes.util
import sys
from contextlib import contextmanager
from types import ModuleType


@contextmanager
def _loader_names_only():
    real = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = real


def load_weasyprint() -> ModuleType:
    """The ``weasyprint`` module, imported once per process."""
    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    if sys.platform.startswith("linux"):
        try:
            with _loader_names_only():
                import weasyprint

            return weasyprint
        except OSError:
            # A library known to the system only under another name: forget the half-made
            # import and let the real search place it.
            for name in [
                n for n in sys.modules if n == "weasyprint" or n.startswith("weasyprint.")
            ]:
                del sys.modules[name]
    import weasyprint

    return weasyprint
