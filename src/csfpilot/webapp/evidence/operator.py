"""What ``csfpilot evidence import-scan`` does, as the instance's operator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from csfpilot.scanners.rules import load_rules
from csfpilot.webapp.evidence import blobs, scans
from csfpilot.webapp.evidence.scan_index import scan_index
from csfpilot.webapp.profiles import lookups
from csfpilot.webapp.profiles.operator import operator_access


def import_scan_file(
    org_slug: str,
    path: Path,
    *,
    profile: str | None = None,
    format: str | None = None,
    rules: Path | None = None,
    valid_days: int = scans.DEFAULT_VALID_DAYS,
) -> dict[str, Any]:
    """Import one scanner file; the summary as ``--json`` prints it, plus where it went.

    ``rules`` is the user's rule file: its ``mode`` says whether it extends the
    shipped rule table or replaces it (docs/evidence-scanners.md).
    """
    access = operator_access(org_slug)
    profile_id = lookups.profile_by_ref(access, profile).pk if profile else None
    table = None
    if rules is not None:
        table = load_rules(
            rules.read_bytes(),
            name=str(rules),
            outcomes=scan_index().outcomes,
        )
    with path.open("rb") as handle:
        result = scans.import_scan(
            access,
            blobs.chunks_of(handle),
            path.name,
            profile_id=profile_id,
            format=format,
            rules=table,
            valid_days=valid_days,
        )
    return result.to_json() | {
        "item": result.scan.item_id,
        "version": result.scan.version.number,
        "sha256": result.scan.version.stored_file.sha256,
        "tool": f"{result.scan.tool} {result.scan.tool_version}".strip(),
        "scope": result.scan.scope,
        "normalised": {
            f"{a} -> {b}": n for (a, b), n in sorted(result.mapping.summary.normalised.items())
        },
        "skipped": result.mapping.summary.skipped,
    }
