"""OSCAL profiles as baselines: which controls of a catalog an organization must implement.

A *baseline* is a named selection of a catalog's controls. NIST SP 800-53B
defines three security baselines by the impact level of the system (LOW,
MODERATE, HIGH, after FIPS 199) and a PRIVACY baseline; NIST publishes each
as an OSCAL *profile* whose ``imports`` select controls from the SP 800-53
catalog by id (``include-controls`` / ``with-ids``).

csfpilot stores the selection (the control ids, in canonical form) against a
loaded framework. It reads the ids the profile lists and never resolves the
import's href: NIST's profiles point at a catalog path inside NIST's own
repository, and nothing in a document is fetched. A profile that selects by
pattern (``matching``), takes everything (``include-all``) or pulls in child
controls implicitly (``with-child-controls: yes``) cannot be listed without
the catalog, so it is refused with that reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from csfpilot.core.catalog import Baseline, ImportBundle
from csfpilot.core.errors import InputRefused
from csfpilot.core.ids import SP800_53_R5, canonical_code, sp800_53_canonical
from csfpilot.formats.oscal.document import JsonSource, OscalDocument, read_document

BASELINE_NAMES = ("LOW", "MODERATE", "HIGH", "PRIVACY")
_NIST_BASELINE = re.compile(
    r"\b(?P<impact>LOW|MODERATE|HIGH)[\s-]+IMPACT\s+BASELINE\b|\b(?P<privacy>PRIVACY)\s+BASELINE\b",
    re.I,
)
_SP800_53 = re.compile(r"\b(?:SP|Special\s+Publication)\s*800-53\b", re.I)
MAX_BASELINE_NAME = 64


def baseline_name(doc: OscalDocument) -> str:
    """LOW/MODERATE/HIGH/PRIVACY for NIST's SP 800-53 baselines, else the profile's title."""
    if _SP800_53.search(doc.title):
        m = _NIST_BASELINE.search(doc.title)
        if m:
            return (m["impact"] or m["privacy"]).upper()
    return doc.title[:MAX_BASELINE_NAME].strip()


def _refuse_unlisted(doc: OscalDocument, where: str, why: str) -> InputRefused:
    return InputRefused(
        f"the profile {why}, which csfpilot cannot list without resolving the imported "
        "catalog; it reads profiles that name their controls with include-controls/with-ids",
        file=doc.file,
        field=where,
    )


def _ids(doc: OscalDocument, selectors: Any, where: str, *, include: bool) -> list[str]:
    out: list[str] = []
    for i, selector in enumerate(selectors or ()):
        here = f"{where}[{i}]"
        if selector.get("matching"):
            raise _refuse_unlisted(doc, f"{here}.matching", "selects controls by pattern")
        if include and str(selector.get("with-child-controls", "no")).lower() == "yes":
            raise _refuse_unlisted(
                doc, f"{here}.with-child-controls", "includes child controls implicitly"
            )
        out.extend(str(x) for x in selector.get("with-ids") or ())
    return out


def _canonical(doc: OscalDocument, framework: str, raw: str, where: str) -> str:
    if framework.startswith("sp800-53") and sp800_53_canonical(raw) is None:
        raise InputRefused(
            f"{raw!r} is not an SP 800-53 control id (expected e.g. ac-2, ac-2.1)",
            file=doc.file,
            element=raw,
            field=where,
        )
    return canonical_code(framework, raw)


def baseline_from_document(
    doc: OscalDocument, *, framework: str = SP800_53_R5, baseline: str | None = None
) -> ImportBundle:
    """Build the bundle for an already-read OSCAL profile (see :func:`read_oscal_baseline`)."""
    profile: Mapping[str, Any] = doc.body
    codes: list[str] = []
    excluded: set[str] = set()
    for i, imp in enumerate(profile.get("imports") or ()):
        where = f"profile.imports[{i}]"
        if "include-all" in imp:
            raise _refuse_unlisted(doc, f"{where}.include-all", "includes every control")
        if not imp.get("include-controls"):
            raise _refuse_unlisted(doc, where, "imports without include-controls")
        for raw in _ids(doc, imp["include-controls"], f"{where}.include-controls", include=True):
            code = _canonical(doc, framework, raw, f"{where}.include-controls")
            if code not in codes:
                codes.append(code)
        for raw in _ids(
            doc, imp.get("exclude-controls"), f"{where}.exclude-controls", include=False
        ):
            excluded.add(_canonical(doc, framework, raw, f"{where}.exclude-controls"))
    codes = [c for c in codes if c not in excluded]
    if not codes:
        raise InputRefused("the profile selects no controls", file=doc.file, field="imports")
    warnings: list[str] = []
    if profile.get("modify"):
        warnings.append(
            f"{doc.file}: the profile also tailors parameters or parts; csfpilot keeps only "
            "which controls it selects"
        )
    name = (baseline or baseline_name(doc)).strip()
    if not name or len(name) > MAX_BASELINE_NAME:
        raise InputRefused(
            f"a baseline needs a name of 1 to {MAX_BASELINE_NAME} characters",
            file=doc.file,
            field="metadata.title",
        )
    return ImportBundle(
        baselines=[
            Baseline(
                framework=framework,
                name=name,
                codes=tuple(codes),
                source_file=doc.file,
                source_sha256=doc.sha256,
            )
        ],
        warnings=warnings,
    )


def read_oscal_baseline(
    source: JsonSource | str,
    *,
    framework: str = SP800_53_R5,
    name: str | None = None,
    baseline: str | None = None,
) -> ImportBundle:
    """Read an OSCAL profile in JSON into a bundle holding one :class:`Baseline`.

    ``framework`` is the key of the catalog the profile selects from (loaded
    before or in the same import). ``name`` is how messages name the file;
    ``baseline`` overrides the baseline's name, which is otherwise LOW,
    MODERATE, HIGH or PRIVACY for NIST's SP 800-53 baselines and the
    profile's title for any other.
    """
    src = Path(source) if isinstance(source, str) else source
    doc = read_document(src, expected="profile", name=name)
    return baseline_from_document(doc, framework=framework, baseline=baseline)
