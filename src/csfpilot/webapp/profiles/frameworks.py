"""What a stored framework release tells the profile domain.

The domain asks an :class:`~csfpilot.core.profiles.OutcomeFramework` which
outcomes a profile can assess and how they group; here it is built from the
stored nodes of the profile's framework (the nodes at its outcome level, in
NIST's order), so a later release loaded under its own key is assessed the
same way. A stored release never changes (the catalog refuses new content
under an existing key), so each one is read once per process and kept,
keyed by its content digest.

The same goes for the two crosswalk look-ups profiles need: where a withdrawn
CSF 1.1 outcome went (to refuse it with a hint), and which SP 800-53 controls
NIST maps each outcome to (to suggest controls in the action plan).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from csfpilot.core.catalog.relationships import Relationship
from csfpilot.core.errors import CatalogInvariantError
from csfpilot.core.gaps import natural_key
from csfpilot.core.profiles import (
    WITHDRAWALS_DATASET,
    Group,
    OutcomeFramework,
    WithdrawalIndex,
    WithdrawnTo,
)
from csfpilot.webapp.catalog import models as catalog

CONTROLS_DATASET = "olir-sp800-53r5-5.2.0"
"""NIST's CSF 2.0 → SP 800-53 Rev. 5 crosswalk (OLIR, release 5.2.0): where suggested
controls come from. Other frameworks' outcomes simply get no suggestions."""

_lock = threading.Lock()
_frameworks: dict[tuple[int, str], OutcomeFramework] = {}
_withdrawals: dict[tuple[str, str], WithdrawalIndex] = {}
_controls: dict[tuple[str, str], Mapping[str, tuple[str, ...]]] = {}


def outcome_framework(fw: catalog.Framework) -> OutcomeFramework:
    """The assessable outcomes and groups of a stored release (one query, then cached)."""
    key = (fw.pk, fw.content_digest)
    found = _frameworks.get(key)
    if found is not None:
        return found
    outcome_level = fw.outcome_level or (fw.levels[-1] if fw.levels else "")
    if outcome_level not in fw.levels:
        raise CatalogInvariantError(
            f"{fw.key} has no outcome level to assess (levels: {', '.join(fw.levels)})",
            element=fw.key,
        )
    group_levels = set(fw.levels[: fw.levels.index(outcome_level)])
    outcomes: list[str] = []
    groups: list[Group] = []
    parent_of: dict[str, str] = {}
    texts: dict[str, str] = {}
    rows = (
        catalog.Node.objects.filter(framework=fw, withdrawn=False)
        .order_by("order")
        .values_list("code", "level", "parent__code", "title", "text")
    )
    for code, level, parent, title, text in rows:
        if level == outcome_level:
            outcomes.append(code)
            if parent is not None:
                parent_of[code] = parent
            texts[code] = text or title
        elif level in group_levels:
            groups.append(Group(code, level, parent, title, text))
            texts[code] = title or text
    if not outcomes:
        raise CatalogInvariantError(
            f"{fw.key} has no active {outcome_level} elements to assess", element=fw.key
        )
    built = OutcomeFramework(fw.key, tuple(outcomes), tuple(groups), parent_of, texts)
    with _lock:
        _frameworks[key] = built
    return built


def _dataset_digest(key: str) -> str | None:
    return (
        catalog.MappingDataset.objects.filter(key=key)
        .values_list("content_digest", flat=True)
        .first()
    )


def withdrawals(framework_key: str) -> WithdrawalIndex:
    """Where CSF 1.1's withdrawn outcomes went, when ``framework_key`` is their successor."""
    digest = _dataset_digest(WITHDRAWALS_DATASET)
    if digest is None:
        return WithdrawalIndex.empty()
    cache_key = (framework_key, digest)
    found = _withdrawals.get(cache_key)
    if found is not None:
        return found
    moves: dict[str, list[WithdrawnTo]] = {}
    rows = catalog.Mapping.objects.filter(
        dataset__key=WITHDRAWALS_DATASET, dataset__target_framework_key=framework_key
    ).order_by("id")
    for source, target, relationship, comment in rows.values_list(
        "source_code", "target_code", "relationship", "comment"
    ):
        moves.setdefault(source, []).append(
            WithdrawnTo(Relationship(relationship), target, comment)
        )
    index = WithdrawalIndex(moves)
    with _lock:
        _withdrawals[cache_key] = index
    return index


def suggested_controls(framework_key: str) -> Mapping[str, tuple[str, ...]]:
    """Outcome id → SP 800-53 control ids NIST maps it to, sorted naturally (``AC-2`` < ``AC-10``).

    Empty when the crosswalk is not loaded or does not start at ``framework_key``.
    """
    digest = _dataset_digest(CONTROLS_DATASET)
    if digest is None:
        return {}
    cache_key = (framework_key, digest)
    found = _controls.get(cache_key)
    if found is not None:
        return found
    grouped: dict[str, set[str]] = {}
    rows = catalog.Mapping.objects.filter(
        dataset__key=CONTROLS_DATASET, dataset__source_framework_key=framework_key
    ).values_list("source_code", "target_code")
    for source, target in rows:
        grouped.setdefault(source, set()).add(target)
    out = {k: tuple(sorted(v, key=natural_key)) for k, v in grouped.items()}
    with _lock:
        _controls[cache_key] = out
    return out
