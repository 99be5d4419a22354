"""BM25 over the target outcomes' documents: the lexical scorer.

BM25 (Robertson and Spärck Jones' probabilistic relevance weighting, as every
search engine ships it) ranks documents by the query terms they contain,
weighting rare terms up and long documents down. A term of the outcome's own
statement counts :data:`STATEMENT_BOOST` times (the statement is what the
outcome *is*; the Implementation Examples and the Category around it only
help to recognise it). The reason it gives is the list of shared terms, the
heaviest first, in the words of the requirement.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from csfpilot.mapping.terms import terms
from csfpilot.mapping.texts import OutcomeDocument

# Tuned on the held-out SP 800-53 → CSF 2.0 crosswalk (bench/mapping_eval.py):
# the requirements are long, so term frequency saturates late.
K1 = 1.6
B = 0.75
STATEMENT_BOOST = 2
CONTEXT_BOOST = 1


@dataclass(frozen=True, slots=True)
class LexicalHit:
    score: float
    shared: tuple[str, ...]  # surface forms from the requirement, heaviest first


class LexicalIndex:
    """A BM25 index of target documents, built once per target framework."""

    def __init__(self, documents: Sequence[OutcomeDocument]) -> None:
        self.codes = [d.code for d in documents]
        self._tf: list[Counter[str]] = []
        df: Counter[str] = Counter()
        for doc in documents:
            tf: Counter[str] = Counter()
            for part, boost in (
                (doc.statement, STATEMENT_BOOST),
                (doc.context, CONTEXT_BOOST),
                *((ex, 1) for ex in doc.examples),
            ):
                for stem, _ in terms(part):
                    tf[stem] += boost
            self._tf.append(tf)
            df.update(tf.keys())
        n = max(len(documents), 1)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        lengths = [sum(tf.values()) for tf in self._tf]
        avg = (sum(lengths) / len(lengths)) if lengths else 1.0
        self._norm = [K1 * (1 - B + B * length / avg) for length in lengths]
        # Postings: term → [(document index, term frequency)], so a query touches
        # only the documents that share one of its terms.
        self._postings: dict[str, list[tuple[int, int]]] = {}
        for i, tf in enumerate(self._tf):
            for t, f in tf.items():
                self._postings.setdefault(t, []).append((i, f))

    def search(self, text: str) -> dict[str, LexicalHit]:
        """Every document sharing a term with ``text``, with its BM25 score."""
        query = terms(text)
        if not query:
            return {}
        surface: dict[str, str] = {}
        weights: Counter[str] = Counter()
        for stem, word in query:
            surface.setdefault(stem, word)
            weights[stem] += 1
        scores: dict[int, float] = {}
        parts: dict[int, list[tuple[float, str]]] = {}
        for stem, qtf in weights.items():
            idf = self._idf.get(stem)
            if idf is None:
                continue
            # A query term said several times counts more, with saturation.
            qweight = (qtf * (K1 + 1)) / (qtf + K1)
            for i, f in self._postings[stem]:
                contribution = idf * qweight * f * (K1 + 1) / (f + self._norm[i])
                scores[i] = scores.get(i, 0.0) + contribution
                parts.setdefault(i, []).append((contribution, surface[stem]))
        out: dict[str, LexicalHit] = {}
        for i, score in scores.items():
            shared = tuple(dict.fromkeys(w for _, w in sorted(parts[i], reverse=True)))
            out[self.codes[i]] = LexicalHit(score, shared)
        return out
