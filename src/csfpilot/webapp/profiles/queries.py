"""Reads over an organization's profiles: what the pages, the API and the CLI show.

Every function takes the caller's
:class:`~csfpilot.webapp.organizations.permissions.Access`, reads only that
organization's rows, and answers in a fixed number of queries whatever the
number of outcomes, actions or profiles (the framework's outcome list is read
once per process). Scores, gaps, the action plan, comparisons and trends are
the domain's (:mod:`csfpilot.core.scoring`, :mod:`csfpilot.core.gaps`),
computed on the stored profile.

The entry points, by screen:

- profile list: :func:`profile_list`;
- profile overview: :func:`profile_overview`;
- questionnaire: :func:`profile_detail`, :func:`outcome_detail`,
  :func:`next_unanswered`, :func:`progress`;
- dashboard: :func:`dashboard` (or :func:`scores`, :func:`gap_analysis`);
- action plan: :func:`action_plan`;
- history: :func:`snapshots`, :func:`snapshot_detail`, :func:`trend`,
  :func:`compare` (any two profiles or snapshots, see :func:`parse_ref`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from django.db.models import Count, Max, OuterRef, Subquery
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Coalesce
from django.utils import timezone

from csfpilot.core.errors import InputRefused, NotFound
from csfpilot.core.gaps import (
    CandidateAction,
    GapAnalysis,
    GroupGap,
    OutcomeGap,
    analyse_gaps,
    candidate_actions,
    profile_gap,
)
from csfpilot.core.profiles import (
    ActionStatus,
    Group,
    OutcomeEntry,
    OutcomeFramework,
    PlanProgress,
    Priority,
    Profile,
    Side,
    plan_progress,
)
from csfpilot.core.scoring import (
    Comparison,
    NodeScore,
    ProfileScores,
    TrendPoint,
    compare_profiles,
    score_profile,
    score_total,
)
from csfpilot.core.scoring import trend as trend_of
from csfpilot.webapp.catalog import models as catalog
from csfpilot.webapp.organizations.permissions import Access, can_edit_outcome
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import lookups, storage
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles.figures import GroupProgress, ProfileFigures, group_progress
from csfpilot.webapp.profiles.frameworks import outcome_framework, suggested_controls
from csfpilot.webapp.profiles.history import dated_profiles, snapshot_profile, snapshot_trend

# -- the profile list -----------------------------------------------------------------


@dataclass(frozen=True)
class ProfileSummary:
    """One line of the profile list: the profile, its scores and its plan at a glance."""

    profile: m.Profile
    scores: NodeScore  # the profile row: current and target score, counts
    gap: GroupGap
    open_actions: int
    overdue_actions: int
    snapshot_count: int
    last_snapshot: datetime | None

    @property
    def current_percent(self) -> float | None:
        return self.scores.current.percent

    @property
    def target_percent(self) -> float | None:
        return self.scores.target.percent


def _count(model: Any, **filters: Any) -> Subquery:
    rows = (
        model.objects.filter(profile=OuterRef("pk"), **filters)
        .order_by()
        .values("profile")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


def profile_list(access: Access, *, kind: str | None = None) -> list[ProfileSummary]:
    """The organization's profiles by name, each scored (two queries in all)."""
    lookups.ensure(access, Permission.VIEW)
    today = timezone.localdate()
    open_states = [s.value for s in ActionStatus if not s.closed]
    qs = (
        m.Profile.objects.filter(organization=access.organization)
        .select_related("framework", "updated_by")
        .annotate(
            open_actions=_count(m.Action, status__in=open_states),
            overdue_actions=_count(m.Action, status__in=open_states, due__lt=today),
            snapshot_count=_count(m.Snapshot),
            last_snapshot=Subquery(
                m.Snapshot.objects.filter(profile=OuterRef("pk"))
                .order_by()
                .values("profile")
                .annotate(last=Max("taken_at"))
                .values("last")
            ),
        )
    )
    if kind:
        qs = qs.filter(kind=kind)
    rows = list(qs)
    ratings: dict[int, dict[str, tuple[bool, str, Any, Any]]] = defaultdict(dict)
    outcome_rows = m.ProfileOutcome.objects.filter(profile__in=[r.pk for r in rows]).values_list(
        "profile_id", "code", "included", "priority", "current", "target"
    )
    for profile_id, code, included, priority, current, target in outcome_rows:
        ratings[profile_id][code] = (included, priority, current, target)
    out = []
    for row in rows:
        framework = outcome_framework(row.framework)
        profile = storage.ratings_profile(row, ratings[row.pk], row.framework.key)
        out.append(
            ProfileSummary(
                profile=row,
                scores=score_total(profile, framework),
                gap=profile_gap(profile, framework),
                open_actions=row.open_actions,
                overdue_actions=row.overdue_actions,
                snapshot_count=row.snapshot_count,
                last_snapshot=row.last_snapshot,
            )
        )
    return out


def profile(access: Access, profile_id: Any) -> m.Profile:
    """One profile row with its framework and who created and last changed it (one query)."""
    lookups.ensure(access, Permission.VIEW)
    row = (
        m.Profile.objects.select_related("framework", "created_by", "updated_by")
        .filter(organization=access.organization, pk=_pk(profile_id))
        .first()
    )
    if row is None:
        raise NotFound(f"no profile {profile_id} in {access.organization.slug}")
    return row


# -- one profile ------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeView:
    """One outcome of a profile as a page shows it."""

    row: m.ProfileOutcome
    entry: OutcomeEntry
    function: str  # e.g. "GV"
    category: str  # e.g. "GV.OC"
    text: str  # NIST's outcome statement
    can_edit: bool  # whether the caller may change it (contributors: only their own)

    @property
    def code(self) -> str:
        return self.row.code

    @property
    def version(self) -> int:
        return self.row.version


@dataclass
class ProfileDetail:
    """A profile with every outcome, its actions and Tiers (three queries).

    Scores, gaps, the questionnaire's progress and its next unanswered outcome
    are worked out from the rows already read, when a page first asks for them.
    """

    profile: m.Profile
    domain: Profile
    framework: OutcomeFramework
    outcomes: list[OutcomeView]
    actions: list[m.Action]
    snapshot_count: int
    can_edit_profile: bool
    _by_code: dict[str, OutcomeView] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_code = {o.code: o for o in self.outcomes}

    @cached_property
    def scores(self) -> ProfileScores:
        return score_profile(self.domain, self.framework)

    @cached_property
    def gaps(self) -> GapAnalysis:
        return analyse_gaps(self.domain, self.framework)

    def next_unanswered(self, side: Side | str = Side.CURRENT) -> str | None:
        """The first included outcome not yet rated on ``side``, in document order."""
        side = Side(side)
        for o in self.outcomes:
            if o.row.included and getattr(o.row, side.value) is None:
                return o.code
        return None

    def progress(self, level: str | None = None) -> list[GroupProgress]:
        """Answered outcomes per Function (or Category), as :func:`progress` counts them."""
        answered = {
            o.code: (o.row.current is not None, o.row.target is not None)
            for o in self.outcomes
            if o.row.included
        }
        return group_progress(self.framework, answered, level)

    def outcome(self, code: str) -> OutcomeView:
        found = self._by_code.get(code)
        if found is None:
            raise NotFound(f"{self.profile.name!r} has no outcome {code!r}")
        return found

    def groups(self, level: str) -> list[tuple[Group, list[OutcomeView]]]:
        """Outcomes under each Function (``"function"``) or Category (``"category"``)."""
        out = []
        for group in self.framework.at_level(level):
            codes = self.framework.outcomes_under(group.code)
            out.append((group, [self._by_code[c] for c in codes if c in self._by_code]))
        return out


def outcome_views(
    access: Access,
    framework: OutcomeFramework,
    rows: list[m.ProfileOutcome],
    profile: m.Profile,
    domain: Profile | None = None,
) -> list[OutcomeView]:
    scale = storage.scale_of(profile)
    out = []
    for row in rows:
        ancestors = framework.ancestors(row.code) if framework.is_outcome(row.code) else ()
        # The domain profile already holds every entry that is not blank; reuse it.
        entry = domain.entry(row.code) if domain is not None else None
        out.append(
            OutcomeView(
                row=row,
                entry=entry or storage.entry_of(row, scale),
                function=ancestors[0] if ancestors else "",
                category=ancestors[-1] if ancestors else "",
                text=framework.text(row.code),
                can_edit=can_edit_outcome(access, row.owner_id),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class OutcomeLine:
    """One outcome as the outcome list answers it: the row, NIST's text and where it sits."""

    row: m.ProfileOutcome
    function: str
    category: str
    text: str
    can_edit: bool

    @property
    def code(self) -> str:
        return self.row.code


def outcome_lines(access: Access, profile_id: Any) -> list[OutcomeLine]:
    """Every outcome of a profile, as the outcome list answers them (two queries).

    Only what the list shows is read: no scores, actions or snapshots, and of
    the last editor only the e-mail.
    """
    lookups.ensure(access, Permission.VIEW)
    row = lookups.profile(access, profile_id)
    framework = outcome_framework(row.framework)
    rows = (
        m.ProfileOutcome.objects.filter(profile=row)
        .select_related("updated_by")
        .only(*_OUTCOME_COLUMNS, "updated_by__email")
        .order_by("position")
    )
    return [_line(access, framework, o) for o in rows]


_OUTCOME_COLUMNS = tuple(f.name for f in m.ProfileOutcome._meta.concrete_fields)


def outcome_line(access: Access, row: m.ProfileOutcome) -> OutcomeLine:
    """One outcome row already read (with its profile and framework) as the list answers it."""
    return _line(access, outcome_framework(row.profile.framework), row)


def _line(access: Access, framework: OutcomeFramework, row: m.ProfileOutcome) -> OutcomeLine:
    ancestors = framework.ancestors(row.code) if framework.is_outcome(row.code) else ()
    return OutcomeLine(
        row=row,
        function=ancestors[0] if ancestors else "",
        category=ancestors[-1] if ancestors else "",
        text=framework.text(row.code),
        can_edit=can_edit_outcome(access, row.owner_id),
    )


# Who owns and who last changed an outcome are shown by name and e-mail; the rest of the
# account (password hash, sign-in dates) is never read for a profile page.
HEAVY_USER_FIELDS = tuple(
    f"{relation}__{name}"
    for relation in ("owner", "updated_by")
    for name in ("password", "last_login", "date_joined", "is_superuser", "is_staff")
)


def _page_profile(access: Access, profile_id: Any) -> m.Profile:
    """The profile row a profile page shows, with its framework, editors and snapshot count."""
    row = (
        m.Profile.objects.select_related("framework", "created_by", "updated_by")
        .annotate(snapshot_count=_count(m.Snapshot))
        .filter(organization=access.organization, pk=_pk(profile_id))
        .first()
    )
    if row is None:
        raise NotFound(f"no profile {profile_id} in {access.organization.slug}")
    return row


def profile_detail(access: Access, profile_id: Any) -> ProfileDetail:
    """Everything the overview and the questionnaire show, in a fixed number of queries."""
    lookups.ensure(access, Permission.VIEW)
    row = _page_profile(access, profile_id)
    framework = outcome_framework(row.framework)
    rows = list(
        m.ProfileOutcome.objects.filter(profile=row)
        .select_related("owner", "updated_by")
        .defer(*HEAVY_USER_FIELDS)
        .order_by("position")
    )
    actions = list(
        m.Action.objects.filter(profile=row).select_related("owner").order_by("position", "id")
    )
    domain = lookups.domain_profile(row, rows, actions)
    return ProfileDetail(
        profile=row,
        domain=domain,
        framework=framework,
        outcomes=outcome_views(access, framework, rows, row, domain),
        actions=actions,
        snapshot_count=row.snapshot_count,
        can_edit_profile=access.can(Permission.EDIT_PROFILES),
    )


@dataclass
class ProfileOverview:
    """What the overview shows: the profile, its Tiers, plan and snapshots, and its figures.

    No outcome row is read while the figures (scores, gaps, progress, where the
    questionnaire resumes) are found in the answer cache: four queries in all.
    """

    profile: m.Profile
    domain: Profile  # the profile's settings and Tiers, without its outcomes
    framework: OutcomeFramework
    actions: list[m.Action]
    snapshot_count: int
    figures: ProfileFigures

    @property
    def scores(self) -> ProfileScores:
        return self.figures.scores

    @property
    def gaps(self) -> GapAnalysis:
        return self.figures.gaps

    def progress(self, level: str | None = None) -> list[GroupProgress]:
        return self.figures.progress(level)

    def next_unanswered(self, side: Side | str = Side.CURRENT) -> str | None:
        return self.figures.next_unanswered(side)


def profile_overview(access: Access, profile_id: Any) -> ProfileOverview:
    """The overview page's reads; scores and gaps come from the answer cache when they can."""
    lookups.ensure(access, Permission.VIEW)
    row = _page_profile(access, profile_id)
    framework = outcome_framework(row.framework)
    actions = list(
        m.Action.objects.filter(profile=row).select_related("owner").order_by("position", "id")
    )
    return ProfileOverview(
        profile=row,
        domain=storage.to_domain(row, (), actions, framework_key=row.framework.key),
        framework=framework,
        actions=actions,
        snapshot_count=row.snapshot_count,
        figures=ProfileFigures(access, row, framework),
    )


def _pk(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class OutcomeHistoryPoint:
    """An outcome's ratings in one snapshot."""

    snapshot_id: int
    taken: datetime
    label: str
    included: bool
    current: Any  # level key as written, or None
    target: Any


@dataclass
class OutcomeDetail:
    """One outcome with NIST's text and examples, its actions and its history.

    The actions, examples and history are read when first asked for: a save
    answers with the outcome alone, and the history reads one value out of each
    snapshot.
    """

    profile: m.Profile
    outcome: OutcomeView
    node: catalog.Node
    previous: str | None
    next: str | None

    @cached_property
    def actions(self) -> list[m.Action]:
        """The plan's actions that address this outcome, in plan order (one query)."""
        rows = m.Action.objects.filter(profile=self.profile).select_related("owner")
        return [a for a in rows.order_by("position") if self.outcome.code in a.outcomes]

    @cached_property
    def examples(self) -> list[catalog.Example]:
        return list(catalog.Example.objects.filter(node=self.node).order_by("order"))

    @cached_property
    def history(self) -> list[OutcomeHistoryPoint]:
        """The outcome's ratings in each snapshot, oldest first (one query).

        Only this outcome's entry is read out of each stored document, not the
        whole profile it holds.
        """
        entry = KeyTransform(self.outcome.code, KeyTransform("outcomes", "document"))
        rows = (
            m.Snapshot.objects.filter(profile=self.profile)
            .order_by("taken_at", "id")
            .annotate(entry=entry)
            .values_list("pk", "taken_at", "label", "entry")
        )
        out = []
        for pk, taken, label, found in rows:
            found = _json(found)
            out.append(
                OutcomeHistoryPoint(
                    pk,
                    taken,
                    label,
                    bool(found) and found.get("included", True),
                    found.get("current") if found else None,
                    found.get("target") if found else None,
                )
            )
        return out


def _json(value: Any) -> Any:
    # A JSON key read in a values() query comes back decoded on PostgreSQL and as text
    # on SQLite for objects.
    return json.loads(value) if isinstance(value, str) else value


def outcome_detail(access: Access, profile_id: Any, code: str) -> OutcomeDetail:
    """One outcome's page: its data and NIST's text (two queries); actions, examples and
    history come when asked for (one query each)."""
    lookups.ensure(access, Permission.VIEW)
    row = lookups.profile(access, profile_id)
    framework = outcome_framework(row.framework)
    outcome_row = (
        m.ProfileOutcome.objects.filter(profile=row, code=(code or "").strip())
        .select_related("owner", "updated_by", "node")
        .first()
    )
    if outcome_row is None:
        raise NotFound(f"{row.name!r} has no outcome {code!r}")
    view = outcome_views(access, framework, [outcome_row], row)[0]
    codes = framework.outcomes
    i = codes.index(outcome_row.code) if outcome_row.code in codes else -1
    return OutcomeDetail(
        profile=row,
        outcome=view,
        node=outcome_row.node,
        previous=codes[i - 1] if i > 0 else None,
        next=codes[i + 1] if 0 <= i < len(codes) - 1 else None,
    )


def scores(access: Access, profile_id: Any) -> ProfileScores:
    """Profile, Function and Category scores, current and target (domain roll-up)."""
    lookups.ensure(access, Permission.VIEW)
    return scores_of(lookups.profile(access, profile_id))


def scores_of(row: m.Profile) -> ProfileScores:
    """:func:`scores` of a profile row already read (and allowed) by the caller."""
    return score_profile(lookups.rated_profile(row, actions=[]), lookups.framework_of(row))


# -- the questionnaire ----------------------------------------------------------------------


def next_unanswered(
    access: Access, profile_id: Any, *, side: Side | str = Side.CURRENT, after: str | None = None
) -> str | None:
    """The first included outcome not yet rated on ``side``, in document order.

    With ``after`` (an outcome id) the search starts behind it and wraps around,
    so a questionnaire resumes where it was and still finds earlier gaps. None
    when every included outcome is rated (two queries at most).
    """
    lookups.ensure(access, Permission.VIEW)
    row = lookups.profile(access, profile_id)
    side = Side(side)
    open_rows = m.ProfileOutcome.objects.filter(
        profile=row, included=True, **{f"{side.value}__isnull": True}
    ).order_by("position")
    if after:
        start = (
            m.ProfileOutcome.objects.filter(profile=row, code=after)
            .values_list("position", flat=True)
            .first()
        )
        if start is not None:
            later = open_rows.filter(position__gt=start).values_list("code", flat=True).first()
            if later is not None:
                return later
    return open_rows.values_list("code", flat=True).first()


def progress(access: Access, profile_id: Any, *, level: str | None = None) -> list[GroupProgress]:
    """Answered outcomes per Function (or Category), for the questionnaire's progress bars."""
    lookups.ensure(access, Permission.VIEW)
    row = lookups.profile(access, profile_id)
    framework = lookups.framework_of(row)
    answered = {
        code: (current is not None, target is not None)
        for code, current, target in m.ProfileOutcome.objects.filter(
            profile=row, included=True
        ).values_list("code", "current", "target")
    }
    return group_progress(framework, answered, level)


# -- gaps and the action plan -------------------------------------------------------------


@dataclass(frozen=True)
class GapView:
    """The gap analysis, with the outcome list filtered as asked (action-plan order)."""

    analysis: GapAnalysis
    outcomes: tuple[OutcomeGap, ...]
    functions: tuple[Group, ...]  # for a filter menu
    owners: tuple[str, ...]  # every owner named on an outcome with a gap
    function: str | None = None
    priority: str | None = None
    owner: str | None = None


def _filtered_gaps(
    analysis: GapAnalysis,
    framework: OutcomeFramework,
    *,
    function: str | None,
    priority: str | None,
    owner: str | None,
) -> tuple[OutcomeGap, ...]:
    if function and framework.group(function) is None:
        raise InputRefused(f"{function!r} is not a Function of {framework.key}", field="function")
    if priority and priority not in {p.value for p in Priority} | {"none"}:
        raise InputRefused(
            f"{priority!r} is not a priority; use high, medium, low or none", field="priority"
        )
    out = []
    for gap in analysis.with_gap():
        if function and function not in framework.ancestors(gap.outcome):
            continue
        if priority:
            value = gap.priority.value if gap.priority else "none"
            if value != priority:
                continue
        if owner is not None and gap.owner.strip().lower() != owner.strip().lower():
            continue
        out.append(gap)
    return tuple(out)


def gap_analysis(
    access: Access,
    profile_id: Any,
    *,
    function: str | None = None,
    priority: str | None = None,
    owner: str | None = None,
) -> GapView:
    """Outcomes below target in action-plan order, filtered by Function (``GV``) or any
    group id (``GV.OC``), priority (``high``/``medium``/``low``/``none``) and owner
    (as written; ``""`` for outcomes without one)."""
    lookups.ensure(access, Permission.VIEW)
    return gap_analysis_of(
        lookups.profile(access, profile_id), function=function, priority=priority, owner=owner
    )


def gap_analysis_of(
    row: m.Profile,
    *,
    function: str | None = None,
    priority: str | None = None,
    owner: str | None = None,
) -> GapView:
    """:func:`gap_analysis` of a profile row already read (and allowed) by the caller."""
    framework = lookups.framework_of(row)
    analysis = analyse_gaps(lookups.rated_profile(row, actions=[]), framework)
    return _gap_view(analysis, framework, function=function, priority=priority, owner=owner)


def _gap_view(
    analysis: GapAnalysis,
    framework: OutcomeFramework,
    *,
    function: str | None,
    priority: str | None,
    owner: str | None,
) -> GapView:
    return GapView(
        analysis=analysis,
        outcomes=_filtered_gaps(
            analysis, framework, function=function, priority=priority, owner=owner
        ),
        functions=framework.at_level(framework.group_levels[0]) if framework.groups else (),
        owners=tuple(sorted({g.owner for g in analysis.with_gap() if g.owner}, key=str.lower)),
        function=function,
        priority=priority,
        owner=owner,
    )


@dataclass(frozen=True)
class ActionView:
    action: m.Action
    overdue: bool


@dataclass(frozen=True)
class ActionPlan:
    """The POA&M: the actions, what the gaps still call for, and where it stands."""

    actions: tuple[ActionView, ...]
    candidates: tuple[CandidateAction, ...]  # outcomes below target no open action covers
    counts: dict[str, int]  # per status
    overdue: int
    today: date
    profile: m.Profile | None = None  # the profile row the plan was read with

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def closed(self) -> int:
        return sum(n for s, n in self.counts.items() if ActionStatus(s).closed)


def action_plan(
    access: Access, profile_id: Any, *, status: str | None = None, owner: str | None = None
) -> ActionPlan:
    """The action plan with overdue flags and the uncovered candidates (four queries)."""
    lookups.ensure(access, Permission.VIEW)
    row = lookups.profile(access, profile_id)
    framework = lookups.framework_of(row)
    actions = list(
        m.Action.objects.filter(profile=row).select_related("owner").order_by("position", "id")
    )
    profile = lookups.rated_profile(row, actions=actions)
    gaps = analyse_gaps(profile, framework)
    candidates = tuple(
        c
        for c in candidate_actions(profile, gaps, suggested_controls(framework.key))
        if not c.covered_by
    )
    today = timezone.localdate()
    counts = {s.value: 0 for s in ActionStatus}
    views = []
    overdue = 0
    for action in actions:
        counts[action.status] += 1
        late = (
            action.due is not None and action.due < today and not ActionStatus(action.status).closed
        )
        overdue += late
        if status and action.status != status:
            continue
        if owner is not None and action.owner_name.strip().lower() != owner.strip().lower():
            continue
        views.append(ActionView(action, late))
    return ActionPlan(tuple(views), candidates, counts, overdue, today, row)


# -- history ---------------------------------------------------------------------------------


def snapshots(access: Access, profile_id: Any) -> list[m.Snapshot]:
    """The profile's snapshots, oldest first, without their documents (one query)."""
    lookups.ensure(access, Permission.VIEW)
    return _snapshot_rows(lookups.profile(access, profile_id))


def _snapshot_rows(row: m.Profile) -> list[m.Snapshot]:
    return list(
        m.Snapshot.objects.filter(profile=row)
        .defer("document")
        .select_related("created_by")
        .order_by("taken_at", "id")
    )


@dataclass(frozen=True)
class SnapshotDetail:
    snapshot: m.Snapshot
    profile: Profile
    scores: ProfileScores


def snapshot_detail(access: Access, snapshot_id: Any) -> SnapshotDetail:
    lookups.ensure(access, Permission.VIEW)
    snapshot = lookups.snapshot(access, snapshot_id)
    profile = snapshot_profile(snapshot)
    return SnapshotDetail(
        snapshot, profile, score_profile(profile, outcome_framework(snapshot.profile.framework))
    )


def trend(access: Access, profile_id: Any, *, include_live: bool = True) -> list[TrendPoint]:
    """Scores over the profile's snapshots, oldest first, then the live profile ("now")."""
    lookups.ensure(access, Permission.VIEW)
    return _trend(lookups.profile(access, profile_id), include_live=include_live)


def _trend(row: m.Profile, *, include_live: bool = True) -> list[TrendPoint]:
    framework = lookups.framework_of(row)
    rows, dated = dated_profiles(row)
    points = snapshot_trend(rows, dated, framework)
    if include_live:
        points += trend_of([lookups.rated_profile(row, actions=[])], framework)
    return points


@dataclass(frozen=True)
class History:
    """The history page: the profile, its snapshots oldest first, and the score trend
    over them ending with the live profile."""

    profile: m.Profile
    snapshots: list[m.Snapshot]
    trend: list[TrendPoint]


def history(access: Access, profile_id: Any) -> History:
    """What the history page shows, reading the profile once."""
    lookups.ensure(access, Permission.VIEW)
    row = lookups.profile(access, profile_id)
    return History(row, _snapshot_rows(row), _trend(row))


@dataclass(frozen=True)
class Ref:
    """A profile (live) or one of its snapshots, as a side of a comparison."""

    kind: str  # "profile" or "snapshot"
    id: int

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"


def parse_ref(text: str, *, field: str = "ref") -> Ref:
    """``profile:12`` or ``snapshot:34`` (a bare number means a profile)."""
    raw = (text or "").strip()
    kind, _, number = raw.rpartition(":")
    kind = kind or "profile"
    if kind not in ("profile", "snapshot") or not number.isdigit():
        raise InputRefused(
            f"{text!r} names no profile or snapshot; write profile:<id> or snapshot:<id>",
            field=field,
        )
    return Ref(kind, int(number))


def _resolve(access: Access, ref: Ref) -> tuple[Profile, catalog.Framework]:
    if ref.kind == "snapshot":
        snap = lookups.snapshot(access, ref.id)
        return snapshot_profile(snap), snap.profile.framework
    row = lookups.profile(access, ref.id)
    return lookups.domain_profile(row), row.framework


def compare(access: Access, before: Ref | str, after: Ref | str) -> Comparison:
    """What changed between two profiles or snapshots, field by field, and every score's
    delta. Both must assess the same framework release."""
    lookups.ensure(access, Permission.VIEW)
    a_ref = before if isinstance(before, Ref) else parse_ref(before, field="before")
    b_ref = after if isinstance(after, Ref) else parse_ref(after, field="after")
    a, a_fw = _resolve(access, a_ref)
    b, b_fw = _resolve(access, b_ref)
    if a_fw.pk != b_fw.pk:
        raise InputRefused(
            f"{a_ref} assesses {a_fw.key} and {b_ref} {b_fw.key}; only profiles of the same "
            "framework release compare",
            field="after",
        )
    return compare_profiles(a, b, outcome_framework(a_fw))


# -- the dashboard ---------------------------------------------------------------------------


@dataclass
class Dashboard:
    """What the dashboard draws: scores, gaps, the plan's state and the trend.

    Scores and gaps are the profile's :class:`~.figures.ProfileFigures`, reused
    while its rows stay as they are; the trend (which reads the snapshots) is
    worked out when first asked for, so the gap list's filter requests do no more
    than the list needs.
    """

    profile: m.Profile
    framework: OutcomeFramework
    figures: ProfileFigures
    plan: PlanProgress
    # Each action's id, version and last write: what the gap list's "in the plan" depends on.
    actions_key: tuple[Any, ...] = ()

    @property
    def scores(self) -> ProfileScores:
        return self.figures.scores

    @property
    def gaps(self) -> GapAnalysis:
        return self.figures.gaps

    @cached_property
    def trend(self) -> list[TrendPoint]:
        rows, dated = dated_profiles(self.profile)
        # The live profile's point is the scores already shown (trend() would redo them).
        live = TrendPoint(None, self.profile.name, self.scores)
        return [*snapshot_trend(rows, dated, self.framework), live]

    def gap_view(
        self, *, function: str | None = None, priority: str | None = None, owner: str | None = None
    ) -> GapView:
        """The gap list filtered as :func:`gap_analysis` filters it."""
        return _gap_view(
            self.gaps, self.framework, function=function, priority=priority, owner=owner
        )


def dashboard(access: Access, profile_id: Any) -> Dashboard:
    """Scores per Function and Category, gaps, the plan's progress and the score trend."""
    lookups.ensure(access, Permission.VIEW)
    row = lookups.profile(access, profile_id)
    framework = lookups.framework_of(row)
    actions = lookups.action_rows(row)
    return Dashboard(
        profile=row,
        framework=framework,
        figures=ProfileFigures(access, row, framework),
        plan=plan_progress(actions, timezone.localdate()),
        actions_key=tuple((a.pk, a.version, a.updated_at.isoformat()) for a in actions),
    )


def owned_outcomes(access: Access, profile_id: Any) -> list[str]:
    """The outcomes of a profile assigned to the caller (what a contributor may edit)."""
    lookups.ensure(access, Permission.VIEW)
    row = lookups.profile(access, profile_id)
    user_id = lookups.acting_user_id(access)
    if user_id is None:
        return []
    return list(
        m.ProfileOutcome.objects.filter(profile=row, owner_id=user_id)
        .order_by("position")
        .values_list("code", flat=True)
    )


__all__ = [
    "ActionPlan",
    "ActionView",
    "Dashboard",
    "GapView",
    "GroupProgress",
    "History",
    "OutcomeDetail",
    "OutcomeHistoryPoint",
    "OutcomeView",
    "ProfileDetail",
    "ProfileOverview",
    "ProfileSummary",
    "Ref",
    "SnapshotDetail",
    "action_plan",
    "compare",
    "dashboard",
    "gap_analysis",
    "history",
    "next_unanswered",
    "outcome_detail",
    "owned_outcomes",
    "parse_ref",
    "profile",
    "profile_detail",
    "profile_list",
    "profile_overview",
    "progress",
    "scores",
    "snapshot_detail",
    "snapshots",
    "trend",
]
