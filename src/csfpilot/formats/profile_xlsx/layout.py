"""The layout of a profile workbook: its sheets, their columns, and how cells read.

The outcome sheet follows NIST's CSF 2.0 Organizational Profile Template (the
companion to SP 1301): one row per outcome with the template's own column
names — Included in Profile?, Rationale, then the Current columns (priority,
status, policies/processes/procedures, internal practices, roles and
responsibilities, selected informative references, artifacts and evidence),
then the same for Target — with the Function and Category in front and the
owner, notes and considerations at the end. The other sheets carry what the
template leaves out so that nothing is lost on the way back: the profile's
details, its rating scale, its Tiers and its action plan.

Columns are found by what their header means, so a person may reorder, retype
or reword them (:mod:`.headers`). A column this layout does not know is refused
(naming it and the columns it could be), never silently ignored: whatever was
typed there would otherwise be lost on import.
"""

from __future__ import annotations

from dataclasses import dataclass

WORKBOOK_FORMAT = 1
"""The version of this layout; a reader refuses a workbook of a newer one."""

PROFILE_SHEET = "Current and Target Profile"  # NIST's sheet name
ABOUT_SHEET = "Profile"
SCALE_SHEET = "Scale"
TIERS_SHEET = "Tiers"
ACTIONS_SHEET = "Action plan"
SHEETS = (PROFILE_SHEET, ABOUT_SHEET, SCALE_SHEET, TIERS_SHEET, ACTIONS_SHEET)


@dataclass(frozen=True, slots=True)
class Col:
    """One column: its header, the native field it holds (``""``: shown, not read),
    how its cells are read, and how wide it is."""

    header: str
    field: str
    kind: str = "text"  # text | lines | level | priority | included | tier | date | key | score
    width: float = 18.0
    aliases: tuple[str, ...] = ()  # other headers that mean this column

    @property
    def read_only(self) -> bool:
        return not self.field


PROFILE_COLUMNS = (
    Col("Function", "", width=16),
    Col("Category", "", width=24),
    Col(
        "CSF Outcome",
        "outcome",
        "key",
        width=12,
        aliases=(
            "CSF Outcome (Function, Category, or Subcategory)",
            "Outcome",
            "Outcome ID",
            "CSF ID",
            "ID",
            "Identifier",
            "Subcategory",
            "Subcategory ID",
        ),
    ),
    Col(
        "CSF Outcome Description",
        "",
        width=50,
        aliases=("Outcome Description", "Description", "Subcategory Description", "Outcome Text"),
    ),
    Col("Included in Profile?", "included", "included", width=11, aliases=("Included", "In Scope")),
    Col("Rationale", "rationale", width=36),
    Col("Current Priority", "current_priority", "priority", width=11),
    Col("Current Status", "current", "level", width=20),
    Col("Current Policies, Processes, and Procedures", "current_details.policies", width=36),
    Col("Current Internal Practices", "current_details.practices", width=36),
    Col("Current Roles and Responsibilities", "current_details.roles", width=28),
    Col("Current Selected Informative References", "current_details.references", "lines", width=24),
    Col("Current Artifacts and Evidence", "current_details.evidence", "lines", width=36),
    Col("Target Priority", "priority", "priority", width=11),
    Col("Target Status", "target", "level", width=20),
    Col("Target Policies, Processes, and Procedures", "target_details.policies", width=36),
    Col("Target Internal Practices", "target_details.practices", width=36),
    Col("Target Roles and Responsibilities", "target_details.roles", width=28),
    Col("Target Selected Informative References", "target_details.references", "lines", width=24),
    Col("Target Artifacts and Evidence", "target_details.evidence", "lines", width=36),
    Col("Owner", "owner", width=22),
    Col("Notes", "notes", width=36),
    Col("Considerations", "considerations", width=36),
)

TEMPLATE_COLUMNS = (
    Col("Current CSF Tier", "current_tier", "tier", aliases=("Current Tier",)),
    Col("Target CSF Tier", "target_tier", "tier", aliases=("Target Tier",)),
)
"""Columns of NIST's template that csfpilot reads but does not write: a Tier typed on
a Function or Category row (NIST: "generally for Functions and Categories only")."""

EXPLANATORY_SHEETS = ("Column Descriptions", "Instructions", "Introduction", "Read Me", "README")
"""Sheets that explain a template rather than hold a profile: skipped on import."""

ABOUT_ROWS = (
    Col("Name", "name"),
    Col("Kind", "kind"),
    Col("Framework", "framework"),
    Col("Scope type", "scope.type"),
    Col("Scope name", "scope.name"),
    Col("Description", "description"),
    Col("Assumptions", "assumptions"),
    Col("Scale", "scale"),
    Col("Roll-up", "rollup"),
    Col("Based on", "based_on"),
    Col("Workbook format", "format", "key"),
)
ABOUT_HELP = {
    "kind": "organizational or community",
    "scope.type": "organization, business-unit, system or product",
    "scale": "The rating scale: its levels are on the Scale sheet",
    "rollup": "equal (every outcome weighs the same) or priority (weighted by target priority)",
    "based_on": "The Community Profile the target was derived from, if any",
    "format": "The version of this workbook's layout; leave it as it is",
}

SCALE_COLUMNS = (
    Col("Key", "key", "key", width=10),
    Col("Label", "label", width=26),
    Col("Score", "score", "score", width=8),
    Col("Hotkey", "hotkey", width=8),
    Col("Description", "description", width=60),
)

TIER_COLUMNS = (
    Col("Aspect", "aspect", "key", width=32),
    Col("Current Tier", "current", "tier", width=18),
    Col("Current Tier Rationale", "current_rationale", width=50),
    Col("Target Tier", "target", "tier", width=18),
    Col("Target Tier Rationale", "target_rationale", width=50),
)
TIER_ROWS = {
    "governance": "Cybersecurity risk governance",
    "management": "Cybersecurity risk management",
}

ACTION_COLUMNS = (
    Col("ID", "id", "key", width=9),
    Col("Action", "title", width=40),
    Col("Outcomes", "outcomes", "lines", width=14),
    Col("Owner", "owner", width=22),
    Col("Due", "due", "date", width=12),
    Col("Milestone", "milestone", width=18),
    Col("Status", "status", width=14),
    Col("Cost", "cost", width=16),
    Col("Controls", "controls", "lines", width=14),
    Col("Notes", "notes", width=36),
)


def normal(header: str) -> str:
    """A header as compared: case, spacing and line breaks do not matter."""
    return " ".join(str(header).split()).casefold()
