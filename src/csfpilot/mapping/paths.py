"""The crosswalk-path scorer: reach target outcomes through published crosswalks.

Every loaded crosswalk dataset is an edge set between elements of two
frameworks; read both ways, they form one graph over every framework csfpilot
knows. A requirement reaches a target outcome when a chain of rows leads from
it to the outcome: directly (an SP 800-53 control that NIST's OLIR maps to a
CSF 2.0 Subcategory), through another framework (a CSF 1.1 Subcategory → its
SP 800-53 controls → their CSF 2.0 outcomes), from the control it enhances
(``AC-2(1)`` has the rows of ``AC-2``), from the controls the catalog lists as
related to it, or from an identifier its text cites
("see NIST SP 800-53 AC-2", "CIS Safeguard 11.2"). Each hop divides the weight
by the square root of the number of rows leaving the element it passes
(an element mapped to everything says little about any one target) and by
:data:`HOP_DECAY` beyond the first; a group reached (a Category) hands its
weight to the outcomes beneath it. The reason names each path and the
datasets it uses.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from csfpilot.core.catalog.model import MappingSet, Node

MAX_HOPS = 3
HOP_DECAY = 0.6
PARENT_WEIGHT = 0.5
CITED_WEIGHT = 0.8
# Controls a catalog lists as related (SP 800-53's "Related Controls"): their rows
# count, shared among them, at this weight.
RELATED_WEIGHT = 0.4

Key = tuple[str, str]  # (framework key, element id)

# Identifiers as requirement texts cite them. SP 800-53: "AC-2", "AC-02(1)", "AC-2 (1)";
# CSF 2.0 "PR.DS-11"; CSF 1.1 "PR.IP-4"; CIS and ISO only after their name, since bare
# numbers ("5.1") are everywhere.
_SP800_53 = re.compile(r"(?<![\w.])([A-Z]{2})-0?(\d{1,2})(?:\s?\(0?(\d{1,2})\))?(?![\w.-])")
_CSF = re.compile(r"\b([A-Z]{2}\.[A-Z]{2}-\d{1,2})\b")
_NAMED_NUMBER = re.compile(
    r"\b(?:CIS(?:\s+Controls?)?(?:\s+v?8(?:\.1)?)?|Safeguard|ISO(?:/IEC)?\s*27001(?::2022)?"
    r"(?:\s+Annex\s+A)?|Annex\s+A)[\s,:]+(A\.)?(\d{1,2}(?:\.\d{1,2}){0,2})\b",
    re.IGNORECASE,
)


def cited_ids(text: str) -> list[str]:
    """The element identifiers a requirement's text names, in a canonical spelling."""
    found: list[str] = []
    for family, number, enhancement in _SP800_53.findall(text):
        found.append(f"{family}-{int(number)}" + (f"({int(enhancement)})" if enhancement else ""))
    found.extend(_CSF.findall(text))
    for match in _NAMED_NUMBER.finditer(text):
        number = match.group(2)
        found.append(number)
        if match.group(1) or "annex" in match.group(0).lower():
            found.append(f"A.{number}")
    return list(dict.fromkeys(found))


@dataclass(frozen=True, slots=True)
class PathHit:
    score: float
    paths: tuple[str, ...]  # the strongest paths, as text, strongest first


@dataclass
class CrosswalkGraph:
    """Every row of the usable datasets as an undirected graph between elements."""

    edges: dict[Key, list[tuple[Key, str]]] = field(default_factory=lambda: defaultdict(list))
    names: dict[str, str] = field(default_factory=dict)  # dataset key → name
    by_code: dict[str, list[Key]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def build(cls, crosswalks: Iterable[MappingSet], exclude: Iterable[str] = ()) -> CrosswalkGraph:
        graph = cls()
        skip = set(exclude)
        seen: set[tuple[Key, Key, str]] = set()
        for dataset in crosswalks:
            info = dataset.info
            if info.key in skip:
                continue
            graph.names[info.key] = info.name
            for row in dataset.mappings:
                a = (info.source_framework, row.source)
                b = (info.target_framework, row.target)
                if (a, b, info.key) in seen:
                    continue
                seen.add((a, b, info.key))
                graph.edges[a].append((b, info.key))
                graph.edges[b].append((a, info.key))
        for key in graph.edges:
            graph.by_code[key[1]].append(key)
        return graph

    def __bool__(self) -> bool:
        return bool(self.edges)


class PathScorer:
    """Walks the crosswalk graph from a requirement to a target framework's outcomes."""

    def __init__(
        self,
        graph: CrosswalkGraph,
        *,
        source_framework: str,
        target_framework: str,
        target_nodes: Sequence[Node],
        candidates: Iterable[str],
    ) -> None:
        self.graph = graph
        self.source = source_framework
        self.target = target_framework
        self.candidates = set(candidates)
        # A group of the target framework hands its weight to the outcomes beneath it.
        beneath: dict[str, list[str]] = defaultdict(list)
        parent_of = {n.code: n.parent for n in target_nodes}
        for code in self.candidates:
            parent = parent_of.get(code)
            while parent is not None:
                beneath[parent].append(code)
                parent = parent_of.get(parent)
        self.beneath: Mapping[str, list[str]] = beneath

    def _starts(self, node: Node, text: str) -> list[tuple[Key, float, str]]:
        starts: list[tuple[Key, float, str]] = []
        if self.source:
            starts.append(((self.source, node.code), 1.0, node.code))
            if node.parent is not None:
                label = f"{node.code} → {node.parent} (the element it belongs to)"
                starts.append(((self.source, node.parent), PARENT_WEIGHT, label))
            related = [str(r) for r in node.props.get("related", ()) if r != node.code]
            for code in related:
                label = f"{node.code} → {code} (related control)"
                weight = RELATED_WEIGHT / math.sqrt(len(related))
                starts.append(((self.source, code), weight, label))
        for code in cited_ids(text):
            if code == node.code:
                continue
            keys = [k for k in self.graph.by_code.get(code, ()) if k[0] != self.source]
            if self.target and code in self.candidates:
                keys.append((self.target, code))
            for key in dict.fromkeys(keys):
                starts.append((key, CITED_WEIGHT / len(keys), f"cites {code}"))
        return starts

    def score(self, node: Node, text: str) -> dict[str, PathHit]:
        totals: dict[str, float] = defaultdict(float)
        paths: dict[str, list[tuple[float, str]]] = defaultdict(list)
        for start, weight, label in self._starts(node, text):
            self._walk(start, weight, label, totals, paths)
        out: dict[str, PathHit] = {}
        for code, score in totals.items():
            best = sorted(paths[code], key=lambda p: -p[0])
            out[code] = PathHit(score, tuple(dict.fromkeys(p for _, p in best))[:3])
        return out

    def _walk(
        self,
        start: Key,
        weight: float,
        label: str,
        totals: dict[str, float],
        paths: dict[str, list[tuple[float, str]]],
    ) -> None:
        if start[0] == self.target:
            self._arrive(start[1], weight, label, totals, paths)
            return
        frontier: list[tuple[Key, float, str, frozenset[Key]]] = [
            (start, weight, label, frozenset({start}))
        ]
        for hop in range(MAX_HOPS):
            following: list[tuple[Key, float, str, frozenset[Key]]] = []
            for key, w, text, visited in frontier:
                out = self.graph.edges.get(key, ())
                if not out:
                    continue
                step = w / math.sqrt(len(out)) * (HOP_DECAY if hop else 1.0)
                for nxt, dataset in out:
                    if nxt in visited:
                        continue
                    path = f"{text} → {nxt[1]} [{dataset}]"
                    if nxt[0] == self.target:
                        self._arrive(nxt[1], step, path, totals, paths)
                    elif nxt[0] != self.source:  # never back through the source's siblings
                        following.append((nxt, step, path, visited | {nxt}))
            frontier = following

    def _arrive(
        self,
        code: str,
        weight: float,
        path: str,
        totals: dict[str, float],
        paths: dict[str, list[tuple[float, str]]],
    ) -> None:
        if code in self.candidates:
            reached = [code]
        else:
            reached = self.beneath.get(code, [])
            if not reached:
                return
            weight /= len(reached)
        for outcome in reached:
            totals[outcome] += weight
            paths[outcome].append((weight, path))
