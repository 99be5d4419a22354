"""Readers of scanner and assessment-tool outputs, one module per format.

Each reader turns a tool's file into the domain's
:class:`~csfpilot.core.evidence.findings.ScanReport`; :mod:`.registry`
recognises a file's format by its content and reads it; :mod:`.rules` loads
the rule table that maps findings without NIST ids. Mapping the findings to
CSF 2.0 outcomes is the domain's work (:mod:`csfpilot.core.evidence.scan_mapping`).
Every refusal is an :class:`~csfpilot.core.errors.InputRefused` naming the file
and where in it the problem is; nothing here touches a database or the network.
"""

from csfpilot.scanners.registry import FORMATS, detect, read_scan
from csfpilot.scanners.rules import default_rules, load_rules

__all__ = ["FORMATS", "default_rules", "detect", "load_rules", "read_scan"]
