"""Reads a transfer needs: the loaded crosswalks as domain objects, and where they lead.

Crosswalk rows never change under a dataset's key and content digest (the
catalog refuses new content under an existing key), so each dataset is read
once per process and kept, like the frameworks' outcomes in
:mod:`csfpilot.webapp.profiles.frameworks`. A request then costs one query
for the list of datasets (and one per dataset not read yet).
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any

from csfpilot.core.catalog import DatasetInfo, Mapping, MappingSet
from csfpilot.core.catalog.relationships import Relationship
from csfpilot.core.errors import CsfpilotError, NotFound
from csfpilot.core.profiles import OutcomeFramework
from csfpilot.webapp.catalog import models as catalog
from csfpilot.webapp.profiles.frameworks import outcome_framework

_lock = threading.Lock()
_sets: dict[tuple[str, str], MappingSet] = {}


def _read(ds: catalog.MappingDataset) -> MappingSet:
    rows = catalog.Mapping.objects.filter(dataset=ds).values_list(
        "source_code", "target_code", "relationship"
    )
    info = DatasetInfo(
        key=ds.key,
        name=ds.name,
        publisher=ds.publisher,
        version=ds.version,
        source_framework=ds.source_framework_key,
        target_framework=ds.target_framework_key,
    )
    mappings = []
    for source, target, rel in rows:
        try:
            relationship = Relationship(rel)
        except ValueError:
            continue  # a relationship this release does not know carries nothing
        mappings.append(Mapping(source, target, relationship))
    return MappingSet(info, tuple(mappings))


@dataclass(frozen=True)
class OwnCrosswalk:
    """An organization's reviewed crosswalk (see :mod:`csfpilot.webapp.mapping`), standing
    beside the catalog's datasets with the same header fields. Its rows change with every
    review, so it is read for each transfer instead of being kept per process."""

    mapping_set: MappingSet

    @property
    def key(self) -> str:
        return self.mapping_set.info.key

    @property
    def name(self) -> str:
        return self.mapping_set.info.name

    @property
    def source_framework_key(self) -> str:
        return self.mapping_set.info.source_framework

    @property
    def target_framework_key(self) -> str:
        return self.mapping_set.info.target_framework

    @property
    def project_id(self) -> int:
        """The mapping project it comes from (its key ends in the project's id)."""
        return int(self.key.rsplit("-", 1)[1])


def headers(org: Any = None) -> list[Any]:
    """Every loaded crosswalk dataset, by key (one query), and, given an organization, its
    own reviewed crosswalks: only its own members' transfers go through them."""
    rows: list[Any] = list(catalog.MappingDataset.objects.order_by("key"))
    if org is not None:
        from csfpilot.webapp.mapping.queries import organization_crosswalks

        rows += [OwnCrosswalk(ms) for ms in organization_crosswalks(org)]
    return rows


def mapping_sets(rows: list[Any] | None = None) -> list[MappingSet]:
    """The loaded crosswalks as domain mapping sets (rows read once per process)."""
    out: list[MappingSet] = []
    for ds in rows if rows is not None else headers():
        if isinstance(ds, OwnCrosswalk):
            out.append(ds.mapping_set)
            continue
        key = (ds.key, ds.content_digest)
        found = _sets.get(key)
        if found is None:
            found = _read(ds)
            with _lock:
                _sets[key] = found
        out.append(found)
    return out


def frameworks_by_key(keys: set[str]) -> dict[str, catalog.Framework]:
    return {fw.key: fw for fw in catalog.Framework.objects.filter(key__in=keys)}


def assessable(fw: catalog.Framework) -> OutcomeFramework | None:
    """The outcomes of a framework someone can assess, or None when it has none."""
    try:
        return outcome_framework(fw)
    except CsfpilotError:
        return None


def outcome_sets(frameworks: dict[str, catalog.Framework]) -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for key, fw in frameworks.items():
        found = assessable(fw)
        if found is not None:
            out[key] = frozenset(found.outcomes)
    return out


def reachable(start: str, rows: list[Any]) -> list[str]:
    """Framework keys some chain of loaded datasets leads to from ``start``, by distance."""
    neighbours: dict[str, set[str]] = defaultdict(set)
    for ds in rows:
        neighbours[ds.source_framework_key].add(ds.target_framework_key)
        neighbours[ds.target_framework_key].add(ds.source_framework_key)
    seen = {start}
    order: list[str] = []
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for there in sorted(neighbours[here]):
            if there not in seen:
                seen.add(there)
                order.append(there)
                queue.append(there)
    return order


def target_choices(
    framework_key: str, org: Any = None, rows: list[Any] | None = None
) -> list[tuple[str, str]]:
    """Loaded frameworks a profile on ``framework_key`` can be transferred to (assessable
    ones), through the catalog's crosswalks and ``org``'s own (``rows``: already read)."""
    rows = headers(org) if rows is None else rows
    keys = reachable(framework_key, rows)
    fws = frameworks_by_key(set(keys))
    return [
        (key, f"{fws[key].name} {fws[key].version}".strip())
        for key in keys
        if key in fws and assessable(fws[key]) is not None
    ]


def dataset_choices(org: Any = None, rows: list[Any] | None = None) -> list[tuple[str, str]]:
    return [
        (ds.key, f"{ds.name} ({ds.source_framework_key} ↔ {ds.target_framework_key})")
        for ds in (headers(org) if rows is None else rows)
    ]


def target_framework(key: str) -> catalog.Framework:
    fw = catalog.Framework.objects.filter(key=key).first()
    if fw is None:
        raise NotFound(f"no framework {key!r} is loaded")
    return fw
