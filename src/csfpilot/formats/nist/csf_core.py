"""Turning the elements NIST's CSF exports list into a CSF catalog and its withdrawals.

NIST publishes the same CSF 2.0 Core in several shapes (the Reference Tool's
nested JSON, CPRT's flat graph). Each reader only translates its shape into a
list of :class:`CoreElement` in document order; this module then builds the
catalog and the withdrawal migrations for all of them, so two files that carry
the same Core give the same :meth:`Catalog.content_digest`.

The files list, next to the 6 Functions, 22 Categories and 106 Subcategories of
CSF 2.0, the 12 Categories and 79 Subcategories of CSF 1.1 that 2.0 withdrew,
each with a reason ("Incorporated into GV.OC-05") and, mostly, structured
targets. A withdrawn element is never a node of the new release (nobody can
assess it); it becomes a migration row from the old release's element to each
target. Where the structured targets and the reason's verb disagree (NIST's
"Moved to PR.IR-02" carries an ``incorporated_into`` edge) the structured edge
wins and the reason is kept verbatim as the row's comment. Where a file gives
no structured target, the CSF ids named in the reason are the targets; where
the reason names none ("Incorporated into other Categories and Functions"),
the element still gets one row, with an empty target and the reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from csfpilot.core.catalog import (
    Catalog,
    DatasetInfo,
    Example,
    FrameworkInfo,
    Mapping,
    MappingSet,
    Node,
    Relationship,
)
from csfpilot.core.catalog.csf2 import LEVELS, OUTCOME_LEVEL, check_csf_2_0
from csfpilot.core.errors import CatalogInvariantError, InputRefused
from csfpilot.core.ids import canonical_code, csf_canonical
from csfpilot.formats.nist.terms import NIST, US_GOVERNMENT_WORK

CSF_NAME = "NIST Cybersecurity Framework"

_PARENT_LEVEL = {"function": None, "category": "function", "subcategory": "category"}
_REASON_VERB = re.compile(r"^\s*(?P<verb>incorporated\s+into|moved\s+(?:to|into))\b", re.I)
_CSF_ID_IN_TEXT = re.compile(r"\b[A-Z]{2}(?:\.[A-Z]{2}(?:-\d{1,2})?)?\b")


@dataclass(frozen=True, slots=True)
class WithdrawalRecord:
    """Why an element was withdrawn and where it went, as the file states it."""

    reason: str
    targets: tuple[tuple[Relationship, str], ...] = ()


@dataclass(frozen=True, slots=True)
class CoreElement:
    """A Function, Category or Subcategory as a NIST export lists it."""

    code: str  # NIST's id as written in the file
    level: str  # function | category | subcategory
    parent: str | None  # NIST's id of the parent, as written
    title: str
    text: str
    examples: tuple[Example, ...] = ()
    parties: tuple[str, ...] = ()
    withdrawal: WithdrawalRecord | None = None
    where: str = ""  # where in the file, for error messages


def csf_framework_info(*, key: str, version: str, source_file: str, sha256: str) -> FrameworkInfo:
    """The identity of a CSF release read from one of NIST's files."""
    return FrameworkInfo(
        key=key,
        name=CSF_NAME,
        version=version,
        publisher=NIST,
        levels=LEVELS,
        terms=US_GOVERNMENT_WORK,
        source_file=source_file,
        source_sha256=sha256,
        family="csf",
        outcome_level=OUTCOME_LEVEL,
    )


def level_of(code: str) -> str:
    """``GV`` → function, ``GV.OC`` → category, ``GV.OC-01`` → subcategory."""
    if "-" in code:
        return "subcategory"
    return "category" if "." in code else "function"


def _canonical(el: CoreElement, raw: str, *, file: str, field: str) -> str:
    code = csf_canonical(raw)
    if code is None:
        raise InputRefused(
            f"{raw!r} is not a CSF identifier (expected e.g. GV, GV.OC, GV.OC-01)",
            file=file,
            element=el.code or None,
            field=f"{el.where}.{field}" if el.where else field,
        )
    return code


def build_csf_catalog(elements: Sequence[CoreElement], info: FrameworkInfo) -> Catalog:
    """The catalog of the active elements, in the order the file lists them.

    Refuses ids that are not CSF-shaped or sit at the wrong level, an id listed
    twice (also when one copy is withdrawn), an active element under a withdrawn
    or missing parent, and, for CSF 2.0, anything but NIST's 6/22/106 elements.
    """
    file = info.source_file
    seen: dict[str, CoreElement] = {}
    withdrawn: set[str] = set()
    nodes: list[Node] = []
    for el in elements:
        code = _canonical(el, el.code, file=file, field="id")
        if level_of(code) != el.level:
            raise CatalogInvariantError(
                f"the id {code} is shaped like a {level_of(code)} but is listed as a {el.level}",
                file=file,
                element=code,
            )
        if code in seen:
            raise CatalogInvariantError(
                "the same id appears twice"
                + (
                    " (once withdrawn, once active)"
                    if (el.withdrawal is None) != (seen[code].withdrawal is None)
                    else ""
                ),
                file=file,
                element=code,
            )
        seen[code] = el
        parent = None
        if el.parent is not None:
            parent = _canonical(el, el.parent, file=file, field="parent")
        if (parent is None) != (_PARENT_LEVEL[el.level] is None):
            raise CatalogInvariantError(
                f"a {el.level} must sit under a {_PARENT_LEVEL[el.level]}"
                if parent is None
                else "a function cannot sit under another element",
                file=file,
                element=code,
            )
        if el.withdrawal is not None or parent in withdrawn:
            if el.withdrawal is None:
                raise CatalogInvariantError(
                    f"an active {el.level} cannot sit under the withdrawn {parent}",
                    file=file,
                    element=code,
                )
            withdrawn.add(code)
            continue
        if el.level == "subcategory":
            # Party tags are a set; exports list them in different orders.
            props: dict[str, object] = {"parties": sorted(set(el.parties), key=_party_order)}
        else:
            props = {}
        nodes.append(
            Node(
                code=code,
                level=el.level,
                parent=parent,
                title=el.title,
                text=el.text,
                order=len(nodes),
                examples=el.examples,
                props=props,
            )
        )
    catalog = Catalog(info=info, nodes=tuple(nodes))
    examples_seen: set[str] = set()
    for node in catalog.nodes:
        for ex in node.examples:
            if ex.code in examples_seen:
                raise CatalogInvariantError(
                    f"the implementation example {ex.code} appears twice",
                    file=file,
                    element=node.code,
                )
            examples_seen.add(ex.code)
    if info.version == "2.0":
        check_csf_2_0(catalog)
    return catalog


def _party_order(party: str) -> tuple[int, str]:
    return ({"first": 0, "third": 1}.get(party, 2), party)


def _targets_from_reason(reason: str) -> tuple[tuple[Relationship, str], ...]:
    m = _REASON_VERB.match(reason)
    if m is None:
        return ()
    relation = (
        Relationship.INCORPORATED_INTO
        if m["verb"].lower().startswith("incorporated")
        else Relationship.MOVED_TO
    )
    return tuple((relation, code) for code in _CSF_ID_IN_TEXT.findall(reason[m.end() :]))


def withdrawal_migrations(
    elements: Sequence[CoreElement],
    catalog: Catalog,
    *,
    withdrawn_from: str,
    source_sha256: str,
) -> MappingSet:
    """One row per target of every withdrawn element, from the old release into ``catalog``."""
    file = catalog.info.source_file
    rows: list[Mapping] = []
    count = 0
    for el in elements:
        if el.withdrawal is None:
            continue
        count += 1
        source = canonical_code(withdrawn_from, el.code)
        reason = el.withdrawal.reason.strip()
        targets = el.withdrawal.targets or _targets_from_reason(reason)
        if not targets:
            rows.append(
                Mapping(source=source, target="", relationship=_verb(reason), comment=reason)
            )
            continue
        for relation, raw_target in targets:
            target = _canonical(el, raw_target, file=file, field="withdrawal target")
            if catalog.get(target) is None:
                raise CatalogInvariantError(
                    f"the withdrawal target {target} is not an active element "
                    f"of {catalog.info.key}",
                    file=file,
                    element=el.code,
                )
            rows.append(
                Mapping(source=source, target=target, relationship=relation, comment=reason)
            )
    info = DatasetInfo(
        key=f"{withdrawn_from}-to-{catalog.info.key}-withdrawals",
        name=f"CSF elements withdrawn in {catalog.info.name} {catalog.info.version}",
        publisher=NIST,
        version=catalog.info.version,
        source_framework=withdrawn_from,
        target_framework=catalog.info.key,
        terms=US_GOVERNMENT_WORK,
        source_file=file,
        source_sha256=source_sha256,
        description=(
            f"Where each of the {count} {withdrawn_from} elements that "
            f"{catalog.info.key} withdrew went, with NIST's reason."
        ),
    )
    return MappingSet(info=info, mappings=tuple(rows))


def _verb(reason: str) -> Relationship:
    m = _REASON_VERB.match(reason)
    if m is not None and not m["verb"].lower().startswith("incorporated"):
        return Relationship.MOVED_TO
    return Relationship.INCORPORATED_INTO
