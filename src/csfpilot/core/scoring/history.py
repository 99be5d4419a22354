"""History: comparing profiles and snapshots, and score trends over time.

A snapshot is an immutable, dated copy of a profile
(:meth:`~csfpilot.core.profiles.Profile.snapshot_of`). Any two profiles or
snapshots can be compared — what changed field by field, and how every score
moved — and a series of snapshots gives a trend line per Function, Category
or for the whole profile. Scores compare across scales because they are
normalized; level keys in the change list stay as written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from csfpilot.core.profiles.changes import Change, profile_changes
from csfpilot.core.profiles.framework import OutcomeFramework
from csfpilot.core.profiles.model import Profile
from csfpilot.core.scoring.rollup import NodeScore, ProfileScores, percent, score_profile


def _delta(before: Fraction | None, after: Fraction | None) -> Fraction | None:
    if before is None or after is None:
        return None
    return after - before


@dataclass(frozen=True, slots=True)
class ScoreDelta:
    """How one node's scores moved from ``before`` to ``after`` (None = not assessed)."""

    code: str
    level: str
    title: str
    current_before: Fraction | None
    current_after: Fraction | None
    target_before: Fraction | None
    target_after: Fraction | None

    @property
    def current_delta(self) -> Fraction | None:
        return _delta(self.current_before, self.current_after)

    @property
    def target_delta(self) -> Fraction | None:
        return _delta(self.target_before, self.target_after)

    @property
    def changed(self) -> bool:
        return (self.current_before, self.target_before) != (
            self.current_after,
            self.target_after,
        )

    def as_percent(self) -> dict[str, float | None]:
        return {
            "current_before": percent(self.current_before),
            "current_after": percent(self.current_after),
            "current_delta": percent(self.current_delta),
            "target_before": percent(self.target_before),
            "target_after": percent(self.target_after),
            "target_delta": percent(self.target_delta),
        }


def _pair(code: str, level: str, a: NodeScore, b: NodeScore) -> ScoreDelta:
    return ScoreDelta(
        code, level, b.title, a.current.score, b.current.score, a.target.score, b.target.score
    )


def score_deltas(before: ProfileScores, after: ProfileScores) -> list[ScoreDelta]:
    """Profile row first, then every group in document order."""
    out = [_pair("", before.profile.level, before.profile, after.profile)]
    for a, b in zip(before.groups, after.groups, strict=True):
        out.append(_pair(a.code, a.level, a, b))
    return out


def label_of(profile: Profile) -> str:
    """How a profile is named in a comparison: its snapshot label and date, or its name."""
    if profile.snapshot is None:
        return profile.name
    taken = profile.snapshot.taken.isoformat(timespec="minutes")
    return f"{profile.snapshot.label} ({taken})" if profile.snapshot.label else taken


@dataclass(frozen=True)
class Comparison:
    """Two profiles side by side: field changes and score deltas."""

    before: str
    after: str
    changes: tuple[Change, ...]
    deltas: tuple[ScoreDelta, ...]

    @property
    def changed_outcomes(self) -> list[str]:
        seen = dict.fromkeys(c.element for c in self.changes if c.element and " " not in c.element)
        return list(seen)


def compare_profiles(before: Profile, after: Profile, framework: OutcomeFramework) -> Comparison:
    changes = profile_changes(before, after, order=list(framework.outcomes))
    deltas = score_deltas(score_profile(before, framework), score_profile(after, framework))
    return Comparison(label_of(before), label_of(after), tuple(changes), tuple(deltas))


@dataclass(frozen=True)
class TrendPoint:
    """The scores of one snapshot (``taken`` is None for a live profile: "now")."""

    taken: datetime | None
    label: str
    scores: ProfileScores


def trend(profiles: Sequence[Profile], framework: OutcomeFramework) -> list[TrendPoint]:
    """Scores over time, oldest first; live (non-snapshot) profiles come last, in given order."""
    dated = sorted(
        (p for p in profiles if p.snapshot is not None),
        key=lambda p: p.snapshot.taken,  # type: ignore[union-attr]
    )
    live = [p for p in profiles if p.snapshot is None]
    return [
        TrendPoint(
            p.snapshot.taken if p.snapshot else None,
            label_of(p),
            score_profile(p, framework),
        )
        for p in [*dated, *live]
    ]
