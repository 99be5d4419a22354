"""The mapping assistant: propose target outcomes for the requirements of any framework.

Given the requirements of a framework that has no crosswalk to CSF 2.0 yet (a
new regulation, a customer's supplier requirements, a sector's statements in
Traditional Chinese), :func:`suggest` proposes for each requirement the target
outcomes it most likely maps to, each with a score in [0, 1] and the reasons
behind it. It proposes; a person decides: nothing here writes a crosswalk.

Three scorers and one signal, each giving its own kind of reason (:class:`Reason.kind`):

- ``"terms"`` — BM25 over the target outcomes' statements, their Category and
  Function, and NIST's Implementation Examples (:mod:`.lexical`); the reason
  lists the shared terms ("shared terms: backup, restore").
- ``"crosswalk-path"`` — chains of published crosswalk rows from the
  requirement, the element it belongs to, or an identifier its text cites, to the
  target (:mod:`.paths`); the reason names the path and the datasets.
- ``"semantic"`` — cosine similarity of multilingual sentence embeddings from
  a small model that runs offline on CPU (:mod:`.semantic`).
- ``"review-cycle"`` — in the combination only: a requirement that asks to
  review and update something meets the outcomes about improvement
  (:mod:`.cycle`).

``method`` picks one (``"lexical"``, ``"crosswalk"``, ``"semantic"``) or their
weighted combination (``"combined"``, the default; weights in :mod:`.combine`).

The interface, in terms of the catalog model (:mod:`csfpilot.core.catalog.model`)::

    Reason(kind: str, detail: str)
    Candidate(id: str, score: float, reasons: tuple[Reason, ...])
    Suggestion(source: str, suggestions: tuple[Candidate, ...])

    suggest(source_elements, target_elements, *, crosswalks=(), top=5,
            method="combined", exclude_datasets=()) -> list[Suggestion]

``source_elements`` and ``target_elements`` are each a
:class:`~csfpilot.core.catalog.model.Catalog` (preferred: its key places the
elements in the crosswalk graph and its outcome level says which elements are
assessed) or any iterable of :class:`~csfpilot.core.catalog.model.Node`
(then give ``source_framework``/``target_framework`` for crosswalk paths).
Suggestions come for every assessable source element
(:func:`.texts.assessable`), in document order; targets are the target
framework's outcomes, their groups serving as context. ``crosswalks`` are
:class:`~csfpilot.core.catalog.model.MappingSet` objects; those whose key is in
``exclude_datasets`` are not used. :class:`Assistant` keeps the prepared target
side for answering many requests (one requirement at a time, as a review page
does); :func:`prepared` keeps one per set of inputs for the life of the process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from csfpilot.core.catalog.model import Catalog, MappingSet, Node
from csfpilot.core.errors import InputRefused
from csfpilot.mapping.combine import METHODS, combine
from csfpilot.mapping.cycle import ReviewCycle
from csfpilot.mapping.lexical import LexicalIndex
from csfpilot.mapping.paths import CrosswalkGraph, PathScorer
from csfpilot.mapping.texts import (
    OutcomeDocument,
    assessable,
    outcome_documents,
    query_text,
    requirement_text,
    target_outcomes,
)

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "METHODS",
    "Assistant",
    "Candidate",
    "Reason",
    "Suggestion",
    "as_json",
    "assessable",
    "prepared",
    "suggest",
]


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a target was proposed: ``kind`` is "terms", "crosswalk-path", "semantic" or
    "review-cycle"."""

    kind: str
    detail: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """One proposed target element with its score in [0, 1] and its reasons."""

    id: str
    score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """The proposals for one source requirement, best first."""

    source: str
    suggestions: tuple[Candidate, ...]


class Assistant:
    """The target side prepared once: lexical index, crosswalk graph, outcome vectors.

    Preparing costs a few hundred milliseconds (and, for the semantic scorer, the
    model's one-off load and the outcome vectors, cached on disk); each
    :meth:`suggest_for` call afterwards is a few milliseconds of lexical and
    path scoring plus one sentence embedding.
    """

    def __init__(
        self,
        target_elements: Catalog | Iterable[Node],
        *,
        crosswalks: Iterable[MappingSet] = (),
        exclude_datasets: Iterable[str] = (),
        source_framework: str = "",
        target_framework: str = "",
        method: str = "combined",
    ) -> None:
        if method not in METHODS:
            raise InputRefused(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
        self.method = method
        if isinstance(target_elements, Catalog):
            target_framework = target_framework or target_elements.info.key
            outcome_level = target_elements.info.outcome_level
            nodes: Sequence[Node] = target_elements.nodes
        else:
            nodes = list(target_elements)
            outcome_level = ""
        self.target_framework = target_framework
        self.source_framework = source_framework
        self.targets = target_outcomes(nodes, outcome_level)
        if not self.targets:
            raise InputRefused("the target framework has no outcomes to map to")
        self.documents = outcome_documents(nodes, self.targets)
        # Each outcome's group (its Category), by position: for the group smoothing.
        self.groups = [n.parent or "" for n in self.targets]
        self.lexical = LexicalIndex(self.documents)
        self.cycle = ReviewCycle(self.documents)
        self.graph = CrosswalkGraph.build(crosswalks, exclude_datasets)
        self.paths = PathScorer(
            self.graph,
            source_framework=source_framework,
            target_framework=target_framework,
            target_nodes=nodes,
            candidates=[n.code for n in self.targets],
        )
        self._vectors = None
        if method in ("semantic", "combined"):
            self._semantic_ready()

    def _semantic_ready(self) -> None:
        from csfpilot.mapping import semantic

        self.encoder = semantic.model()
        self._vectors = semantic.embed_targets(
            self.encoder, [semantic_text(d) for d in self.documents]
        )

    def _query_vectors(self, texts: list[str], queries: list[str]) -> np.ndarray:
        """A requirement's vector: the mean of its statement's and its statement-with-guidance's.

        One batch for both: the guidance adds the subject's vocabulary, the plain
        statement keeps a long discussion from drowning what is required.
        """
        import numpy as np

        both = self.encoder.encode([*texts, *queries])
        n = len(texts)
        mean = both[:n] + both[n:]
        return mean / np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)

    def suggest_for(self, node: Node, *, top: int = 5) -> Suggestion:
        """The ``top`` targets for one requirement."""
        return self.suggest_many([node], top=top)[0]

    def suggest_many(self, nodes: Sequence[Node], *, top: int = 5) -> list[Suggestion]:
        if top < 1:
            raise InputRefused("top must be at least 1")
        texts = [requirement_text(n) for n in nodes]
        queries = [query_text(n) for n in nodes]
        similarities = None
        if self._vectors is not None and nodes:
            similarities = self._query_vectors(texts, queries) @ self._vectors.T
        out: list[Suggestion] = []
        codes = [d.code for d in self.documents]
        for i, (node, text) in enumerate(zip(nodes, texts, strict=True)):
            ranked = combine(
                self.method,
                codes,
                lexical=self.lexical.search(queries[i]) if self.method != "crosswalk" else {},
                paths=self.paths.score(node, text) if self.method != "semantic" else {},
                similarities=None if similarities is None else similarities[i],
                cycle=self.cycle.score(text) if self.method == "combined" else None,
                groups=self.groups,
                top=top,
            )
            out.append(
                Suggestion(
                    source=node.code,
                    suggestions=tuple(
                        Candidate(code, score, tuple(Reason(k, d) for k, d in reasons))
                        for code, score, reasons in ranked
                    ),
                )
            )
        return out


def semantic_text(doc: OutcomeDocument) -> str:
    """What the model reads of an outcome: its statement, then its Implementation Examples.

    Measured on the held-out crosswalks, the examples help the model more than the
    Category's words, which every outcome of the Category shares.
    """
    return ". ".join((doc.statement, *doc.examples))


_PREPARED: dict[tuple[object, ...], Assistant] = {}
_PREPARED_MAX = 4
_prepared_lock = threading.Lock()


def prepared(
    target: Catalog,
    *,
    crosswalks: Sequence[MappingSet] = (),
    exclude_datasets: Iterable[str] = (),
    source_framework: str = "",
    method: str = "combined",
) -> Assistant:
    """An :class:`Assistant` kept by the process for the same inputs (a server answering
    one requirement per request prepares the target side once, not per request).

    Keyed by the content digests of the target catalog and of every crosswalk, so an
    edited crosswalk or a new catalog release gets a fresh one; the last few are kept.
    """
    key = (
        target.content_digest(),
        tuple(sorted(ms.content_digest() for ms in crosswalks)),
        tuple(sorted(exclude_datasets)),
        source_framework,
        method,
    )
    with _prepared_lock:
        found = _PREPARED.get(key)
    if found is not None:
        return found
    made = Assistant(
        target,
        crosswalks=crosswalks,
        exclude_datasets=key[2],
        source_framework=source_framework,
        method=method,
    )
    with _prepared_lock:
        while len(_PREPARED) >= _PREPARED_MAX:
            _PREPARED.pop(next(iter(_PREPARED)))
        _PREPARED[key] = made
    return made


def as_json(suggestions: Iterable[Suggestion]) -> list[dict[str, object]]:
    """The JSON shape the CLI prints (and an API should answer), in rank order:
    ``[{"source": id, "suggestions": [{"id", "score", "reasons": [{"kind", "detail"}]}]}]``."""
    return [
        {
            "source": s.source,
            "suggestions": [
                {
                    "id": c.id,
                    "score": c.score,
                    "reasons": [{"kind": r.kind, "detail": r.detail} for r in c.reasons],
                }
                for c in s.suggestions
            ],
        }
        for s in suggestions
    ]


def suggest(
    source_elements: Catalog | Iterable[Node],
    target_elements: Catalog | Iterable[Node],
    *,
    crosswalks: Iterable[MappingSet] = (),
    top: int = 5,
    method: str = "combined",
    exclude_datasets: Iterable[str] = (),
    source_framework: str = "",
    target_framework: str = "",
) -> list[Suggestion]:
    """Propose the ``top`` target outcomes for each assessable source requirement."""
    if isinstance(source_elements, Catalog):
        source_framework = source_framework or source_elements.info.key
    sources = assessable(source_elements)
    assistant = Assistant(
        target_elements,
        crosswalks=crosswalks,
        exclude_datasets=exclude_datasets,
        source_framework=source_framework,
        target_framework=target_framework,
        method=method,
    )
    return assistant.suggest_many(sources, top=top)
