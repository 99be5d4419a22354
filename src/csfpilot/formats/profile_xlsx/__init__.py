"""Profiles as Excel workbooks laid out like NIST's CSF 2.0 Organizational Profile Template.

:func:`profile_workbook` writes a profile; :func:`read_profile_workbook` reads
one back after a person edited it, refusing anything it cannot place with the
sheet, row and column. Exported and read back unchanged, a workbook gives the
same profile (see docs/profile-exchange.md).
"""

from csfpilot.formats.profile_xlsx.free_text import Choice
from csfpilot.formats.profile_xlsx.reader import (
    MAX_WORKBOOK_BYTES,
    WorkbookProfile,
    read_profile_workbook,
)
from csfpilot.formats.profile_xlsx.writer import profile_workbook

__all__ = [
    "MAX_WORKBOOK_BYTES",
    "Choice",
    "WorkbookProfile",
    "profile_workbook",
    "read_profile_workbook",
]
