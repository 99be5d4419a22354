"""The NIST content profile tools need, read from the files shipped with csfpilot.

Commands that work on profile files need three things from NIST's CSF 2.0
Reference Tool export: the outcomes and their texts (for templates and the
questionnaire), the CSF 1.1 withdrawals (to say where a withdrawn id went),
and the informative references (to suggest controls for the action plan).
This reads the export once, without a database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache

from csfpilot.core.catalog import Catalog, Example, ImportBundle, MappingSet
from csfpilot.core.errors import NotFound
from csfpilot.core.ids import CSF_2_0
from csfpilot.core.profiles import WITHDRAWALS_DATASET, OutcomeFramework, WithdrawalIndex
from csfpilot.formats.nist.reftool import read_reference_tool_core

DEFAULT_CONTROLS_DATASET = "olir-sp800-53r5-5.2.0"
"""NIST's current CSF 2.0 → SP 800-53 Rev. 5 (release 5.2.0) crosswalk."""


@dataclass(frozen=True)
class ProfileReference:
    """One framework release with what profile tools look up about it."""

    catalog: Catalog
    framework: OutcomeFramework
    withdrawals: WithdrawalIndex
    mapping_sets: Mapping[str, MappingSet]

    def examples(self, code: str) -> tuple[Example, ...]:
        node = self.catalog.get(code)
        return node.examples if node is not None else ()

    def mapping_set(self, key: str) -> MappingSet:
        found = self.mapping_sets.get(key)
        if found is None:
            known = ", ".join(
                sorted(
                    k
                    for k, m in self.mapping_sets.items()
                    if m.info.source_framework == self.catalog.info.key
                )
            )
            raise NotFound(f"no crosswalk {key!r}; available: {known}")
        return found


@cache
def bundled_reference(framework_key: str = CSF_2_0) -> ProfileReference:
    """A framework shipped with csfpilot, read once per process: CSF 2.0 from NIST's
    Reference Tool export, the others (CSF 1.1, SP 800-53, CIS Controls, ISO/IEC
    27001 …) from the shipped catalogs, so that a profile exported on any of them
    passes the same checks as one on CSF 2.0."""
    if framework_key != CSF_2_0:
        return _other_reference(framework_key)
    core = read_reference_tool_core()

    def crosswalks() -> dict[str, MappingSet]:
        found = [*core.informative_references().mapping_sets, core.withdrawals]
        return {m.info.key: m for m in found}

    withdrawals = (
        WithdrawalIndex.from_mapping_set(core.withdrawals)
        if core.withdrawals.info.key == WITHDRAWALS_DATASET
        else WithdrawalIndex.empty()
    )
    return ProfileReference(
        core.catalog,
        OutcomeFramework.from_catalog(core.catalog),
        withdrawals,
        _OnFirstUse(crosswalks),
    )


class _OnFirstUse(Mapping[str, MappingSet]):
    """Crosswalks built when first looked up: of the commands on a profile file only the
    action plan's control suggestions read them, and building NIST's 6,387 reference
    rows is half the time of reading its export."""

    def __init__(self, build: Callable[[], dict[str, MappingSet]]) -> None:
        self._build: Callable[[], dict[str, MappingSet]] | None = build
        self._sets: dict[str, MappingSet] = {}

    def _all(self) -> dict[str, MappingSet]:
        build = self._build  # read once: another thread may finish first
        if build is not None:
            self._sets = build()
            self._build = None  # lets go of the export's parsed relationships
        return self._sets

    def __getitem__(self, key: str) -> MappingSet:
        return self._all()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


@cache
def _bundle() -> ImportBundle:
    from csfpilot.formats.bundled import read_bundled

    return read_bundled()


def bundled_crosswalks() -> tuple[MappingSet, ...]:
    """Every crosswalk dataset shipped with csfpilot, read once per process."""
    return tuple(_bundle().mapping_sets)


def bundled_framework_keys() -> tuple[str, ...]:
    """The keys of the framework releases shipped with csfpilot."""
    return tuple(c.info.key for c in _bundle().catalogs)


def _other_reference(framework_key: str) -> ProfileReference:
    bundle = _bundle()
    catalog = next((c for c in bundle.catalogs if c.info.key == framework_key), None)
    if catalog is None:
        shipped = ", ".join(c.info.key for c in bundle.catalogs)
        raise NotFound(
            f"csfpilot ships no framework {framework_key!r} for profile files (shipped: "
            f"{shipped}); a profile on a framework loaded from your own file is checked "
            "in the database: csfpilot import profile --onto …"
        )
    sets = {m.info.key: m for m in bundle.mapping_sets if m.info.source_framework == framework_key}
    return ProfileReference(
        catalog, OutcomeFramework.from_catalog(catalog), WithdrawalIndex.empty(), sets
    )
