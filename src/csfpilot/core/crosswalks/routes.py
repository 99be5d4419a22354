"""Which crosswalk datasets lead from one framework to another.

A dataset relates the elements of two framework releases and can be read
either way (a CSF 2.0 → SP 800-53 dataset also takes an SP 800-53 assessment
to CSF 2.0, each relationship read from the other side). A *route* is the
list of datasets a rating travels through, each in the direction it is read:
one dataset, or a chain such as ISO/IEC 27001 → SP 800-53 → CSF 2.0.

:func:`find_route` picks the shortest chain automatically; where two
frameworks are joined by several datasets (two releases of NIST's SP 800-53
crosswalk, a family-level concept crosswalk), it takes the one whose rows
land on (nearly) the most assessable outcomes at both ends, then the one with
the most set relationships, then the newest version. :func:`route_through` checks a chain
the user names instead.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from csfpilot.core.catalog.model import MappingSet
from csfpilot.core.catalog.relationships import Relationship
from csfpilot.core.errors import InputRefused, NotFound


@dataclass(frozen=True, slots=True)
class Hop:
    """One dataset read in one direction: ``forward`` is source → target as published."""

    dataset: MappingSet
    forward: bool

    @property
    def key(self) -> str:
        return self.dataset.info.key

    @property
    def from_framework(self) -> str:
        info = self.dataset.info
        return info.source_framework if self.forward else info.target_framework

    @property
    def to_framework(self) -> str:
        info = self.dataset.info
        return info.target_framework if self.forward else info.source_framework

    def edges(self) -> list[tuple[str, str, Relationship]]:
        """The rows as (from, to, relationship) in the direction of travel."""
        if self.forward:
            return [(m.source, m.target, m.relationship) for m in self.dataset.mappings]
        return [(m.target, m.source, m.relationship.inverse()) for m in self.dataset.mappings]


@dataclass(frozen=True, slots=True)
class Route:
    """The datasets from the assessed framework to the target one, in order."""

    source: str
    target: str
    hops: tuple[Hop, ...]

    @property
    def dataset_keys(self) -> tuple[str, ...]:
        return tuple(h.key for h in self.hops)

    def describe(self) -> str:
        """``csf-2.0 → sp800-53r5 (olir-sp800-53r5-5.2.0)``, one arrow per hop."""
        parts = [self.source]
        for hop in self.hops:
            parts.append(f"→ {hop.to_framework} ({hop.key})")
        return " ".join(parts)


def _landing(ms: MappingSet, outcomes: Mapping[str, frozenset[str]]) -> int:
    """Rows whose two ends are outcomes someone can assess (all rows when unknown)."""
    src = outcomes.get(ms.info.source_framework)
    dst = outcomes.get(ms.info.target_framework)
    return sum(
        1
        for m in ms.mappings
        if (src is None or m.source in src) and (dst is None or m.target in dst)
    )


def _version(text: str) -> tuple[tuple[int, object], ...]:
    # "5.10.0" after "5.2.0": numbers compare as numbers
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.\-_ ]", text))


def _pick(candidates: list[MappingSet], outcomes: Mapping[str, frozenset[str]]) -> MappingSet:
    """Among datasets joining the same two frameworks: the useful ones, then the newest.

    A dataset is useful when it lands on at least 90% as many assessable
    outcomes as the best one (NIST's newer SP 800-53 release of the crosswalk
    names a few new ids and must not lose to the older one for that); among
    those, the most set relationships win, then the newest version, then the key.
    """
    landing = {ms.info.key: _landing(ms, outcomes) for ms in candidates}
    best = max(landing.values())
    useful = [ms for ms in candidates if landing[ms.info.key] * 10 >= best * 9]

    def rank(ms: MappingSet) -> tuple[int, tuple[tuple[int, object], ...], str]:
        with_sets = sum(1 for m in ms.mappings if m.relationship is not Relationship.RELATED_TO)
        return (with_sets, _version(ms.info.version), ms.info.key)

    return max(useful, key=rank)


def find_route(
    datasets: Sequence[MappingSet],
    source: str,
    target: str,
    *,
    outcomes: Mapping[str, frozenset[str]] | None = None,
) -> Route:
    """The shortest chain of datasets from ``source`` to ``target`` framework.

    ``outcomes`` gives, per framework key, the ids an organization can assess
    there; it steers the choice between datasets that join the same two
    frameworks. :class:`NotFound` names the frameworks that can be reached
    when none leads to ``target``.
    """
    if source == target:
        raise InputRefused(
            f"the profile is already on {source}; pick another framework", field="to"
        )
    by_pair: dict[frozenset[str], list[MappingSet]] = {}
    for ms in datasets:
        a, b = ms.info.source_framework, ms.info.target_framework
        if a != b:
            by_pair.setdefault(frozenset((a, b)), []).append(ms)
    neighbours: dict[str, list[tuple[str, MappingSet]]] = {}
    for candidates in by_pair.values():
        ms = _pick(candidates, outcomes or {})
        a, b = ms.info.source_framework, ms.info.target_framework
        neighbours.setdefault(a, []).append((b, ms))
        neighbours.setdefault(b, []).append((a, ms))
    came_from: dict[str, tuple[str, MappingSet] | None] = {source: None}
    queue = deque([source])
    while queue:
        here = queue.popleft()
        if here == target:
            break
        for there, ms in sorted(neighbours.get(here, []), key=lambda n: n[0]):
            if there not in came_from:
                came_from[there] = (here, ms)
                queue.append(there)
    if target not in came_from:
        reachable = sorted(k for k in came_from if k != source)
        raise NotFound(
            f"no crosswalk leads from {source} to {target}; reachable: "
            f"{', '.join(reachable) or 'none'}"
        )
    hops: list[Hop] = []
    at = target
    while (step := came_from[at]) is not None:
        previous, ms = step
        hops.append(Hop(ms, ms.info.source_framework == previous))
        at = previous
    return Route(source, target, tuple(reversed(hops)))


def route_through(
    datasets: Sequence[MappingSet], source: str, target: str, via: Sequence[str]
) -> Route:
    """The chain the user named (dataset keys in order), each read in the direction that fits.

    Refused with the reason when a dataset is unknown or does not continue
    from the framework the previous one ended on.
    """
    if not via:
        raise InputRefused("name at least one crosswalk dataset", field="via")
    by_key = {ms.info.key: ms for ms in datasets}
    hops: list[Hop] = []
    at = source
    for i, key in enumerate(via):
        ms = by_key.get(key)
        if ms is None:
            raise NotFound(f"no crosswalk dataset {key!r}; known: {', '.join(sorted(by_key))}")
        if ms.info.source_framework == at:
            hop = Hop(ms, True)
        elif ms.info.target_framework == at:
            hop = Hop(ms, False)
        else:
            raise InputRefused(
                f"{key} joins {ms.info.source_framework} and {ms.info.target_framework}, "
                f"but the chain is at {at}",
                field=f"via[{i}]",
            )
        hops.append(hop)
        at = hop.to_framework
    if at != target:
        raise InputRefused(
            f"the datasets lead to {at}, not to {target}; add one that continues to {target}",
            field="via",
        )
    return Route(source, target, tuple(hops))


def chain_order(datasets: Sequence[MappingSet], source: str, keys: Sequence[str]) -> list[str]:
    """The named datasets put in the order that chains them from ``source`` onwards.

    A person picks datasets from a list, in no particular order; each step
    takes the named dataset that continues from where the chain is. Keys that
    fit nowhere stay at the end, in the order given, for
    :func:`route_through` to refuse with its reason.
    """
    by_key = {ms.info.key: ms for ms in datasets}
    left = list(dict.fromkeys(keys))
    ordered: list[str] = []
    at = source
    while True:
        step = next(
            (
                k
                for k in left
                if k in by_key
                and at in (by_key[k].info.source_framework, by_key[k].info.target_framework)
            ),
            None,
        )
        if step is None:
            break
        left.remove(step)
        ordered.append(step)
        info = by_key[step].info
        at = info.target_framework if info.source_framework == at else info.source_framework
    return ordered + left
