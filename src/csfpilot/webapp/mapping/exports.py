"""The organization's reviewed crosswalk as a file: OSCAL mapping collection, CSV or Excel.

OSCAL says how each row was made (hybrid: proposed by the assistant, decided
by a person; the assistant's score as confidence; who reviewed it and when).
CSV and Excel are csfpilot's crosswalk spreadsheets, which the crosswalk
import reads back. Every download is recorded in the audit trail.
"""

from __future__ import annotations

from csfpilot.core.errors import InputRefused
from csfpilot.formats.framework_export import ExportFile, export_crosswalk
from csfpilot.formats.oscal.reviewed_mapping import Review, reviewed_mapping_json
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.catalog import export_queries
from csfpilot.webapp.mapping import queries
from csfpilot.webapp.organizations.permissions import Access

FORMATS = ("oscal-mapping", "csv", "xlsx")
JSON = "application/json"


def export(access: Access, project_id: int, fmt: str) -> ExportFile:
    if fmt not in FORMATS:
        raise InputRefused(f"one of {', '.join(FORMATS)}", field="format")
    project = queries.project(access.organization, project_id)
    ms, made = queries.crosswalk(project)
    if not ms.mappings:
        raise InputRefused(
            "no pair of this project has been accepted yet: there is no crosswalk to export",
            field="format",
        )
    source = export_queries.loaded_catalog(project.source_framework.key)
    target = export_queries.loaded_catalog(project.target_framework.key)
    if fmt == "oscal-mapping":
        counts = queries.filter_counts(project)
        reviews = [
            Review(
                state=r.state,
                score=r.score,
                proposed=r.proposed,
                rank=r.rank,
                reviewed_by=r.reviewed_by,
                reviewed_at=r.reviewed_at,
            )
            for r in made
        ]
        content = reviewed_mapping_json(
            ms, reviews, complete=counts["unreviewed"] == 0, source=source, target=target
        )
        file = ExportFile(content, f"{ms.info.key}.oscal-mapping.json", JSON)
    else:
        file = export_crosswalk(ms, fmt, source=source, target=target)
    audit.record_download(
        access,
        "mapping-project",
        project.pk,
        label=project.name,
        filename=file.filename,
        size=len(file.content),
        fmt=fmt,
    )
    return file
