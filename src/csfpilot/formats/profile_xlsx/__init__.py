"""Profiles as Excel workbooks laid out like NIST's CSF 2.0 Organizational Profile Template.

:func:`profile_workbook` writes a profile; :func:`read_profile_workbook` reads
one back after a person edited it, refusing anything it cannot place with the
sheet, row and column. Exported and read back unchanged, a workbook gives the
same profile (see docs/profile-exchange.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csfpilot.formats.profile_xlsx.free_text import Choice
from csfpilot.formats.profile_xlsx.reader import (
    MAX_WORKBOOK_BYTES,
    WorkbookProfile,
    read_profile_workbook,
)

if TYPE_CHECKING:
    from csfpilot.core.profiles import OutcomeFramework, Profile


def profile_workbook(profile: Profile, framework: OutcomeFramework) -> bytes:
    """The profile as ``.xlsx`` bytes: every outcome of ``framework`` has a row."""
    # The writer needs openpyxl, which the reader does not: loaded on the first export
    # rather than by every web worker and command that imports this package.
    from csfpilot.formats.profile_xlsx.writer import profile_workbook as write

    return write(profile, framework)


__all__ = [
    "MAX_WORKBOOK_BYTES",
    "Choice",
    "WorkbookProfile",
    "profile_workbook",
    "read_profile_workbook",
]
