"""Checking a profile against the framework it names.

A profile file may name outcome ids that are not assessable: a typo, a
Category instead of a Subcategory, a non-canonical spelling, or a CSF 1.1
outcome that CSF 2.0 withdrew. Each is refused with a message that says what
to write instead; for a withdrawn id that is where NIST moved it, taken from
the withdrawal migration set (dataset ``csf-1.1-to-csf-2.0-withdrawals``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from csfpilot.core.catalog.model import MappingSet
from csfpilot.core.catalog.relationships import Relationship
from csfpilot.core.errors import InputRefused
from csfpilot.core.ids import canonical_code, csf11_canonical
from csfpilot.core.profiles.framework import OutcomeFramework
from csfpilot.core.profiles.model import Profile, Side

WITHDRAWALS_DATASET = "csf-1.1-to-csf-2.0-withdrawals"


@dataclass(frozen=True, slots=True)
class WithdrawnTo:
    """One destination of a withdrawn element."""

    relation: Relationship
    target: str
    reason: str = ""


class WithdrawalIndex:
    """Where each withdrawn element of an earlier release went.

    Built from a migration mapping set whose source side is the old release
    (CSF 1.1, spelled ``ID.AM-1``) and whose target side is the new one.
    Lookups accept the zero-padded CSF 2.0 spelling too (``ID.AM-06``).
    """

    def __init__(self, moves: Mapping[str, Sequence[WithdrawnTo]]) -> None:
        self._moves: Mapping[str, tuple[WithdrawnTo, ...]] = MappingProxyType(
            {k: tuple(v) for k, v in moves.items()}
        )

    @classmethod
    def from_mapping_set(cls, mapping_set: MappingSet) -> WithdrawalIndex:
        moves: dict[str, list[WithdrawnTo]] = {}
        for m in mapping_set.mappings:
            moves.setdefault(m.source, []).append(WithdrawnTo(m.relationship, m.target, m.comment))
        return cls(moves)

    @classmethod
    def empty(cls) -> WithdrawalIndex:
        return cls({})

    def __len__(self) -> int:
        return len(self._moves)

    def lookup(self, code: str) -> tuple[WithdrawnTo, ...]:
        key = csf11_canonical(code) or code
        return self._moves.get(key, ())


def _list(codes: Iterable[str]) -> str:
    return ", ".join(codes)


def refuse_unknown_outcome(
    code: str,
    framework: OutcomeFramework,
    withdrawals: WithdrawalIndex | None = None,
    *,
    element: str | None = None,
    field: str | None = None,
) -> None:
    """Raise :class:`InputRefused` unless ``code`` is an assessable outcome, saying why."""
    if framework.is_outcome(code):
        return
    where = {"element": element if element is not None else code, "field": field}
    moves = (withdrawals or WithdrawalIndex.empty()).lookup(code)
    if moves:
        destinations = _list(m.target for m in moves)
        reason = moves[0].reason or (f"{moves[0].relation.label.capitalize()} {destinations}")
        raise InputRefused(
            f"{code} is not an outcome of {framework.key}: it was withdrawn ({reason}); "
            f"rate {destinations} instead",
            **where,
        )
    canonical = canonical_code(framework.key, code)
    if canonical != code and framework.is_outcome(canonical):
        raise InputRefused(f"write {code!r} as {canonical} (the id as NIST spells it)", **where)
    group = framework.group(canonical)
    if group is not None:
        beneath = framework.outcomes_under(group.code)
        span = f"{beneath[0]} … {beneath[-1]}" if len(beneath) > 1 else _list(beneath)
        raise InputRefused(
            f"{code} is a {group.level}, not an assessable outcome; rate the outcomes "
            f"beneath it ({span})",
            **where,
        )
    raise InputRefused(f"{code} is not an outcome of {framework.key}", **where)


def check_profile(
    profile: Profile,
    framework: OutcomeFramework,
    withdrawals: WithdrawalIndex | None = None,
) -> list[str]:
    """Refuse a profile that names ids its framework cannot assess; return warnings.

    Warnings point at content that is allowed but probably not meant: ratings
    on an outcome that is not included (they are ignored), or an outcome that
    is not applicable on one side but rated on the other.
    """
    if profile.framework != framework.key:
        raise InputRefused(
            f"the profile is written for {profile.framework}, not {framework.key}",
            field="framework",
        )
    for code in profile.outcomes:
        refuse_unknown_outcome(code, framework, withdrawals)
    for i, action in enumerate(profile.actions):
        for j, code in enumerate(action.outcomes):
            if not framework.is_outcome(code):
                try:
                    refuse_unknown_outcome(code, framework, withdrawals)
                except InputRefused as exc:
                    raise InputRefused(
                        f"action {action.id}: {exc.message}", field=f"actions[{i}].outcomes[{j}]"
                    ) from None
    warnings: list[str] = []
    for code in framework.order(profile.outcomes):
        entry = profile.outcomes[code]
        if not entry.included and (entry.current is not None or entry.target is not None):
            warnings.append(f"{code}: not included in the profile, so its ratings are ignored")
            continue
        applicable = {
            side: entry.rating(side).applicable  # type: ignore[union-attr]
            for side in Side
            if entry.rating(side) is not None
        }
        if len(applicable) == 2 and len(set(applicable.values())) == 2:
            na_side = next(s for s, ok in applicable.items() if not ok)
            warnings.append(
                f"{code}: {na_side.value} is not applicable but the other side is rated; "
                "the outcome has no gap"
            )
    return warnings
