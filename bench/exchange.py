"""Exchange formats on the demo organization's full profile: export, read, preview, apply.

The demo's Current/Target Profile (all 106 CSF 2.0 outcomes, rationale, practices,
evidence, an action plan) is exported as a NIST-template workbook, OSCAL assessment
results and an OSCAL POA&M; each file is then read back (the format alone), previewed
against the stored profile, and imported onto it in one transaction. Each import
alternates between two versions of the file (every current status changed), so every
apply really writes 106 outcomes. Wall-clock time in this process; the target for an
import is under 1 s.

Usage: python -m bench.exchange DATABASE_URL|-  → JSON list of timings on stdout, also
written to bench/results/exchange.json (under SQLite or PostgreSQL).
"""

from __future__ import annotations

import io
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.environment import configure, fresh_schema
from bench.timing import measure

RESULTS = Path(__file__).resolve().parent / "results" / "exchange.json"
RUNS, WARMUP = 10, 2


def _timed(call: Callable[[], object]) -> Callable[[], float]:
    def run() -> float:
        start = time.perf_counter()
        call()
        return (time.perf_counter() - start) * 1000

    return run


def _flipped_workbook(data: bytes) -> bytes:
    """The workbook with every rated current status moved one level (a real edit)."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["Current and Target Profile"]
    swap = {
        "Partially implemented": "Largely implemented",
        "Largely implemented": "Partially implemented",
        "Not implemented": "Partially implemented",
        "Fully implemented": "Largely implemented",
    }
    for row in ws.iter_rows(min_row=2, min_col=8, max_col=8):
        cell = row[0]
        if cell.value in swap:
            cell.value = swap[cell.value]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


_STATUSES = ("In progress", "Implemented", "Not started", "Partially", "N/A", "mostly")
_PRIORITIES = ("1", "2", "3", "H", "Medium")


def _filled_template(turn: int) -> bytes:
    """NIST's shipped blank template filled as a consultant fills it: every Subcategory
    row (106) with free-text statuses and priorities, "x" for included, and every
    Function and Category row with Included and a Target CSF Tier. ``turn`` shifts the
    statuses so that two versions differ on every row."""
    import openpyxl

    from csfpilot.formats.nist.shipped import shipped_file

    path = shipped_file("nist-csf-2.0/CSF_2.0_Organizational_Profile_Template.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["Current and Target Profile"]
    for i, row in enumerate(ws.iter_rows(min_row=2), start=turn):
        code = str(row[0].value or "")
        if "-" in code:  # a Subcategory
            row[2].value = "x" if i % 3 else "Yes"
            row[3].value = f"Rationale for {code}"
            row[4].value = _PRIORITIES[i % len(_PRIORITIES)]
            row[5].value = _STATUSES[i % len(_STATUSES)]
            row[6].value = f"Policy {i}"
            row[11].value = _PRIORITIES[(i + 1) % len(_PRIORITIES)]
        elif code:
            row[2].value = "Yes"
            row[12].value = 3 if code.startswith("GV") else "Tier 2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _flipped_results(data: bytes) -> bytes:
    doc = json.loads(data)
    swap = {"partially": "largely", "largely": "partially", "not": "partially", "fully": "largely"}
    for observation in doc["assessment-results"]["results"][0].get("observations", []):
        for p in observation.get("props", []):
            if p["name"] == "current-level" and p["value"] in swap:
                p["value"] = swap[p["value"]]
    return json.dumps(doc).encode()


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != "-" else None
    configure(url)
    fresh_schema(url)
    from csfpilot.formats.oscal.assessment_results import read_assessment_results
    from csfpilot.formats.profile_xlsx import read_profile_workbook
    from csfpilot.webapp.catalog.services import ensure_bundled_catalogs
    from csfpilot.webapp.demo import ensure_demo
    from csfpilot.webapp.organizations.permissions import require
    from csfpilot.webapp.organizations.roles import Permission
    from csfpilot.webapp.profiles import exchange_formats, lookups
    from csfpilot.webapp.profiles.models import Profile

    ensure_bundled_catalogs()
    org = ensure_demo()
    access = require(org.memberships.get().user, org.slug, Permission.VIEW)
    row = Profile.objects.filter(organization=org, kind="organizational").order_by("id").first()
    framework = lookups.framework_of(row)
    files = {
        fmt: exchange_formats.export_exchange(access, row.pk, fmt).data
        for fmt in exchange_formats.FORMATS
    }
    versions = {
        "xlsx": [files["xlsx"], _flipped_workbook(files["xlsx"])],
        "assessment-results": [
            files["assessment-results"],
            _flipped_results(files["assessment-results"]),
        ],
    }
    turn = {"xlsx": 0, "assessment-results": 0}

    def apply(fmt: str) -> None:
        row.refresh_from_db()
        turn[fmt] += 1
        data = versions[fmt][turn[fmt] % 2]
        preview = exchange_formats.apply_exchange(
            access, row.pk, data, filename=f"bench.{fmt}", expected_version=row.version
        )
        assert preview.changes, "each apply must write"

    timings = []
    for fmt in exchange_formats.FORMATS:
        timings.append(
            measure(
                f"export {fmt} (106 outcomes)",
                _timed(lambda fmt=fmt: exchange_formats.export_exchange(access, row.pk, fmt)),
                runs=RUNS,
                warmup=WARMUP,
                reader=float,
            )
        )
    timings.append(
        measure(
            "read xlsx (format only)",
            _timed(
                lambda: read_profile_workbook(files["xlsx"], name="b.xlsx", framework=framework)
            ),
            runs=RUNS,
            warmup=WARMUP,
            reader=float,
        )
    )
    timings.append(
        measure(
            "read assessment-results (format only)",
            _timed(
                lambda: read_assessment_results(
                    files["assessment-results"], name="b.json", framework=framework
                )
            ),
            runs=RUNS,
            warmup=WARMUP,
            reader=float,
        )
    )
    for fmt in ("xlsx", "assessment-results"):
        timings.append(
            measure(
                f"preview {fmt}",
                _timed(
                    lambda fmt=fmt: exchange_formats.preview_exchange(
                        access, row.pk, versions[fmt][1], filename=f"b.{fmt}"
                    )
                ),
                runs=RUNS,
                warmup=WARMUP,
                reader=float,
            )
        )
        timings.append(
            measure(
                f"import {fmt} onto the profile (106 outcomes changed)",
                _timed(lambda fmt=fmt: apply(fmt)),
                runs=RUNS,
                warmup=WARMUP,
                reader=float,
            )
        )
    templates = [_filled_template(0), _filled_template(1)]
    timings.append(
        measure(
            "read a filled NIST template (106 outcomes + Function and Category rows)",
            _timed(
                lambda: read_profile_workbook(templates[0], name="nist.xlsx", framework=framework)
            ),
            runs=RUNS,
            warmup=WARMUP,
            reader=float,
        )
    )
    nist_turn = [0]

    def apply_template() -> None:
        row.refresh_from_db()
        nist_turn[0] += 1
        preview = exchange_formats.apply_exchange(
            access,
            row.pk,
            templates[nist_turn[0] % 2],
            filename="nist.xlsx",
            expected_version=row.version,
        )
        assert preview.changes, "each apply must write"

    timings.append(
        measure(
            "import a filled NIST template onto the profile (106 outcomes)",
            _timed(apply_template),
            runs=RUNS,
            warmup=WARMUP,
            reader=float,
        )
    )
    rows = [t.row() for t in timings]
    # One file for both databases: each run replaces its own database's rows.
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if "timings" in previous:
        previous = {}
    previous["PostgreSQL" if url else "SQLite"] = rows
    RESULTS.write_text(json.dumps(previous, indent=2) + "\n")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
