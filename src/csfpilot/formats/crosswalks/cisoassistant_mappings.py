"""CISO Assistant's mapping libraries: ``requirement_mapping_set(s)`` between two frameworks.

A mapping library has the same top level as a framework library (``urn``,
``name``, ``version``, ``provider``, ``copyright``) and under ``objects`` one
``requirement_mapping_set`` or a list of ``requirement_mapping_sets``. A set
names its ``source_framework_urn`` and ``target_framework_urn`` and lists
``requirement_mappings``, each relating a ``source_requirement_urn`` to a
``target_requirement_urn``:

- ``relationship`` is set-theoretic, as in NIST IR 8477: ``equal`` →
  equivalent, ``subset`` → subset of, ``superset`` → superset of,
  ``intersect`` → intersects with. A ``not_related`` row says the two share
  nothing; it is not a mapping and is left out (and counted in a warning).
- ``rationale`` (how the relationship was judged: syntactic, semantic,
  functional) and ``annotation`` are kept as the row's comment, and
  ``strength_of_relationship`` (0–10) as its strength.

The framework named ``urn:intuitem:risk:framework:iso27001-2022`` is looked up
as the loaded framework ``iso27001-2022``; CISO Assistant's names for NIST's
releases (``nist-csf-2.0``) find NIST's release when CISO Assistant's own copy
is not loaded. Requirement urns are matched with the urns kept on elements
loaded from CISO Assistant libraries, else by their last part as an id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from csfpilot.core.catalog import DatasetInfo, Relationship
from csfpilot.core.catalog.crosswalk_input import (
    BY_URN,
    FrameworkRef,
    PendingCrosswalk,
    PendingRow,
    framework_of_urn,
)
from csfpilot.formats.native.yaml_reader import Path_

MAX_ROWS = 200_000
RELATIONSHIPS = {
    "equal": Relationship.EQUIVALENT,
    "equivalent": Relationship.EQUIVALENT,
    "subset": Relationship.SUBSET_OF,
    "superset": Relationship.SUPERSET_OF,
    "intersect": Relationship.INTERSECTS_WITH,
}
NOT_RELATED = "not_related"


def _slug(text: str) -> str:
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9.]+", "-", text.lower())).strip("-.")[:120]


def mapping_sets(r: Any, library: Mapping[str, Any], objects: Mapping[str, Any]) -> list[Any]:
    """The ``(set, path)`` pairs of a library's ``objects``."""
    found: list[tuple[Mapping[str, Any], Path_]] = []
    if "requirement_mapping_set" in objects:
        path: Path_ = ("objects", "requirement_mapping_set")
        found.append((r.mapping(objects["requirement_mapping_set"], path, "a mapping set"), path))
    sets = objects.get("requirement_mapping_sets")
    if sets is not None:
        if not isinstance(sets, list):
            r.refuse("requirement_mapping_sets must be a list", ("objects",))
        for i, value in enumerate(sets):
            path = ("objects", "requirement_mapping_sets", i)
            found.append((r.mapping(value, path, "a mapping set"), path))
    return found


def _strength(r: Any, row: Mapping[str, Any], path: Path_) -> int | None:
    value = row.get("strength_of_relationship")
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        r.refuse(
            "strength_of_relationship must be a whole number from 0 to 10",
            (*path, "strength_of_relationship"),
            "strength_of_relationship",
        )
    return int(value)


def read_mapping_set(
    r: Any,
    library: Mapping[str, Any],
    ms: Mapping[str, Any],
    path: Path_,
    *,
    sha256: str,
    warnings: list[str],
) -> PendingCrosswalk:
    """One ``requirement_mapping_set`` as a pending crosswalk (see the module docstring)."""
    where = ".".join(str(p) for p in path)
    ends = []
    for side in ("source", "target"):
        urn = r.text(ms, f"{side}_framework_urn", path)
        if not urn:
            r.refuse(
                f"the mapping set names no {side}_framework_urn", path, f"{side}_framework_urn"
            )
        ends.append(FrameworkRef(urn, (framework_of_urn(urn),), f"{where}.{side}_framework_urn"))
    raw_rows = ms.get("requirement_mappings")
    if not isinstance(raw_rows, list) or not raw_rows:
        r.refuse("the mapping set has no requirement_mappings", path, "requirement_mappings")
    if len(raw_rows) > MAX_ROWS:
        r.refuse(f"the mapping set has more than {MAX_ROWS:,} rows", path)
    rows: list[PendingRow] = []
    skipped = 0
    for i, raw in enumerate(raw_rows):
        rp = (*path, "requirement_mappings", i)
        row = r.mapping(raw, rp, "a requirement mapping")
        relation = r.text(row, "relationship", rp).lower()
        if relation == NOT_RELATED:
            skipped += 1
            continue
        if relation not in RELATIONSHIPS:
            r.refuse(
                f"relationship {relation!r} is none of {', '.join([*RELATIONSHIPS, NOT_RELATED])}",
                (*rp, "relationship"),
                "relationship",
            )
        source = r.text(row, "source_requirement_urn", rp)
        target = r.text(row, "target_requirement_urn", rp)
        for name, value in (("source_requirement_urn", source), ("target_requirement_urn", target)):
            if not value:
                r.refuse(f"the row has no {name}", rp, name)
        notes = [r.text(row, "rationale", rp), r.text(row, "annotation", rp)]
        rows.append(
            PendingRow(
                source=source,
                target=target,
                relationship=RELATIONSHIPS[relation],
                where=f"{where}.requirement_mappings[{i}]",
                comment="\n".join(n for n in notes if n),
                strength=_strength(r, row, rp),
            )
        )
    if skipped:
        warnings.append(f"{r.file}: {where}: {skipped} not_related row(s) left out")
    ref_id = r.text(ms, "ref_id", path) or r.text(ms, "urn", path).rsplit(":", 1)[-1]
    key = _slug(ref_id) or _slug(r.text(library, "ref_id", ()))
    info = DatasetInfo(
        key=key or "ciso-assistant-mapping",
        name=(r.text(ms, "name", path) or r.text(library, "name", ()) or key)[:300],
        publisher=(r.text(library, "provider", ()) or r.text(library, "packager", ()))[:200],
        version=str(r.text(library, "version", ()) or "1")[:64],
        source_framework=ends[0].keys[0],
        target_framework=ends[1].keys[0],
        terms=r.text(library, "copyright", ()),
        source_file=r.file,
        source_sha256=sha256,
        description=r.text(ms, "description", path) or r.text(library, "description", ()),
    )
    return PendingCrosswalk(info=info, source=ends[0], target=ends[1], rows=tuple(rows), ids=BY_URN)
