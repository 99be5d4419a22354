"""Which outcomes a profile can assess, and how they group for roll-ups.

An Organizational Profile is written against one framework release. For CSF
2.0 the assessable outcomes are the 106 Subcategories, grouped into 22
Categories and 6 Functions. The profile code never hard-codes that list: it
asks an :class:`OutcomeFramework` for it. :func:`csf_2_0` gives NIST's literal
list (the default, no file needed); :meth:`OutcomeFramework.from_catalog`
builds the same thing from any loaded :class:`~csfpilot.core.catalog.Catalog`,
so a later NIST release (CSF 2.1, 3.0) is assessed the same way under its own
key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType

from csfpilot.core.catalog import csf2
from csfpilot.core.catalog.model import Catalog
from csfpilot.core.errors import CatalogInvariantError
from csfpilot.core.ids import CSF_2_0


@dataclass(frozen=True, slots=True)
class Group:
    """A node above the outcomes: a Function or a Category in CSF terms.

    ``title`` is its name (``Organizational Context``); ``statement`` is the
    outcome it states, when the release gives one (every CSF 2.0 Function and
    Category does: "The circumstances … are understood"). NIST's profile
    template shows the statement, so that is what a template row is checked
    against.
    """

    code: str
    level: str
    parent: str | None
    title: str = ""
    statement: str = ""


@dataclass(frozen=True)
class OutcomeFramework:
    """The assessable outcomes of one framework release and the groups above them.

    ``outcomes`` is in document order; ``groups`` holds every group level
    (e.g. Functions then Categories, in document order) and ``parent_of`` maps
    each outcome to the group directly above it. ``texts`` carries the outcome
    statements and group titles when they are known (from a loaded catalog);
    the built-in CSF 2.0 list has only the Function names.
    """

    key: str
    outcomes: tuple[str, ...]
    groups: tuple[Group, ...]
    parent_of: Mapping[str, str]
    texts: Mapping[str, str] = field(default_factory=dict)
    _groups_by_code: Mapping[str, Group] = field(init=False, repr=False, compare=False)
    _outcome_set: frozenset[str] = field(init=False, repr=False, compare=False)
    _ancestors: Mapping[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)
    _beneath: Mapping[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_code = {g.code: g for g in self.groups}
        if len(by_code) != len(self.groups):
            raise CatalogInvariantError("a group id appears twice", element=self.key)
        outcome_set = frozenset(self.outcomes)
        if len(outcome_set) != len(self.outcomes):
            raise CatalogInvariantError("an outcome id appears twice", element=self.key)
        ancestors: dict[str, tuple[str, ...]] = {}
        beneath: dict[str, list[str]] = {g.code: [] for g in self.groups}
        for outcome in self.outcomes:
            chain: list[str] = []
            parent: str | None = self.parent_of.get(outcome)
            while parent is not None:
                if parent not in by_code:
                    raise CatalogInvariantError(
                        f"parent {parent} is not a group of {self.key}", element=outcome
                    )
                if parent in chain:
                    raise CatalogInvariantError("the groups form a cycle", element=parent)
                chain.append(parent)
                parent = by_code[parent].parent
            ancestors[outcome] = tuple(reversed(chain))
            for code in chain:
                beneath[code].append(outcome)
        object.__setattr__(self, "parent_of", MappingProxyType(dict(self.parent_of)))
        object.__setattr__(self, "texts", MappingProxyType(dict(self.texts)))
        object.__setattr__(self, "_groups_by_code", MappingProxyType(by_code))
        object.__setattr__(self, "_outcome_set", outcome_set)
        object.__setattr__(self, "_ancestors", MappingProxyType(ancestors))
        object.__setattr__(
            self, "_beneath", MappingProxyType({k: tuple(v) for k, v in beneath.items()})
        )

    @property
    def group_levels(self) -> tuple[str, ...]:
        """The group levels from the top down, e.g. ``("function", "category")``."""
        seen: list[str] = []
        for g in self.groups:
            if g.level not in seen:
                seen.append(g.level)
        return tuple(seen)

    def is_outcome(self, code: str) -> bool:
        return code in self._outcome_set

    def group(self, code: str) -> Group | None:
        return self._groups_by_code.get(code)

    def ancestors(self, outcome: str) -> tuple[str, ...]:
        """The groups above an outcome from the top down: ``GV.OC-01`` → ``("GV", "GV.OC")``."""
        return self._ancestors[outcome]

    def outcomes_under(self, group: str) -> tuple[str, ...]:
        """Every outcome beneath a group (at any depth), in document order."""
        return self._beneath[group]

    def at_level(self, level: str) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if g.level == level)

    def text(self, code: str) -> str:
        """The outcome statement or group title, or ``""`` when not known."""
        return self.texts.get(code, "")

    def order(self, outcomes: Iterable[str]) -> list[str]:
        """Outcome ids sorted in document order (unknown ids last, by id)."""
        index = {c: i for i, c in enumerate(self.outcomes)}
        return sorted(outcomes, key=lambda c: (index.get(c, len(index)), c))

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> OutcomeFramework:
        """Take the outcomes of a loaded framework: the nodes at its outcome level.

        Withdrawn nodes are never outcomes. Everything above the outcome level
        becomes a group; texts come from the nodes (the statement for an
        outcome, the title for a group).
        """
        info = catalog.info
        outcome_level = info.outcome_level or info.levels[-1]
        if outcome_level not in info.levels:
            raise CatalogInvariantError(
                f"outcome level {outcome_level!r} is not one of {list(info.levels)}",
                file=info.source_file,
            )
        group_levels = set(info.levels[: info.levels.index(outcome_level)])
        outcomes: list[str] = []
        groups: list[Group] = []
        parent_of: dict[str, str] = {}
        texts: dict[str, str] = {}
        for node in catalog.nodes:
            if node.withdrawn:
                continue
            if node.level == outcome_level:
                outcomes.append(node.code)
                if node.parent is not None:
                    parent_of[node.code] = node.parent
                texts[node.code] = node.text or node.title
            elif node.level in group_levels:
                groups.append(Group(node.code, node.level, node.parent, node.title, node.text))
                texts[node.code] = node.title or node.text
        if not outcomes:
            raise CatalogInvariantError(
                f"{info.key} has no active {outcome_level} elements to assess",
                file=info.source_file,
            )
        return cls(info.key, tuple(outcomes), tuple(groups), parent_of, texts)


@cache
def csf_2_0() -> OutcomeFramework:
    """NIST's CSF 2.0 outcomes as written in :mod:`csfpilot.core.catalog.csf2`.

    Function names are known without a file (``GOVERN``...); Category titles
    and outcome statements come with :meth:`OutcomeFramework.from_catalog`.
    """
    groups: list[Group] = []
    # Document order: each Function, then its Categories.
    for fn, name in csf2.FUNCTIONS.items():
        groups.append(Group(fn, "function", None, name))
        groups.extend(
            Group(cat, "category", fn) for cat in csf2.CATEGORY_IDS if csf2.function_of(cat) == fn
        )
    parent_of = {sub: csf2.category_of(sub) for sub in csf2.SUBCATEGORY_IDS}
    return OutcomeFramework(
        CSF_2_0,
        csf2.SUBCATEGORY_IDS,
        tuple(groups),
        parent_of,
        texts=dict(csf2.FUNCTIONS),
    )
