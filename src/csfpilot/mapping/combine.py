"""How the three scorers' evidence becomes one ranked list with one score.

Each scorer's raw values live on their own scale (BM25 sums, path weights,
cosines), so each is first brought to [0, 1] for the requirement at hand:
BM25 and path weights relative to the best target of that requirement,
cosines relative to the span between the median target (what any text scores)
and the best one. The combined score is their weighted sum; the weights
(:data:`WEIGHTS`) were tuned on the held-out evaluation in
``bench/mapping_eval.py`` (docs/mapping-assistant.md has the figures). A path
through a published crosswalk is the strongest evidence a reviewer can check,
so it weighs most; the lexical and semantic scorers order the rest. The
review-and-improvement signal (:mod:`.cycle`) joins with its own weight only
for a requirement it fires for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from csfpilot.mapping.cycle import REASON as CYCLE_REASON
from csfpilot.mapping.lexical import LexicalHit
from csfpilot.mapping.paths import PathHit

if TYPE_CHECKING:
    import numpy as np

METHODS = ("combined", "lexical", "semantic", "crosswalk")
WEIGHTS = {"terms": 0.3, "crosswalk-path": 0.6, "semantic": 0.2}
# A requirement to review and update something (:mod:`.cycle`) lends the improvement
# outcomes this weight. Tuned on SP 800-53 → CSF 2.0 alone: the only held-out
# crosswalk whose requirements say so (0.1 to 0.5 all reach recall@10 ≥ 0.58 there;
# the smallest weight that clears the target with a margin was kept).
CYCLE_WEIGHT = 0.2
# Crosswalks tend to map a requirement to several outcomes of one Category: in the
# combined ranking each outcome gains this share of its Category's mean score.
GROUP_SMOOTHING = 0.6
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
    cycle: Mapping[str, float] | None = None,
    groups: Sequence[str] = (),
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
        weights = dict(WEIGHTS)
        # Only a requirement the signal fired for counts its weight in the ceiling, so
        # every other requirement's scores stay as they were.
        if cycle:
            weights["review-cycle"] = CYCLE_WEIGHT
            for code, value in cycle.items():
                parts.setdefault(code, {})["review-cycle"] = value
    else:
        kind = {"lexical": "terms", "crosswalk": "crosswalk-path", "semantic": "semantic"}[method]
        weights = {kind: 1.0}
    index = {code: i for i, code in enumerate(codes)}
    base = {code: sum(weights.get(k, 0.0) * v for k, v in p.items()) for code, p in parts.items()}
    boost: dict[str, float] = {}
    if method == "combined" and groups:
        totals: dict[str, float] = {}
        sizes: dict[str, int] = {}
        for code, group in zip(codes, groups, strict=True):
            sizes[group] = sizes.get(group, 0) + 1
            totals[group] = totals.get(group, 0.0) + base.get(code, 0.0)
        boost = {
            code: GROUP_SMOOTHING * totals[groups[index[code]]] / sizes[groups[index[code]]]
            for code in base
        }
    # Scores stay in [0, 1]: the most any target can gather is every weight in full,
    # smoothed by a Category whose every outcome has it too.
    ceiling = sum(weights.values()) * (1 + (GROUP_SMOOTHING if boost else 0.0))
    scored = sorted(
        ((base[code] + boost.get(code, 0.0)) / ceiling, index[code], code) for code in base
    )
    scored.sort(key=lambda t: (-t[0], t[1]))
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
        if "review-cycle" in parts[code]:
            reasons.append(("review-cycle", CYCLE_REASON))
        ranked.append((code, round(min(score, 1.0), 4), reasons))
    return ranked
