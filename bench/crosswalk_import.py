"""Importing a 5,000-row crosswalk between CSF 2.0 and SP 800-53 Rev. 5, in each format.

The rows pair the 106 CSF 2.0 Subcategories with SP 800-53 controls in turn (5,000 of
them, every relationship in use, comments on a third). Each file is read, its two
frameworks and 10,000 element ids looked up, and its rows stored and linked in one
transaction, which is then rolled back so that every run stores the same rows anew.
Wall-clock time in this process; the target is under 2 s.

Usage: python -m bench.crosswalk_import DATABASE_URL|-  → JSON list of timings on stdout.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable

from bench.environment import configure, fresh_schema
from bench.timing import measure

ROWS = 5_000
RUNS, WARMUP = 5, 1
RELATIONSHIPS = ("subset of", "superset of", "intersects with", "equivalent", "related to")
CISO = {
    "subset of": "subset",
    "superset of": "superset",
    "intersects with": "intersect",
    "equivalent": "equal",
    "related to": "intersect",
}


def _rows(subcategories: list[str], controls: list[str]) -> list[tuple[str, str, str, str]]:
    out = []
    for i in range(ROWS):
        comment = f"row {i}: shared intent" if i % 3 == 0 else ""
        out.append(
            (
                subcategories[i % len(subcategories)],
                controls[(i * 7) % len(controls)],
                RELATIONSHIPS[i % len(RELATIONSHIPS)],
                comment,
            )
        )
    return out


def _csv(rows: list[tuple[str, str, str, str]]) -> bytes:
    lines = ["Source framework,Source ID,Relationship,Target framework,Target ID,Comment"]
    lines += [f"csf-2.0,{s},{r},sp800-53r5,{t},{c}" for s, t, r, c in rows]
    return ("\r\n".join(lines) + "\r\n").encode()


def _ciso(rows: list[tuple[str, str, str, str]]) -> bytes:
    lines = [
        "urn: urn:bench:risk:library:mapping-csf-to-sp800-53",
        "ref_id: bench-mapping",
        "name: Bench mapping",
        "version: 1",
        "provider: Bench",
        "objects:",
        "  requirement_mapping_set:",
        "    urn: urn:bench:risk:req_mapping_set:csf-to-sp800-53",
        "    ref_id: bench-ciso",
        "    source_framework_urn: urn:intuitem:risk:framework:nist-csf-2.0",
        "    target_framework_urn: urn:intuitem:risk:framework:nist-sp-800-53-rev5",
        "    requirement_mappings:",
    ]
    for s, t, r, c in rows:
        lines += [
            f"    - source_requirement_urn: urn:intuitem:risk:req_node:nist-csf-2.0:{s.lower()}",
            "      target_requirement_urn: "
            f"urn:intuitem:risk:req_node:nist-sp-800-53-rev5:{t.lower()}",
            f"      relationship: {CISO[r]}",
        ]
        if c:
            lines.append(f"      rationale: '{c}'")
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != "-" else None
    configure(url)
    fresh_schema(url)
    from django.db import transaction

    from csfpilot.core.catalog import DatasetInfo, Mapping, MappingSet, Relationship
    from csfpilot.formats.detect import DatasetIdentity, read_framework_file
    from csfpilot.formats.framework_export import export_crosswalk
    from csfpilot.webapp.catalog import models as m
    from csfpilot.webapp.catalog.services import ensure_bundled_catalogs, load_bundle

    ensure_bundled_catalogs()
    subcategories = list(
        m.Node.objects.filter(framework__key="csf-2.0", level="subcategory").values_list(
            "code", flat=True
        )
    )
    controls = list(
        m.Node.objects.filter(framework__key="sp800-53r5", withdrawn=False)
        .exclude(level="family")
        .values_list("code", flat=True)
    )
    rows = _rows(subcategories, controls)
    ms = MappingSet(
        DatasetInfo(
            key="bench",
            name="Bench crosswalk",
            publisher="Bench",
            version="1",
            source_framework="csf-2.0",
            target_framework="sp800-53r5",
        ),
        tuple(Mapping(s, t, Relationship(r.replace(" ", "_")), c) for s, t, r, c in rows),
    )
    files = {
        "CSV": ("bench.csv", _csv(rows)),
        "Excel": ("bench.xlsx", export_crosswalk(ms, "xlsx").content),
        "OSCAL mapping collection": ("bench.json", export_crosswalk(ms, "oscal-mapping").content),
        "CISO Assistant mapping set": ("bench.yaml", _ciso(rows)),
    }

    def imported(name: str, data: bytes) -> Callable[[], float]:
        def run() -> float:
            start = time.perf_counter()
            with transaction.atomic():
                bundle = read_framework_file(
                    data, name=name, dataset=DatasetIdentity(key="bench-crosswalk")
                )
                report = load_bundle(bundle)
                assert report.created == ["bench-crosswalk"], report
                stored = m.Mapping.objects.filter(dataset__key="bench-crosswalk")
                assert stored.filter(target__isnull=False).count() == ROWS
                transaction.set_rollback(True)
            return (time.perf_counter() - start) * 1000

        return run

    timings = [
        measure(
            f"import a {ROWS:,}-row crosswalk, {what} (read, link, store)",
            imported(name, data),
            runs=RUNS,
            warmup=WARMUP,
            reader=float,
        )
        for what, (name, data) in files.items()
    ]
    print(json.dumps([t.row() for t in timings]))


if __name__ == "__main__":
    main()
