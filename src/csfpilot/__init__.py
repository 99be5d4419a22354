"""csfpilot: adopt the NIST Cybersecurity Framework 2.0."""

__version__ = "0.1.0"
