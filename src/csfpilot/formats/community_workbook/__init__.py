"""Community Profiles from a sector's own workbook, read through a column mapping."""

from csfpilot.formats.community_workbook.reader import (
    CommunityRead,
    Statement,
    ValueChoice,
    read_community,
    scale_named,
    statements_as_framework,
)
from csfpilot.formats.community_workbook.sheets import Table, Workbook, read_workbook
from csfpilot.formats.community_workbook.spec import (
    CommunitySpec,
    StatementMapping,
    read_spec,
    spec_from_dict,
)

__all__ = [
    "CommunityRead",
    "CommunitySpec",
    "Statement",
    "StatementMapping",
    "Table",
    "ValueChoice",
    "Workbook",
    "read_community",
    "read_spec",
    "read_workbook",
    "scale_named",
    "spec_from_dict",
    "statements_as_framework",
]
