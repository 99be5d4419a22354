"""A crosswalk read from a file, and how its rows find the elements they name.

A crosswalk file names its two frameworks in its own words: csfpilot's
export writes the framework key (``csf-2.0``), a CISO Assistant mapping set
a framework urn (``urn:intuitem:risk:framework:iso27001-2022``), an OSCAL
mapping collection a catalog resource. Its rows name elements the same way:
by code, by requirement urn, by OSCAL control id. Until both frameworks are
looked up among those loaded, a crosswalk is a :class:`PendingCrosswalk`;
:func:`resolve` turns it into a :class:`MappingSet` against what
:class:`LoadedFrameworks` says is there, or refuses it naming the framework
that is missing and the row that cannot be placed.

The lookup is by meaning where the file's words allow: another tool's name
for a NIST release (``nist-csf-2.0``, ``NIST-SP-800-53-rev5``) finds NIST's
release when that tool's own copy is not loaded, and ids are compared in the
framework's canonical spelling (``gv.oc-1`` is ``GV.OC-01``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field, replace
from typing import Protocol

from csfpilot.core.catalog.model import DatasetInfo, Mapping, MappingSet
from csfpilot.core.catalog.relationships import Relationship
from csfpilot.core.errors import InputRefused
from csfpilot.core.ids import CSF_1_1, CSF_2_0, SP800_53_R5, canonical_code

# How a file's rows name elements.
BY_CODE = "code"  # the element's code as csfpilot shows it (exports, spreadsheets)
BY_URN = "urn"  # CISO Assistant requirement urns
BY_OSCAL = "oscal"  # OSCAL control ids, with the exact code in a ``label`` prop if any

LOAD_FIRST = "load it first with `csfpilot import-framework FILE` or the framework import page"


@dataclass(frozen=True, slots=True)
class FrameworkRef:
    """One end of a crosswalk as the file names it."""

    label: str  # as written: a key, a urn, a resource title
    keys: tuple[str, ...]  # framework keys it may stand for, most likely first
    where: str  # JSON path or sheet and cell, for messages


@dataclass(frozen=True, slots=True)
class PendingRow:
    source: str
    target: str
    relationship: Relationship
    where: str  # how messages name the row: "row 7", "mappings[0].maps[3]"
    comment: str = ""
    strength: int | None = None
    target_title: str = ""


@dataclass(frozen=True, slots=True)
class PendingCrosswalk:
    """A crosswalk as read, before its frameworks and elements are looked up."""

    info: DatasetInfo  # its frameworks are filled in by :func:`resolve`
    source: FrameworkRef
    target: FrameworkRef
    rows: tuple[PendingRow, ...]
    ids: str = BY_CODE


@dataclass(frozen=True, slots=True)
class ElementIds:
    """The elements of one loaded framework, by every name a crosswalk may use."""

    codes: frozenset[str]
    by_urn: MappingABC[str, str] = field(default_factory=dict)
    # A foreign copy of a NIST release mapped onto NIST's: its codes → NIST's.
    renamed: MappingABC[str, str] = field(default_factory=dict)


class LoadedFrameworks(Protocol):
    """What is loaded, as the database layer answers it."""

    def resolve_key(self, key: str) -> str | None:
        """The loaded framework ``key`` stands for (itself, or the release a copy was
        mapped onto), or None."""

    def element_ids(self, key: str) -> ElementIds: ...


_OFFICIAL = (
    (re.compile(r"^(nist)?(cyber(security)?framework|csf)v?2(\.0)?(\.0)?$"), CSF_2_0),
    (re.compile(r"^(nist)?(cyber(security)?framework|csf)v?1\.1$"), CSF_1_1),
    (re.compile(r"^(nist)?(sp)?80053(r|rev\.?|revision)?5(\.\d+)*$"), SP800_53_R5),
)


def official_key(label: str) -> str | None:
    """NIST's release another tool's name stands for: ``nist-csf-2.0`` → ``csf-2.0``."""
    folded = re.sub(r"[\s_\-/:]+", "", label.lower())
    for pattern, key in _OFFICIAL:
        if pattern.match(folded):
            return key
    return None


def urn_tail(urn: str) -> str:
    return urn.rsplit(":", 1)[-1]


def framework_of_urn(urn: str) -> str:
    """``urn:intuitem:risk:framework:iso27001-2022`` → ``iso27001-2022``."""
    return urn_tail(urn).strip().lower()


def _end(ref: FrameworkRef, loaded: LoadedFrameworks, file: str, side: str) -> str:
    candidates = list(ref.keys)
    official = official_key(ref.label) or next(
        (official_key(k) for k in ref.keys if official_key(k)), None
    )
    if official and official not in candidates:
        candidates.append(official)
    for key in candidates:
        found = loaded.resolve_key(key)
        if found is not None:
            return found
    named = ref.keys[0] if ref.keys else ref.label
    raise InputRefused(
        f"the crosswalk's {side} framework {named} is not loaded; {LOAD_FIRST}",
        file=file,
        field=ref.where,
    )


def _element(raw: str, key: str, ids: ElementIds, mode: str) -> str | None:
    """The code of the element ``raw`` names in framework ``key``, or None."""
    text = raw.strip()
    if mode == BY_URN and text in ids.by_urn:
        return ids.by_urn[text]
    if mode in (BY_URN, BY_OSCAL) and ":" in text:
        text = urn_tail(text)
    for candidate in (text, canonical_code(key, text), text.upper()):
        if candidate in ids.renamed:
            return ids.renamed[candidate]
        if candidate in ids.codes:
            return candidate
    if mode == BY_OSCAL:
        # OSCAL ids spell enhancements with a dot (ac-2.1) and tokens replace odd characters.
        dotted = canonical_code(key, re.sub(r"\.(\d+)$", r"(\1)", text))
        if dotted in ids.codes:
            return dotted
    return None


def resolve(pending: PendingCrosswalk, loaded: LoadedFrameworks) -> tuple[MappingSet, list[str]]:
    """The crosswalk against the loaded frameworks, and warnings about what it could not link.

    Both frameworks must be loaded. Rows naming an element the framework does
    not have are kept as written (a crosswalk may be newer than the catalog),
    except urns, which say nothing readable once unresolved: those are refused.
    """
    file = pending.info.source_file
    src_key = _end(pending.source, loaded, file, "source")
    dst_key = _end(pending.target, loaded, file, "target")
    src_ids, dst_ids = loaded.element_ids(src_key), loaded.element_ids(dst_key)
    rows: list[Mapping] = []
    unknown: dict[str, list[str]] = {"source": [], "target": []}
    for row in pending.rows:
        placed: list[str] = []
        for side, raw, key, ids in (
            ("source", row.source, src_key, src_ids),
            ("target", row.target, dst_key, dst_ids),
        ):
            code = _element(raw, key, ids, pending.ids) if raw.strip() else ""
            if code is None:
                if pending.ids == BY_URN:
                    raise InputRefused(
                        f"{raw!r} is not an element of {key}",
                        file=file,
                        field=f"{row.where}.{side}",
                    )
                code = raw.strip()
                unknown[side].append(code)
            placed.append(code)
        rows.append(
            Mapping(
                source=placed[0],
                target=placed[1],
                relationship=row.relationship,
                comment=row.comment,
                strength=row.strength,
                target_title=row.target_title,
            )
        )
    warnings = []
    for side, key in (("source", src_key), ("target", dst_key)):
        codes = sorted(set(unknown[side]))
        if codes:
            warnings.append(
                f"{file}: {len(unknown[side])} row(s) name {side} ids that {key} does not "
                f"have, kept as written: {', '.join(codes[:20])}"
                + (f" and {len(codes) - 20} more" if len(codes) > 20 else "")
            )
    for ref, key in ((pending.source, src_key), (pending.target, dst_key)):
        if ref.keys and key != ref.keys[0]:
            warnings.append(f"{file}: the rows naming {ref.keys[0]} were linked to {key}")
    info = replace(pending.info, source_framework=src_key, target_framework=dst_key)
    return MappingSet(info=info, mappings=tuple(rows)), warnings
