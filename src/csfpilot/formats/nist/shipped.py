"""Where the NIST files that ship inside the package live."""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

REFERENCE_TOOL_JSON = "nist-csf-2.0/csf-2.0-reference-tool-elements.json"
REFERENCE_TOOL_SHA256 = "d5c6fecdc5372dc51698cb0f12a6124d781bf5242cfe74f9ab8068b2080044d9"
"""The digest of that export as shipped (data/SOURCES.md records it too)."""
CPRT_JSON = "nist-csf-2.0/cprt_CSF_2_0_0_04-24-2024.json"
CSF_1_1_WORKBOOK = "nist-csf-1.1/csf-pf-to-sp800-53r5-mappings.xlsx"
CONCEPT_CROSSWALK_800_53 = (
    "crosswalks/Cybersecurity_Framework_v2-0_Concept_Crosswalk_800-53_final.xlsx"
)


def shipped_file(relative: str) -> Path:
    """The path of a file under ``csfpilot/data`` (the package is installed unzipped)."""
    resource = files("csfpilot").joinpath("data", *relative.split("/"))
    with as_file(resource) as path:
        return Path(path)
