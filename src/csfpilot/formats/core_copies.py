"""Recognising other tools' copies of NIST's releases when a framework file is imported.

A framework file that says it is CSF 2.0, CSF 1.1 or SP 800-53 Rev. 5 (by its
key, name or version) is compared with NIST's publication as shipped inside
csfpilot (see :mod:`csfpilot.core.catalog.core_copies` for the comparison):

- the same ids and texts: it *is* NIST's release. Nothing is stored as a new
  framework; what names the copy (its key, in crosswalks) names NIST's
  release. Implementation Examples the copy carries (NIST's CSF OSCAL
  catalog's example parts, another tool's annotation text) are compared with
  NIST's and the differences reported;
- otherwise the import is refused with the differences, unless the person
  importing chose what to do: ``official`` maps the copy onto NIST's elements
  (its ids normalised where unambiguous; what cannot be placed is reported),
  ``separate`` keeps it as a framework of its own, labelled as a copy.

Keys reserved for NIST's releases (``csf-…``, ``sp800-53…``) accept only
content that matches NIST's publication; a copy kept separate needs its own
key.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache

from csfpilot.core.catalog import Catalog, FrameworkInfo, ImportBundle, MappingSet, Translation
from csfpilot.core.catalog.core_copies import (
    CHOICES,
    OFFICIAL,
    SEPARATE,
    CoreDiff,
    claimed_release,
    compare,
    is_reserved_key,
    same_text,
)
from csfpilot.core.errors import InputRefused
from csfpilot.core.ids import CSF_1_1, CSF_2_0, SP800_53_R5

WITHDRAWALS = "csf-1.1-to-csf-2.0-withdrawals"
_EXAMPLE_LINE = re.compile(r"^\s*(?:Ex\s*\d+\s*[:.)-]|[-*•]|\d+[.)])\s*", re.I)


@cache
def _reference_tool() -> ImportBundle:
    from csfpilot.formats.nist.reftool import read_reference_tool

    return read_reference_tool()


@cache
def official_release(key: str) -> tuple[Catalog, Catalog | None, MappingSet | None]:
    """NIST's release ``key`` as shipped, the release before it, and NIST's rows saying
    where that release's withdrawn elements went (CSF 2.0 only)."""
    from csfpilot.formats.nist.csf11 import read_csf11_workbook
    from csfpilot.formats.nist.shipped import CSF_1_1_WORKBOOK, shipped_file

    csf11 = next(c for c in read_csf11_workbook(shipped_file(CSF_1_1_WORKBOOK)).catalogs)
    if key == CSF_2_0:
        bundle = _reference_tool()
        csf20 = next(c for c in bundle.catalogs if c.info.key == CSF_2_0)
        moves = next(m for m in bundle.mapping_sets if m.info.key == WITHDRAWALS)
        return csf20, csf11, moves
    if key == CSF_1_1:
        return csf11, None, None
    from csfpilot.formats.bundled import SP800_53_R5_CATALOG
    from csfpilot.formats.oscal import read_oscal_catalog

    sp = read_oscal_catalog(shipped_file(SP800_53_R5_CATALOG)).catalogs[0]
    return sp, None, None


def annotation_examples(text: str) -> list[str]:
    """Implementation Examples written in another tool's annotation text, one per line
    (``Ex1: …``, ``1. …``, ``- …``)."""
    out = []
    for line in text.splitlines():
        m = _EXAMPLE_LINE.match(line)
        if m and line[m.end() :].strip():
            out.append(line[m.end() :].strip())
    return out


def _examples_report(copy: Catalog, official: Catalog, diff: CoreDiff) -> list[str]:
    renamed = diff.id_map()
    total = same = 0
    differing: list[str] = []
    for node in copy.nodes:
        target = official.get(renamed.get(node.code, node.code))
        if target is None or node.withdrawn:
            continue
        theirs = [e.text for e in node.examples]
        annotation = node.props.get("annotation")
        if not theirs and isinstance(annotation, str):
            theirs = annotation_examples(annotation)
        for i, text in enumerate(theirs):
            total += 1
            nist = target.examples[i].text if i < len(target.examples) else ""
            if same_text(text, nist):
                same += 1
            else:
                differing.append(
                    target.examples[i].code if i < len(target.examples) else target.code
                )
    if not total:
        return []
    line = f"{same} of {total} Implementation Examples are NIST's"
    if differing:
        line += f"; these differ: {', '.join(differing[:10])}"
    return [line]


def _withdrawals_report(bundle: ImportBundle, moves: MappingSet | None) -> list[str]:
    """Compare the copy's CSF 1.1 withdrawals with NIST's, and drop them (NIST's are loaded)."""
    theirs = [m for m in bundle.mapping_sets if m.info.key == WITHDRAWALS]
    if not theirs or moves is None:
        return []
    for ms in theirs:
        bundle.mapping_sets.remove(ms)

    def edges(ms: MappingSet) -> set[tuple[str, str, str]]:
        return {(m.source, m.target, str(m.relationship)) for m in ms.mappings if m.target}

    mine, nist = edges(theirs[0]), edges(moves)
    if mine == nist:
        return [f"its {len(mine)} CSF 1.1 withdrawal links agree with NIST's"]
    extra = sorted(f"{s} {r.replace('_', ' ')} {t}" for s, t, r in mine - nist)
    lacking = sorted(f"{s} {r.replace('_', ' ')} {t}" for s, t, r in nist - mine)
    return [
        f"its CSF 1.1 withdrawal links differ from NIST's: {len(extra)} not NIST's "
        f"({', '.join(extra[:5])}), {len(lacking)} missing ({', '.join(lacking[:5])})"
    ]


def _attach_translations(
    bundle: ImportBundle, copy: Catalog, official: Catalog, diff: CoreDiff
) -> list[str]:
    """Point the copy's translations at NIST's elements (through the copy's renamed ids);
    those of elements NIST's release lacks are left out and named."""
    theirs = [t for t in bundle.translations if t.framework == copy.info.key]
    if not theirs:
        return []
    renamed = diff.id_map()
    attached: list[Translation] = []
    left: list[str] = []
    for t in theirs:
        code = renamed.get(t.code, t.code)
        target = official.get(code)
        if target is None or target.withdrawn:
            left.append(t.code)
        else:
            attached.append(replace(t, framework=official.info.key, code=code))
    bundle.translations[:] = [
        t for t in bundle.translations if t.framework != copy.info.key
    ] + attached
    languages = ", ".join(sorted({t.language for t in attached}))
    line = f"{len(attached)} translation(s) attached to NIST's elements ({languages or 'none'})"
    if left:
        unplaced = list(dict.fromkeys(left))
        line += (
            f"; {len(left)} left out, their elements are not in {official.info.key}: "
            f"{', '.join(unplaced[:8])}" + (" and more" if len(unplaced) > 8 else "")
        )
    return [line]


def _same_release(copy: Catalog, claim: str) -> bool:
    """Whether a NIST-format file is the release csfpilot ships under ``claim``."""
    return copy.info.key == claim and claim in (CSF_2_0, CSF_1_1)


def _label(info: FrameworkInfo, official_key: str, *, identical: bool) -> FrameworkInfo:
    what = "a copy of" if identical else "a copy that differs from NIST's"
    return replace(info, name=f"{info.name} ({what} {official_key})"[:200], family=info.key)


def recognise_copies(
    bundle: ImportBundle, *, choice: str | None = None, nist_format: bool = False
) -> ImportBundle:
    """Compare every catalog of ``bundle`` that claims a NIST release with NIST's (see the
    module docstring); the bundle is changed in place and returned.

    ``nist_format``: the file is in one of NIST's own formats, so a release csfpilot
    does not ship (``csf-2.1``) may come in under its reserved key.
    """
    if choice is not None and choice not in CHOICES:
        raise InputRefused(
            f"{choice!r} is not a choice for a copy of NIST's Core; use {' or '.join(CHOICES)}",
            field="core-copy",
        )
    kept: list[Catalog] = []
    for copy in bundle.catalogs:
        claim = claimed_release(copy)
        file = copy.info.source_file
        if claim is None or (nist_format and not _same_release(copy, claim)):
            if is_reserved_key(copy.info.key) and not nist_format:
                raise InputRefused(
                    f"the key {copy.info.key} is kept for NIST's releases, and this file is "
                    "not one; give it another key (--key)",
                    file=file,
                    field="key",
                )
            kept.append(copy)
            continue
        official, previous, moves = official_release(claim)
        if copy.info.key == claim and copy.content_digest() == official.content_digest():
            kept.append(copy)  # NIST's release itself (a csfpilot export of it): unchanged
            continue
        diff = compare(copy, official, previous=previous, moves=moves.mappings if moves else ())
        notes = _examples_report(copy, official, diff) + (
            _withdrawals_report(bundle, moves) if claim == CSF_2_0 else []
        )
        if diff.identical and choice != SEPARATE:
            translated = _attach_translations(bundle, copy, official, diff)
            stored = "no framework is stored" if translated else "nothing new is stored"
            bundle.warnings.append(
                f"{file}: recognised as NIST's {claim}: the same ids and texts; {stored}"
                + "".join(f"; {n}" for n in notes + translated)
            )
            if copy.info.key != claim:
                bundle.aliases.append(diff.alias(copy))
            continue
        report = "; ".join(diff.summary() + notes)
        if choice == OFFICIAL:
            bundle.aliases.append(diff.alias(copy))
            left = list(diff.previous_release) + diff.unknown
            translated = _attach_translations(bundle, copy, official, diff)
            bundle.warnings.append(
                f"{file}: {copy.info.key} mapped onto NIST's {claim}: {report}"
                + (f"; not mapped: {', '.join(left)}" if left else "")
                + "".join(f"; {n}" for n in translated)
            )
            continue
        if choice == SEPARATE:
            if is_reserved_key(copy.info.key) or copy.info.key == claim:
                raise InputRefused(
                    f"the key {copy.info.key} is kept for NIST's releases, and this file's "
                    f"content is not NIST's {claim}; give the copy another key (--key)",
                    file=file,
                    field="key",
                )
            kept.append(replace(copy, info=_label(copy.info, claim, identical=diff.identical)))
            bundle.warnings.append(
                f"{file}: {copy.info.key} kept as a separate framework"
                + (
                    f" with NIST's ids and texts of {claim}"
                    if diff.identical
                    else f"; it differs from NIST's {claim}: {report}"
                )
            )
            continue
        raise InputRefused(
            f"{copy.info.key} claims to be NIST's {claim} but differs from NIST's publication: "
            f"{report}. Choose --core-copy official to map it onto NIST's {claim} or "
            "--core-copy separate to keep it as a framework of its own",
            file=file,
        )
    bundle.catalogs[:] = kept
    return bundle


__all__ = ["CHOICES", "OFFICIAL", "SEPARATE", "SP800_53_R5", "recognise_copies"]
