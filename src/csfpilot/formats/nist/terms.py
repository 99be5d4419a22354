"""Who publishes each document and under which terms it may be reused."""

from __future__ import annotations

NIST = "National Institute of Standards and Technology (NIST)"
CIS = "Center for Internet Security (CIS)"
ISO_IEC = "ISO/IEC"

US_GOVERNMENT_WORK = (
    "A work of the U.S. Government (NIST): not subject to copyright in the United "
    "States (17 U.S.C. §105), so public domain in the US."
)


def third_party_olir(developer: str) -> str:
    """Terms of OLIR rows that NIST republishes but did not write."""
    return (
        f"Mapping rows developed by {developer} for NIST's OLIR programme and "
        "republished by NIST in the CSF 2.0 Reference Tool; they may be subject to "
        f"{developer}'s own terms of use."
    )
