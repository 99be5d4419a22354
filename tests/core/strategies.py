"""Hypothesis strategies for profiles: random but always valid CSF 2.0 profiles."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from fractions import Fraction

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from csfpilot.core.profiles import (
    MATURITY,
    STATUS,
    Action,
    ActionStatus,
    Implementation,
    Level,
    OutcomeEntry,
    Priority,
    Profile,
    ProfileKind,
    RollUp,
    Scale,
    Scope,
    ScopeType,
    SnapshotInfo,
    Tier,
    TierRating,
    Tiers,
    csf_2_0,
)

OUTCOMES = csf_2_0().outcomes

# Any text a person could type, including newlines, tabs, quotes, emoji and CJK;
# surrogates are not characters and cannot be stored in UTF-8.
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
short_texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
names = texts.filter(lambda s: s.strip() != "")
priorities = st.none() | st.sampled_from(list(Priority))


@st.composite
def custom_scales(draw: st.DrawFn) -> Scale:
    count = draw(st.integers(min_value=1, max_value=6))
    raw_keys = draw(
        st.lists(
            st.one_of(
                st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True),
                st.integers(min_value=-3, max_value=99),
            ),
            min_size=count,
            max_size=count,
            unique=True,
        )
    )
    levels = []
    for i, key in enumerate(raw_keys):
        score = draw(
            st.none()
            | st.fractions(min_value=0, max_value=1, max_denominator=12)
            | st.sampled_from([Fraction(1, 10), Fraction(1, 8), Fraction(0), Fraction(1)])
        )
        if i == 0 and score is None:
            score = Fraction(1, 2)
        levels.append(Level(key, draw(short_texts) or str(key), score, "", draw(short_texts)))
    key = draw(
        st.from_regex(r"[a-z][a-z0-9-]{2,12}", fullmatch=True).filter(
            lambda k: k not in ("status", "maturity")
        )
    )
    return Scale(key, draw(short_texts) or key, tuple(levels), draw(short_texts))


scales = st.sampled_from([STATUS, MATURITY]) | custom_scales()


@st.composite
def implementations(draw: st.DrawFn) -> Implementation:
    if draw(st.booleans()):
        return Implementation()
    return Implementation(
        policies=draw(texts),
        practices=draw(texts),
        roles=draw(texts),
        references=tuple(draw(st.lists(short_texts, max_size=3))),
        evidence=tuple(draw(st.lists(short_texts, max_size=3))),
    )


def entries(code: str, scale: Scale, community: bool) -> st.SearchStrategy[OutcomeEntry]:
    levels = st.none() | st.sampled_from(scale.levels)
    return st.builds(
        OutcomeEntry,
        outcome=st.just(code),
        included=st.booleans(),
        rationale=texts,
        priority=priorities,
        current=st.none() if community else levels,
        target=levels,
        owner=short_texts,
        notes=texts,
        considerations=texts,
        current_priority=st.none() if community else priorities,
        current_details=st.just(Implementation()) if community else implementations(),
        target_details=implementations(),
    )


tiers_ = st.none() | st.sampled_from(list(Tier))


@st.composite
def tier_ratings(draw: st.DrawFn, community: bool) -> TierRating:
    return TierRating(
        current=None if community else draw(tiers_),
        target=draw(tiers_),
        current_rationale="" if community else draw(texts),
        target_rationale=draw(texts),
    )


@st.composite
def actions(draw: st.DrawFn, outcome_ids: list[str]) -> tuple[Action, ...]:
    ids = draw(st.lists(st.from_regex(r"[A-Z]-[0-9]{3}", fullmatch=True), max_size=3, unique=True))
    out = []
    for action_id in ids:
        out.append(
            Action(
                id=action_id,
                title=draw(names),
                outcomes=tuple(
                    draw(st.lists(st.sampled_from(outcome_ids), min_size=1, max_size=3))
                ),
                owner=draw(short_texts),
                due=draw(
                    st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
                ),
                milestone=draw(short_texts),
                status=draw(st.sampled_from(list(ActionStatus))),
                cost=draw(short_texts),
                controls=tuple(draw(st.lists(short_texts, max_size=3))),
                notes=draw(texts),
            )
        )
    return tuple(out)


@st.composite
def snapshots(draw: st.DrawFn) -> SnapshotInfo | None:
    if draw(st.booleans()):
        return None
    offset = draw(st.integers(min_value=-12 * 60, max_value=14 * 60))
    moment = draw(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 1, 1)))
    tz = UTC if offset == 0 else timezone(timedelta(minutes=offset))
    return SnapshotInfo(moment.replace(tzinfo=tz), draw(short_texts))


@st.composite
def profiles(
    draw: st.DrawFn,
    *,
    scale: Scale | None = None,
    min_outcomes: int = 0,
    kind: ProfileKind | None = None,
    with_actions: bool = True,
    snapshot: bool = True,
) -> Profile:
    """A random valid profile over CSF 2.0 outcomes."""
    the_scale = scale or draw(scales)
    the_kind = kind or draw(st.sampled_from(list(ProfileKind)))
    community = the_kind is ProfileKind.COMMUNITY
    codes = draw(
        st.lists(st.sampled_from(OUTCOMES), min_size=min_outcomes, max_size=25, unique=True)
    )
    outcomes = {code: draw(entries(code, the_scale, community)) for code in codes}
    return Profile(
        name=draw(names),
        kind=the_kind,
        scope=Scope(draw(st.sampled_from(list(ScopeType))), draw(short_texts)),
        description=draw(texts),
        assumptions=draw(texts),
        scale=the_scale,
        rollup=draw(st.sampled_from(list(RollUp))),
        based_on=draw(short_texts),
        tiers=Tiers(draw(tier_ratings(community)), draw(tier_ratings(community))),
        outcomes=outcomes,
        actions=draw(actions(list(OUTCOMES))) if with_actions else (),
        snapshot=draw(snapshots()) if snapshot else None,
    )


PROFILE_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
