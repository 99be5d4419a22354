"""The benchmark's data set: N organizations with profiles, deterministic from a seed.

The first organization is the demo organization exactly as a newcomer gets it
(:func:`csfpilot.webapp.demo.ensure_demo`: full texts, a year of quarterly
snapshots, an action plan, a Community Profile); it is the one the suites
measure. Every other organization (``random.Random(seed)``) has one
Organizational Profile over all 106 CSF 2.0 outcomes:

- rated on the ``status`` scale, or on the ``maturity`` scale (about 30 %),
  current and target spread around the organization's overall maturity;
  about 10 % of the outcomes not assessed, about 3 % excluded with a rationale;
- target priorities, a few current priorities, owners, and text in the
  policies, practices, roles and evidence columns drawn from small pools of
  sentences, so that rows are as wide as in real use;
- Tiers for governance and management, current and target, with rationales;
- an action plan of 3 to 8 actions on the outcomes with the largest gaps,
  in the product's order (priority weight × gap, largest first, ties by id),
  titled and with suggested controls as the plan's generator makes them;
- two snapshots at earlier quarterly reviews (lower ratings then). These are
  lighter than a snapshot the app takes: the ratings, priorities, owners,
  exclusions and Tiers, without the free texts and the action plan, so that
  10,000 organizations stay practical (about 16 KB of JSON each; the demo's
  full ones are about 75 KB). They are still real profile documents, built as
  the app builds them (``Profile.snapshot_of`` then ``to_document``) and read
  by the same reader.

Those organizations have one member, the ``bench`` account (owner of them all),
so owners are written as names (roles) rather than assigned to members.

Each profile is built as a domain profile first; its rows are the column values
the app's own storage mapping gives (``storage.entry_fields`` and friends),
prepared by the model fields (``get_db_prep_save``), so the stored form equals
the ORM's. The big tables are written with ``COPY`` on PostgreSQL and with
``executemany`` on SQLite, a transaction per batch of organizations.

Same (orgs, seed, sector) → same content (database ids and the times rows were
written aside); :func:`content_digest` says so. The demo organization's dates
follow the day it is created, so the digest leaves it out.

    python -m bench.dataset DATABASE_URL|- [--orgs N] [--seed S] [--save NAME]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

ORGS = 1000
SEED = 6
SECTOR = "energy"
BATCH = 250  # organizations per transaction

# The bulk organizations' "today": their snapshots are the two quarterly reviews before it.
# Fixed, so the content is the same on every day; it is in the past, as snapshots must be.
AS_OF = date(2026, 6, 30)
REVIEWS = (date(2025, 12, 31), date(2026, 3, 31))

MATURITY_SHARE = 0.3
NOT_ASSESSED = 0.1
EXCLUDED = 0.03
STATUS_KEYS = ("not", "partially", "largely", "fully")
MATURITY_KEYS = (0, 1, 2, 3, 4, 5)

OWNERS = (
    "CISO",
    "IT Operations Manager",
    "Security Analyst",
    "Network Engineer",
    "Head of HR",
    "Procurement Manager",
    "Data Protection Officer",
    "Risk Manager",
    "Facilities Manager",
    "Head of Engineering",
    "Service Desk Lead",
    "Internal Audit",
)
RATIONALES = (
    "Required by the sector regulator's baseline and checked in the yearly audit.",
    "Key customers ask for it in security questionnaires and contract clauses.",
    "The cyber insurer lists it as a condition of cover from next renewal.",
    "Identified as a top risk in the last enterprise risk assessment.",
    "Supports the certification planned for next year.",
    "Board asked for measurable progress here after last year's incident review.",
)
EXCLUSIONS = (
    "Out of scope: no operational technology at this organization.",
    "Out of scope: development is outsourced and covered by the supplier contract.",
    "Not applicable: no customer-facing systems run on our own infrastructure.",
    "Deferred to the next profile cycle by decision of the risk committee.",
)
POLICIES = (
    "Information Security Policy v2.1 §4",
    "Acceptable Use Standard, section on accounts and access",
    "Supplier Security Policy (approved by the COO)",
    "Incident Response Plan v1.3",
    "Backup and Recovery Standard",
    "Asset Management Procedure ISMS-07",
    "Risk Management Framework, annex B",
    "Secure Configuration Baseline for servers and endpoints",
)
PRACTICES = (
    "Reviewed every quarter by the security team; exceptions tracked in the ticketing system.",
    "Done case by case when a project asks for it; no common checklist yet.",
    "Automated for office IT through the endpoint management tool; servers still by hand.",
    "Covered by the managed service provider's monthly report, reviewed by IT.",
    "Documented in the ISMS and checked during the yearly internal audit.",
    "Run for the main sites; the smaller branch offices follow informally.",
    "Owners confirm the list twice a year; changes go through the change board.",
    "Measured with a monthly metric reported to the management team.",
)
TARGET_PRACTICES = (
    "Same practice across all sites, reviewed quarterly with metrics to the risk committee.",
    "Automated for all systems, with alerts to the security team on every deviation.",
    "Part of the yearly audit plan, with findings tracked to closure.",
    "Built into the project lifecycle: no go-live without the check.",
    "Shared with key suppliers and checked in their yearly assessment.",
)
ROLES = (
    "CISO owns; IT Operations carries out; Internal Audit checks.",
    "Security team owns; system owners contribute.",
    "IT Operations owns; the service desk handles day-to-day requests.",
    "Risk Manager owns; department heads contribute their risks.",
    "HR owns; line managers confirm completion.",
)
EVIDENCE = (
    "https://intranet.example.org/isms/evidence/{code}",
    "https://intranet.example.org/isms/reports/{code}-review.pdf",
    "https://grc.example.org/controls/{code}",
)
TIER_RATIONALES = (
    "Practices depend on individuals; management discusses cyber risk when something happens.",
    "Risk-informed practices in core IT; the rest of the organization is handled case by case.",
    "Formally approved policy applied consistently and reviewed yearly.",
    "Practices adapt to lessons learned and threat intelligence across the organization.",
)
TIER_TARGETS = (
    "Customers and the regulator expect approved, consistently applied risk governance.",
    "The insurer and the board ask for repeatable, measured practices by next year.",
    "Needed for the certification planned in the next budget cycle.",
)
DESCRIPTIONS = (
    "Current and Target Profile of the whole organization, prepared for the yearly review.",
    "Where we stand against CSF 2.0 and where the three-year security plan takes us.",
    "Organization-wide profile; the subsidiaries are assessed separately.",
)
MILESTONES = ("Quick wins", "Budget year 1", "Budget year 2", "Audit findings", "Certification")
COSTS = ("1 person-week", "3 person-weeks", "€10k licences", "€40k project", "2 board sessions")
PRIORITIES = (("high", 0.3), ("medium", 0.4), ("low", 0.2), ("", 0.1))


@dataclass
class DataSet:
    """What :func:`generate` wrote: the measured user, organization and profile, and counts."""

    user: Any
    organization: Any
    profile: Any
    orgs: int
    seed: int
    sector: str
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def level(rng: random.Random, levels: Sequence[Any], maturity: float) -> Any:
    """A level around the organization's overall maturity, so that outcomes and
    organizations differ."""
    x = min(max(rng.gauss(maturity, 0.22), 0.0), 0.999)
    return levels[int(x * len(levels))]


def _priority(rng: random.Random) -> str:
    x = rng.random()
    for key, share in PRIORITIES:
        if x < share:
            return key
        x -= share
    return ""


# -- writing rows ---------------------------------------------------------------------


class Table:
    """Bulk writer for one model's table: rows in column order, ``COPY`` on PostgreSQL,
    ``executemany`` elsewhere.

    Building a million Django objects would take most of the run and its memory,
    so rows are lists; the defaults come from a blank instance, as the ORM fills them.
    Columns whose stored form differs from the Python value (JSON, dates and times)
    are prepared by the model's field (``get_db_prep_save``), as the ORM prepares
    them; the others are stored as given. Prepared values are reused: a rating or an
    evidence list recurs thousands of times.
    """

    def __init__(self, model: Any, connection: Any, **fixed: Any) -> None:
        from django.db.models import DateField, JSONField

        self.connection = connection
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.at = {f.attname: i for i, f in enumerate(self.fields)}
        blank = model()
        now = datetime.now(UTC)
        prepare: list[Callable[[Any], Any] | None] = []
        for f in self.fields:
            needs = isinstance(f, JSONField | DateField)
            prepare.append(self._cached(f) if needs else None)
        self.prepare = prepare
        self.defaults: list[Any] = []
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            else:
                value = getattr(blank, f.attname)
            self.defaults.append(value)
        for name, value in fixed.items():
            self.defaults[self.at[name]] = value
        self.defaults = [
            p(v) if p is not None else v for p, v in zip(self.prepare, self.defaults, strict=True)
        ]
        ops = connection.ops
        self.table = ops.quote_name(model._meta.db_table)
        self.columns = ", ".join(ops.quote_name(f.column) for f in self.fields)
        self.pending: list[list[Any]] = []

    def _cached(self, f: Any) -> Callable[[Any], Any]:
        cache: dict[Any, Any] = {}
        connection = self.connection

        def prep(value: Any) -> Any:
            if isinstance(value, dict):
                key = None  # a whole document: written once
            elif isinstance(value, list):
                key = (list, *value)
            else:
                key = (type(value), value)
            if key is None:
                return f.get_db_prep_save(value, connection)
            found = cache.get(key)
            if found is None:
                found = cache[key] = f.get_db_prep_save(value, connection)
            return found

        return prep

    def add(self, values: dict[str, Any]) -> None:
        row = list(self.defaults)
        at, prepare = self.at, self.prepare
        for name, value in values.items():
            i = at[name]
            p = prepare[i]
            row[i] = value if p is None else p(value)
        self.pending.append(row)

    def flush(self) -> int:
        rows, self.pending = self.pending, []
        if not rows:
            return 0
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.fields))
                cursor.executemany(
                    f"INSERT INTO {self.table} ({self.columns}) VALUES ({marks})", rows
                )
        return len(rows)


# -- one organization's content -------------------------------------------------------


@dataclass
class _Org:
    name: str
    slug: str
    profile: Any  # the domain profile as it is today
    history: list[Any]  # the domain profiles at REVIEWS, light


def _texts(rng: random.Random, code: str, current_index: int | None) -> dict[str, Any]:
    from csfpilot.core.profiles import Implementation

    now = Implementation()
    if current_index is not None and current_index > 0:
        evidence = tuple(
            e.format(code=code) for e in rng.sample(EVIDENCE, rng.choice((0, 1, 1, 2)))
        )
        now = Implementation(
            policies=rng.choice(POLICIES) if rng.random() < 0.7 else "",
            practices=rng.choice(PRACTICES),
            roles=rng.choice(ROLES) if rng.random() < 0.8 else "",
            evidence=evidence,
        )
    elif current_index == 0 and rng.random() < 0.5:
        now = Implementation(practices=rng.choice(PRACTICES))
    target = Implementation(
        policies=rng.choice(POLICIES) if rng.random() < 0.5 else "",
        practices=rng.choice(TARGET_PRACTICES) if rng.random() < 0.8 else "",
        roles=rng.choice(ROLES) if rng.random() < 0.4 else "",
    )
    return {"current_details": now, "target_details": target}


def _tiers(rng: random.Random, maturity: float) -> Any:
    from csfpilot.core.profiles import Tier, TierRating, Tiers

    def rating() -> TierRating:
        now = min(4, max(1, 1 + int(rng.gauss(maturity, 0.15) * 4)))
        target = min(4, now + rng.choice((0, 1, 1, 2)))
        return TierRating(
            current=Tier(now),
            target=Tier(target),
            current_rationale=TIER_RATIONALES[now - 1],
            target_rationale=rng.choice(TIER_TARGETS),
        )

    return Tiers(governance=rating(), management=rating())


def _actions(
    rng: random.Random, profile: Any, controls: dict[str, tuple[str, ...]]
) -> tuple[Any, ...]:
    """The largest gaps first, as the product orders the plan (priority weight × gap)."""
    from csfpilot.core.gaps import OutcomeGap, candidate_title, plan_order_key
    from csfpilot.core.profiles import Action, ActionStatus

    gaps = [
        OutcomeGap(e.outcome, e.current, e.target, e.priority, e.owner)
        for e in profile.outcomes.values()
        if e.included
        and e.current is not None
        and e.target is not None
        and e.current.applicable
        and e.target.applicable
    ]
    ranked = sorted((g for g in gaps if g.gap > 0), key=plan_order_key)
    statuses = (ActionStatus.OPEN, ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
    out = []
    for i, g in enumerate(ranked[: rng.randint(3, 8)], start=1):
        out.append(
            Action(
                id=f"A-{i:03d}",
                title=candidate_title(g),
                outcomes=(g.outcome,),
                owner=g.owner,
                due=AS_OF + timedelta(days=rng.randint(-60, 240)),
                milestone=rng.choice(MILESTONES),
                status=ActionStatus.DONE if rng.random() < 0.1 else rng.choice(statuses),
                cost=rng.choice(COSTS),
                controls=controls.get(g.outcome, ())[:4],
            )
        )
    return tuple(out)


def _organization(
    rng: random.Random,
    number: int,
    codes: Sequence[str],
    controls: dict[str, tuple[str, ...]],
) -> _Org:
    from dataclasses import replace

    from csfpilot.core.profiles import (
        MATURITY,
        STATUS,
        OutcomeEntry,
        Priority,
        Profile,
        RollUp,
        Scope,
        ScopeType,
    )

    name, slug = f"Member {number:05d}", f"member-{number:05d}"
    maturity_scale = rng.random() < MATURITY_SHARE
    if number <= 2:
        maturity_scale = number == 2  # both scales, however small the data set
    scale = MATURITY if maturity_scale else STATUS
    keys = MATURITY_KEYS if maturity_scale else STATUS_KEYS
    maturity = rng.uniform(0.05, 0.95)
    lead = rng.sample(OWNERS, 4)
    entries: dict[str, Any] = {}
    earlier: list[dict[str, Any]] = [{}, {}]
    for code in codes:
        if rng.random() < EXCLUDED:
            entries[code] = OutcomeEntry(code, included=False, rationale=rng.choice(EXCLUSIONS))
            for stage in earlier:
                stage[code] = entries[code]
            continue
        assessed = rng.random() > NOT_ASSESSED
        current = level(rng, keys, maturity) if assessed else None
        target = level(rng, keys, min(maturity + 0.25, 0.99))
        index = keys.index(current) if current is not None else None
        priority = _priority(rng)
        behind = index is not None and index < keys.index(target)
        entry = OutcomeEntry(
            outcome=code,
            included=True,
            rationale=rng.choice(RATIONALES) if rng.random() < 0.6 else "",
            priority=Priority(priority) if priority else None,
            current=scale.level(current) if current is not None else None,
            target=scale.level(target),
            owner=rng.choice(lead),
            current_priority=Priority(priority) if priority and behind else None,
            **_texts(rng, code, index),
        )
        entries[code] = entry
        # Lower at the earlier reviews; the first review had not reached every outcome.
        step2 = rng.choice((0, 0, 1))
        step1 = step2 + rng.choice((0, 1, 1))
        for stage, step in zip(earlier, (step1, step2), strict=True):
            was = None if index is None else keys[max(0, index - step)]
            if stage is earlier[0] and rng.random() < 0.15:
                was = None
            stage[code] = OutcomeEntry(
                outcome=code,
                priority=entry.priority,
                current=scale.level(was) if was is not None else None,
                target=entry.target,
                owner=entry.owner,
            )
    tiers = _tiers(rng, maturity)
    profile = Profile(
        name=rng.choice(("Current state", "Organizational Profile", "CSF 2.0 profile")),
        scope=Scope(ScopeType.ORGANIZATION, name),
        description=rng.choice(DESCRIPTIONS),
        scale=scale,
        rollup=RollUp.PRIORITY if rng.random() < 0.2 else RollUp.EQUAL,
        tiers=tiers,
        outcomes=entries,
    )
    profile = profile.with_actions(_actions(rng, profile, controls))
    history = [
        Profile(
            name=profile.name,
            scope=profile.scope,
            scale=scale,
            rollup=profile.rollup,
            tiers=replace(
                tiers,
                governance=replace(tiers.governance, current_rationale=""),
                management=replace(tiers.management, current_rationale=""),
            ),
            outcomes=stage,
        )
        for stage in earlier
    ]
    return _Org(name, slug, profile, history)


# -- the whole data set ---------------------------------------------------------------


def _review_time(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 17, 0, tzinfo=UTC)


def _review_label(day: date) -> str:
    return f"Q{(day.month - 1) // 3 + 1} {day.year} review"


def generate(orgs: int = ORGS, seed: int = SEED, sector: str = SECTOR) -> DataSet:
    """Write the data set into the (migrated, empty) database Django is connected to.

    ``orgs`` counts the demo organization; ``sector`` ("" for none) is every
    organization's, the demo's included, so the sector benchmark sees all of them.
    """
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from csfpilot.formats.native import to_document
    from csfpilot.webapp.catalog.models import Framework
    from csfpilot.webapp.catalog.services import ensure_bundled_catalogs
    from csfpilot.webapp.demo import ensure_demo
    from csfpilot.webapp.organizations.models import Membership, Organization
    from csfpilot.webapp.profiles import storage
    from csfpilot.webapp.profiles.frameworks import suggested_controls
    from csfpilot.webapp.profiles.history import document_digest
    from csfpilot.webapp.profiles.models import Action, Profile, ProfileOutcome, Snapshot
    from csfpilot.webapp.profiles.persist import outcome_nodes
    from csfpilot.webapp.sectors.models import MemberStatus, SectorMember

    if orgs < 1:
        raise ValueError("the data set has at least the demo organization")
    started = time.perf_counter()
    ensure_bundled_catalogs()
    demo = ensure_demo()
    if demo is None:
        raise RuntimeError("the database already has accounts: generate into an empty one")
    # The demo's generated sector peers are not part of the data set: its own N - 1
    # organizations are, so that the figures stay comparable across releases.
    Organization.objects.exclude(pk=demo.pk).delete()
    if sector:
        Organization.objects.filter(pk=demo.pk).update(sector=sector)
    # Every organization of the data set is an approved member of its sector: all count.
    approved = {"status": MemberStatus.APPROVED, "requested_at": timezone.now()}
    if sector:
        SectorMember.objects.update_or_create(organization=demo, sector=sector, defaults=approved)
    user, demo, profile = measured()
    fw = Framework.objects.get(key="csf-2.0")
    nodes = outcome_nodes(fw)
    codes = [code for _, code, _ in nodes]
    controls = dict(suggested_controls(fw.key))
    member = get_user_model().objects.create(username="bench", email="bench@example.com")

    outcomes = Table(ProfileOutcome, connection, updated_by_id=member.pk)
    actions = Table(Action, connection, updated_by_id=member.pk)
    snapshots = Table(Snapshot, connection, created_by_id=member.pk)
    counts = {
        "organizations": 1,
        "profiles": Profile.objects.count(),
        "outcomes": ProfileOutcome.objects.count(),
        "actions": Action.objects.count(),
        "snapshots": Snapshot.objects.count(),
    }
    rng = random.Random(seed)
    for start in range(1, orgs, BATCH):
        made = [
            _organization(rng, n, codes, controls) for n in range(start, min(start + BATCH, orgs))
        ]
        with transaction.atomic():
            rows = Organization.objects.bulk_create(
                [Organization(name=o.name, slug=o.slug, sector=sector) for o in made]
            )
            Membership.objects.bulk_create(
                [Membership(user=member, organization=r, role="owner") for r in rows]
            )
            if sector:
                SectorMember.objects.bulk_create(
                    [SectorMember(organization=r, sector=sector, **approved) for r in rows]
                )
            profiles = Profile.objects.bulk_create(
                [
                    Profile(
                        organization=r,
                        framework=fw,
                        created_by=member,
                        updated_by=member,
                        **storage.profile_fields(o.profile),
                    )
                    for r, o in zip(rows, made, strict=True)
                ]
            )
            for row, o in zip(profiles, made, strict=True):
                for node_id, code, position in nodes:
                    outcomes.add(
                        {
                            "profile_id": row.pk,
                            "node_id": node_id,
                            "code": code,
                            "position": position,
                            **storage.entry_fields(o.profile.outcomes[code]),
                        }
                    )
                for i, a in enumerate(o.profile.actions, start=1):
                    actions.add({"profile_id": row.pk, "position": i, **storage.action_fields(a)})
                for day, earlier in zip(REVIEWS, o.history, strict=True):
                    taken = _review_time(day)
                    document = to_document(
                        earlier.snapshot_of(taken, _review_label(day)), order=codes
                    )
                    snapshots.add(
                        {
                            "profile_id": row.pk,
                            "taken_at": taken,
                            "label": _review_label(day),
                            "document": document,
                            "digest": document_digest(document),
                        }
                    )
            counts["outcomes"] += outcomes.flush()
            counts["actions"] += actions.flush()
            counts["snapshots"] += snapshots.flush()
        counts["organizations"] += len(rows)
        counts["profiles"] += len(profiles)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return DataSet(
        user=user,
        organization=demo,
        profile=profile,
        orgs=orgs,
        seed=seed,
        sector=sector,
        rows=counts,
        seconds=round(time.perf_counter() - started, 2),
    )


def measured() -> tuple[Any, Any, Any]:
    """The demo user, the demo organization and its Organizational Profile."""
    from django.contrib.auth import get_user_model

    from csfpilot.webapp.demo import DEMO_LOGIN, DEMO_ORGANIZATION
    from csfpilot.webapp.profiles.models import Profile

    user = get_user_model().objects.get(email=DEMO_LOGIN[0])
    profile = (
        Profile.objects.filter(organization__slug=DEMO_ORGANIZATION[1], kind="organizational")
        .select_related("organization")
        .order_by("id")[0]
    )
    return user, profile.organization, profile


def prepare(
    url: str | None, orgs: int = ORGS, seed: int = SEED, saved: str | None = None
) -> DataSet:
    """The data set in the bench database (Django configured for ``url``): a copy of
    ``saved`` (what ``python -m bench.dataset --save`` kept for this size and seed) when
    given, so that suites of one run share one generation; otherwise generated afresh."""
    from bench.environment import fresh_schema, restore_copy

    if not saved:
        fresh_schema(url)
        return generate(orgs, seed)
    from csfpilot.webapp.organizations.models import Organization
    from csfpilot.webapp.profiles.models import Action, Profile, ProfileOutcome, Snapshot

    restore_copy(url, saved)
    user, org, profile = measured()
    found = Organization.objects.count()
    if found != orgs:
        raise SystemExit(f"{saved} holds {found:,} organizations, not {orgs:,}")
    rows = {
        "organizations": found,
        "profiles": Profile.objects.count(),
        "outcomes": ProfileOutcome.objects.count(),
        "actions": Action.objects.count(),
        "snapshots": Snapshot.objects.count(),
    }
    return DataSet(user, org, profile, orgs, seed, org.sector, rows)


def suite_arguments(prog: str) -> argparse.ArgumentParser:
    """The options every suite on the data set takes."""
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("database_url", help="a database URL, or - for SQLite")
    parser.add_argument("--orgs", type=int, default=ORGS, help=f"organizations (default {ORGS})")
    parser.add_argument("--seed", type=int, default=SEED, help=f"seed (default {SEED})")
    parser.add_argument(
        "--data", help="start from this copy of the data set (python -m bench.dataset --save)"
    )
    return parser


def content_digest() -> str:
    """SHA-256 over what the generated organizations hold, ids and write times aside
    (the demo organization, dated from the day it is made, is left out)."""
    from csfpilot.webapp.demo import DEMO_ORGANIZATION
    from csfpilot.webapp.organizations.models import Organization
    from csfpilot.webapp.profiles.models import Action, Profile, ProfileOutcome, Snapshot

    skip = {
        "id",
        "created",
        "created_at",
        "updated_at",
        "created_by_id",
        "updated_by_id",
        "owner_id",
    }
    h = hashlib.sha256()

    def feed(rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            clean = {k: v for k, v in row.items() if k not in skip}
            h.update(json.dumps(clean, sort_keys=True, default=str).encode())

    orgs = Organization.objects.exclude(slug=DEMO_ORGANIZATION[1])
    profiles = Profile.objects.filter(organization__in=orgs)
    feed(orgs.order_by("slug").values())
    names = {
        "profile_id": "profile__organization__slug",
        "organization_id": "organization__slug",
    }
    for model, order in (
        (Profile, ("organization__slug", "name")),
        (ProfileOutcome, ("profile__organization__slug", "position")),
        (Action, ("profile__organization__slug", "position")),
        (Snapshot, ("profile__organization__slug", "taken_at")),
    ):
        rows = model.objects.filter(
            **({"pk__in": profiles} if model is Profile else {"profile__in": profiles})
        )
        fields = [f.attname for f in model._meta.concrete_fields]
        keyed = [names.get(f, f) for f in fields]
        for values in rows.order_by(*order).values_list(*keyed):
            feed([dict(zip(fields, values, strict=True))])
    return h.hexdigest()


def main() -> None:
    from bench.environment import configure, fresh_schema, save_copy

    parser = argparse.ArgumentParser(prog="python -m bench.dataset")
    parser.add_argument("url", help="a database URL, or - for SQLite")
    parser.add_argument("--orgs", type=int, default=ORGS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--sector", default=SECTOR)
    parser.add_argument("--save", help="keep the result as a copy the suites start from")
    args = parser.parse_args()
    url = None if args.url == "-" else args.url
    configure(url)
    fresh_schema(url)
    data = generate(args.orgs, args.seed, args.sector)
    if args.save:
        save_copy(url, args.save)
    print(
        f"{data.orgs:,} organizations (seed {data.seed}) in {data.seconds} s: {data.rows}",
        file=sys.stderr,
    )
    print(json.dumps({"orgs": data.orgs, "seed": data.seed, "seconds": data.seconds, **data.rows}))


if __name__ == "__main__":
    main()
