"""The framework model every importer produces and every front end reads.

A *framework* (the CSF 2.0 Core, SP 800-53 Rev. 5, CIS Controls v8.1...) is a
tree of *nodes*: Functions → Categories → Subcategories for the CSF,
families → controls → enhancements for SP 800-53, any depth for others.
A *mapping set* is one published crosswalk dataset (e.g. NIST's OLIR
"SP 800-53 Rev. 5 to CSF 2.0") whose rows relate a node of one framework to a
node of another. Importers return an :class:`ImportBundle`; storing it is the
database layer's job.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from collections.abc import Mapping as MappingABC
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from csfpilot.core.catalog.relationships import Relationship
from csfpilot.core.errors import CatalogInvariantError

if TYPE_CHECKING:
    from csfpilot.core.catalog.crosswalk_input import PendingCrosswalk


@dataclass(frozen=True, slots=True)
class FrameworkInfo:
    """Who published a framework, which release it is, and which file it came from."""

    key: str  # stable id with the version in it: "csf-2.0", "sp800-53r5"
    name: str
    version: str
    publisher: str
    levels: tuple[str, ...]  # level names from the root down
    terms: str = ""
    source_file: str = ""
    source_sha256: str = ""
    family: str = ""  # groups releases of one framework: "csf", "sp800-53"
    language: str = "en"
    # The level whose nodes an organization assesses (CSF: "subcategory").
    outcome_level: str = ""
    # Only the elements that crosswalks name, by identifier (CIS Controls, ISO/IEC
    # 27001): their publishers' texts are not NIST's to republish.
    named_by_crosswalks: bool = False


@dataclass(frozen=True, slots=True)
class Example:
    """One of NIST's Implementation Examples for a Subcategory (``Ex1``...)."""

    code: str  # NIST's id, e.g. GV.OC-01.001 (a global running number)
    title: str  # "Ex1"
    text: str


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """Where a withdrawn element went."""

    relation: Relationship  # incorporated_into | moved_to
    target: str  # canonical code of the destination


@dataclass(frozen=True, slots=True)
class Node:
    """One element of a framework: a Function, a Category, a control..."""

    code: str  # canonical id: "GV.OC-01", "AC-2(1)"
    level: str  # one of FrameworkInfo.levels
    parent: str | None
    title: str
    text: str
    order: int  # position in a depth-first walk of the published document
    examples: tuple[Example, ...] = ()
    withdrawn: bool = False
    withdrawal_note: str = ""
    withdrawn_to: tuple[Withdrawal, ...] = ()
    props: MappingABC[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["props"] = dict(self.props)
        d["withdrawn_to"] = [
            {"relation": str(w.relation), "target": w.target} for w in self.withdrawn_to
        ]
        return d


@dataclass(frozen=True)
class Catalog:
    """A whole framework release: its identity and its nodes in document order."""

    info: FrameworkInfo
    nodes: tuple[Node, ...]
    _by_code: dict[str, Node] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for n in self.nodes:
            if n.code in seen:
                raise CatalogInvariantError(
                    "the same id appears twice", file=self.info.source_file, element=n.code
                )
            seen.add(n.code)
            if n.level not in self.info.levels:
                raise CatalogInvariantError(
                    f"level {n.level!r} is not one of {list(self.info.levels)}",
                    file=self.info.source_file,
                    element=n.code,
                )
        for n in self.nodes:
            if n.parent is not None and n.parent not in seen:
                raise CatalogInvariantError(
                    f"parent {n.parent} does not exist",
                    file=self.info.source_file,
                    element=n.code,
                )
        object.__setattr__(self, "_by_code", {n.code: n for n in self.nodes})

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    def get(self, code: str) -> Node | None:
        return self._by_code.get(code)

    def at_level(self, level: str, *, include_withdrawn: bool = False) -> list[Node]:
        return [
            n for n in self.nodes if n.level == level and (include_withdrawn or not n.withdrawn)
        ]

    def children(self, code: str | None) -> list[Node]:
        return [n for n in self.nodes if n.parent == code]

    def content_digest(self) -> str:
        """sha256 over the content (not the file bytes): two files with the same Core agree."""
        payload = {
            "info": {
                k: getattr(self.info, k)
                for k in ("key", "name", "version", "publisher", "levels", "language")
            },
            "nodes": [n.as_dict() for n in self.nodes],
        }
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class DatasetInfo:
    """A published crosswalk: its name, who made it, which release, under which terms."""

    key: str  # "olir-sp800-53r5.1.1-csf-2.0"
    name: str
    publisher: str
    version: str
    source_framework: str  # framework key of Mapping.source
    target_framework: str  # framework key of Mapping.target
    terms: str = ""
    source_file: str = ""
    source_sha256: str = ""
    description: str = ""
    reviewed_by: str = ""  # who checked the rows before it was loaded, as they gave it


@dataclass(frozen=True, slots=True)
class Mapping:
    """One row of a crosswalk: ``source`` relates to ``target`` as ``relationship``."""

    source: str
    target: str
    relationship: Relationship = Relationship.RELATED_TO
    comment: str = ""
    strength: int | None = None
    target_title: str = ""  # as printed in the dataset, kept for ids no catalog has


@dataclass(frozen=True, slots=True)
class MappingSet:
    info: DatasetInfo
    mappings: tuple[Mapping, ...]

    def content_digest(self) -> str:
        rows = sorted(
            (m.source, m.target, str(m.relationship), m.comment, m.strength or 0)
            for m in self.mappings
        )
        blob = json.dumps({"key": self.info.key, "version": self.info.version, "rows": rows})
        return hashlib.sha256(blob.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Baseline:
    """A named selection of a framework's controls (e.g. SP 800-53 MODERATE)."""

    framework: str
    name: str  # "LOW", "MODERATE", "HIGH", "PRIVACY"
    codes: tuple[str, ...]
    source_file: str = ""
    source_sha256: str = ""


@dataclass(frozen=True, slots=True)
class FrameworkAlias:
    """Another tool's copy of a NIST release, mapped onto NIST's own elements.

    Nothing of the copy is stored as a framework: what names the copy (its key,
    its element ids) is read as naming the official release, through ``renamed``
    (the copy's id → NIST's id, for the ids that differ, e.g. ``GV.OC-1`` →
    ``GV.OC-01``).
    """

    key: str  # the copy's key: "nist-csf-2.0"
    official_key: str  # "csf-2.0"
    renamed: tuple[tuple[str, str], ...] = ()
    name: str = ""
    source_file: str = ""
    source_sha256: str = ""


@dataclass(frozen=True, slots=True)
class Translation:
    """An element's title and text in another language, and whose translation it is.

    Another tool's copy of a framework often carries translations of every element
    (a CISO Assistant library's ``translations: {fr: {name, description}}``). They are
    attached to the element they translate, with their source, so that a page showing
    one can say it is a translation and by whom; they never make another framework.
    """

    framework: str  # the key of the framework whose element this translates
    code: str  # the element's id in that framework
    language: str  # a lower-case language tag: "fr", "es", "zh-hant"
    title: str
    text: str
    source: str  # whose translation: the library and who packaged it


@dataclass(slots=True)
class ImportBundle:
    """Everything one importer read from one or more files, not yet stored.

    ``crosswalks`` are crosswalks whose frameworks are looked up when stored
    (see :mod:`csfpilot.core.catalog.crosswalk_input`).
    """

    catalogs: list[Catalog] = field(default_factory=list)
    mapping_sets: list[MappingSet] = field(default_factory=list)
    baselines: list[Baseline] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    crosswalks: list[PendingCrosswalk] = field(default_factory=list)
    aliases: list[FrameworkAlias] = field(default_factory=list)
    translations: list[Translation] = field(default_factory=list)

    def extend(self, other: ImportBundle) -> ImportBundle:
        self.catalogs.extend(other.catalogs)
        self.mapping_sets.extend(other.mapping_sets)
        self.baselines.extend(other.baselines)
        self.warnings.extend(other.warnings)
        self.crosswalks.extend(other.crosswalks)
        self.aliases.extend(other.aliases)
        self.translations.extend(other.translations)
        return self

    @classmethod
    def merge(cls, bundles: Iterable[ImportBundle]) -> ImportBundle:
        out = cls()
        for b in bundles:
            out.extend(b)
        return out
