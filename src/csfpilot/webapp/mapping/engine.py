"""The one place the web app calls the mapping assistant (:mod:`csfpilot.mapping`).

The assistant is imported only here and only when proposals are made, so that
a web process that never makes proposals never loads its text model. What it
returns is plain data (:class:`Proposal`), which is all the rest of the app sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from csfpilot.core.catalog import Catalog, MappingSet
from csfpilot.core.profiles.framework import OutcomeFramework


@dataclass(frozen=True)
class Candidate:
    id: str
    score: float
    reasons: tuple[tuple[str, str], ...]  # (kind, detail)


@dataclass(frozen=True)
class Proposal:
    source: str
    candidates: tuple[Candidate, ...]


def assessable(catalog: Catalog) -> list[str]:
    """The framework's assessable requirements (what a profile on it would rate), in order."""
    return list(OutcomeFramework.from_catalog(catalog).outcomes)


def propose(
    source: Catalog,
    target: Catalog,
    *,
    crosswalks: Sequence[MappingSet] = (),
    top: int = 5,
    method: str = "combined",
    only: Sequence[str] | None = None,
) -> list[Proposal]:
    """The assistant's best ``top`` targets for each assessable requirement of ``source``."""
    from csfpilot.mapping import suggest

    # Whole catalogs: their keys place the requirements in the crosswalk graph, and their
    # outcome levels say which elements are assessed.
    found = suggest(source, target, crosswalks=tuple(crosswalks), top=top, method=method)
    if only is not None:
        wanted = set(only)
        found = [s for s in found if s.source in wanted]
    return [
        Proposal(
            source=s.source,
            candidates=tuple(
                Candidate(
                    id=c.id,
                    score=float(c.score),
                    reasons=tuple((r.kind, r.detail) for r in c.reasons),
                )
                for c in s.suggestions
            ),
        )
        for s in found
    ]
