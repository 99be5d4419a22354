"""How the three scorers' evidence becomes one ranked list with one score.

Each scorer's raw values live on their own scale (BM25 sums, path weights,
cosines), so each is first brought to [0, 1] for the requirement at hand:
BM25 and path weights relative to the best target of that requirement,
cosines relative to the span between the median target (what any text scores)
and the best one. The combined score is their weighted sum; the weights
(:data:`WEIGHTS`) were tuned on the held-out evaluation in
``bench/mapping_eval.py`` (docs/mapping-assistant.md has the figures). A path
through a published crosswalk is the strongest evidence a reviewer can check,
so it weighs most; the lexical and semantic scorers order the rest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from csfpilot.mapping.lexical import LexicalHit
from csfpilot.mapping.paths import PathHit

if TYPE_CHECKING:
    import numpy as np

METHODS = ("combined", "lexical", "semantic", "crosswalk")
WEIGHTS = {"terms": 0.3, "crosswalk-path": 0.4, "semantic": 0.3}
SHOWN_TERMS = 6

Ranked = list[tuple[str, float, list[tuple[str, str]]]]


def _semantic_norm(similarities: np.ndarray) -> np.ndarray:
    import numpy as np

    floor = float(np.median(similarities))
    span = float(similarities.max()) - floor
    if span <= 0:
        return np.zeros_like(similarities)
    return np.clip((similarities - floor) / span, 0.0, 1.0)


def combine(
    method: str,
    codes: Sequence[str],
    *,
    lexical: Mapping[str, LexicalHit],
    paths: Mapping[str, PathHit],
    similarities: np.ndarray | None,
    top: int,
) -> Ranked:
    """The ``top`` targets for one requirement, each with its score and reasons."""
    parts: dict[str, dict[str, float]] = {}
    if method in ("lexical", "combined") and lexical:
        best = max(h.score for h in lexical.values())
        for code, hit in lexical.items():
            parts.setdefault(code, {})["terms"] = hit.score / best
    if method in ("crosswalk", "combined") and paths:
        best = max(h.score for h in paths.values())
        for code, hit in paths.items():
            parts.setdefault(code, {})["crosswalk-path"] = hit.score / best
    sims = None
    if method in ("semantic", "combined") and similarities is not None:
        sims = similarities
        norm = _semantic_norm(similarities)
        for i, code in enumerate(codes):
            if norm[i] > 0:
                parts.setdefault(code, {})["semantic"] = float(norm[i])
    if method == "combined":
        weights = WEIGHTS
    else:
        kind = {"lexical": "terms", "crosswalk": "crosswalk-path", "semantic": "semantic"}[method]
        weights = {kind: 1.0}
    index = {code: i for i, code in enumerate(codes)}
    scored = sorted(
        (
            (sum(weights.get(k, 0.0) * v for k, v in p.items()), index[code], code)
            for code, p in parts.items()
        ),
        key=lambda t: (-t[0], t[1]),
    )
    ranked: Ranked = []
    for score, i, code in scored[:top]:
        if score <= 0:
            break
        reasons: list[tuple[str, str]] = []
        if "crosswalk-path" in parts[code] and code in paths:
            reasons.extend(("crosswalk-path", p) for p in paths[code].paths)
        if "terms" in parts[code] and code in lexical:
            shown = ", ".join(lexical[code].shared[:SHOWN_TERMS])
            reasons.append(("terms", f"shared terms: {shown}"))
        if "semantic" in parts[code] and sims is not None:
            reasons.append(("semantic", f"semantic similarity {float(sims[i]):.2f}"))
        ranked.append((code, round(min(score, 1.0), 4), reasons))
    return ranked
