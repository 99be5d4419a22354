"""csfpilot: adopt the NIST Cybersecurity Framework 2.0."""

from csfpilot import lean_imports

__version__ = "0.1.0"

lean_imports.install()
