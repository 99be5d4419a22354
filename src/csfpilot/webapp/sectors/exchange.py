"""Sector benchmarks between instances, with signed packages (docs/sectors.md).

A sector body runs its own csfpilot instance. Its members, each on their own instance:

1. **contribute** (:func:`contribution_package`): a ``benchmark-contribution`` package
   at the ``scores`` level — the counted profile's Function and profile scores, no text —
   signed with the organization's key;
2. the sector body **imports** it (:func:`import_contribution`) only when it is signed by a
   key on its member list for that sector (:class:`RemoteMember`: name and fingerprint,
   added by the operator or the steward), intact, for that sector, and newer than anything
   that member sent before; an unknown, revoked, altered or replayed package is refused,
   naming why, and nothing is stored;
3. the sector body **publishes** (:func:`aggregate_package`) a signed
   ``benchmark-aggregate`` with the same rule as the in-instance benchmark
   (:mod:`.disclosure`: k contributors and the p% rule both ways); withheld numbers carry
   no value at all;
4. members **import the aggregate** (:func:`import_aggregate`) when it is signed by a key
   they trust (``csfpilot keys trust``), and see their position on the benchmark page,
   labelled with the aggregate's date and source — offline.
"""

from __future__ import annotations

import hashlib
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from csfpilot.core.errors import InputRefused, NotFound
from csfpilot.formats.packages.container import build_package, read_package
from csfpilot.formats.packages.redaction import SCORES, listing, scores_document
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.organizations.sectors import Sector
from csfpilot.webapp.packages import services as packages
from csfpilot.webapp.profiles import lookups
from csfpilot.webapp.profiles import models as pm
from csfpilot.webapp.sectors import disclosure, services
from csfpilot.webapp.sectors.aggregates import SIDES
from csfpilot.webapp.sectors.disclosure import TOP, Extremes
from csfpilot.webapp.sectors.models import (
    PROFILE_CODE,
    MemberStatus,
    ReceivedAggregate,
    RemoteContribution,
    RemoteMember,
    SeenContribution,
)
from csfpilot.webapp.sectors.stewardship import known_sector

CONTRIBUTION = "benchmark-contribution"
AGGREGATE = "benchmark-aggregate"


@dataclass(frozen=True)
class Signed:
    data: bytes
    package_id: str
    fingerprint: str
    organization: str


# -- 1. a member's contribution ---------------------------------------------------------------


def _contributed_profile(access: Access, profile_id: Any | None) -> pm.Profile:
    """The profile chosen (an Organizational Profile on CSF 2.0), or else the counted one."""
    org = access.organization
    if profile_id in (None, ""):
        profile_id = services.counted_profile_id(org)
        if profile_id is None:
            raise InputRefused(
                f"{org.slug} has no Organizational Profile on {services.BENCHMARK_FRAMEWORK} "
                "to contribute; create one or choose it on the benchmark page",
                field="profile",
            )
    row = lookups.profile(access, profile_id)
    if row.kind != "organizational" or row.framework.key != services.BENCHMARK_FRAMEWORK:
        raise InputRefused(
            f"{row.name}: only an Organizational Profile on {services.BENCHMARK_FRAMEWORK} "
            "is compared in a sector benchmark",
            field="profile",
        )
    return row


def contribution_members(
    access: Access, sector: str, profile_id: Any | None = None
) -> dict[str, Any]:
    """Exactly what a contribution holds: the sector, the framework and the scores.

    The package and its preview are built from this one dictionary, so the preview is what
    leaves.
    """
    lookups.ensure(access, Permission.EXPORT)
    sector = known_sector(sector)
    row = _contributed_profile(access, profile_id)
    scores = scores_document(lookups.domain_profile(row), lookups.framework_of(row))
    # Scores only, and no Category detail: a benchmark compares Functions.
    scores["categories"] = []
    return {
        "contribution.json": {"sector": sector, "framework": row.framework.key},
        "scores.json": scores,
    }


def contribution_preview(
    access: Access, sector: str, profile_id: Any | None = None
) -> list[tuple[str, str, Any]]:
    """Every field a contribution of the profile would hold (member, field, value)."""
    return listing(contribution_members(access, sector, profile_id))


def contribution_package(access: Access, sector: str, profile_id: Any | None = None) -> Signed:
    """A signed, scores-only contribution to ``sector``: of the profile chosen, or else of
    the organization's counted profile."""
    members = contribution_members(access, sector, profile_id)
    sector = members["contribution.json"]["sector"]
    org = access.organization
    signer = packages.signer_for(access)
    data = build_package(CONTRIBUTION, members, SCORES, signer, title="")
    pkg = read_package(data, {signer.fingerprint: org.name})
    with transaction.atomic():
        audit.record(
            access,
            "export",
            pkg.package_id,
            audit.Action.DOWNLOAD,
            label=f"benchmark contribution: {sector}",
            changes={"kind": [None, CONTRIBUTION], "sector": [None, sector]},
        )
    return Signed(data, pkg.package_id, signer.fingerprint, org.name)


# -- 2. the sector body's member list and the contributions it accepts --------------------------


def add_member(sector: str, name: str, fingerprint: str, user: Any = None) -> RemoteMember:
    """Put a member organization's key on the sector's list (the operator or steward checked it).

    ``user`` is the steward or operator signed in on the web; None on the command line.
    """
    sector = known_sector(sector)
    fingerprint = "".join((fingerprint or "").split()).lower()
    if len(fingerprint) != 40 or any(c not in "0123456789abcdef" for c in fingerprint):
        raise InputRefused(f"{fingerprint!r} is not a key fingerprint (40 hex digits)")
    name = (name or "").strip()
    if not name:
        raise InputRefused("a member needs a name", field="name")
    with transaction.atomic():
        row, created = RemoteMember.objects.update_or_create(
            sector=sector,
            fingerprint=fingerprint,
            defaults={"name": name, "status": MemberStatus.APPROVED, "added_at": timezone.now()},
        )
        audit.append(
            None,
            _who(user),
            object_type="sector_membership",
            object_id=sector,
            action=audit.Action.CREATE if created else audit.Action.UPDATE,
            label=name,
            changes={
                "fingerprint": [None, fingerprint],
                "benchmark_membership": [None, "approved"],
            },
        )
    return row


def revoke_member(sector: str, fingerprint: str, user: Any = None) -> RemoteMember:
    """Take a member's key off the list: its contribution stops counting (kept, not deleted,
    so that adding the key again is a recorded decision, not a silent return)."""
    sector = known_sector(sector)
    fingerprint = "".join((fingerprint or "").split()).lower()
    row = RemoteMember.objects.filter(sector=sector, fingerprint=fingerprint).first()
    if row is None:
        raise NotFound(f"no member with the key {fingerprint} in {sector}")
    with transaction.atomic():
        before = row.status
        row.status = MemberStatus.REVOKED
        row.save(update_fields=["status"])
        audit.append(
            None,
            _who(user),
            object_type="sector_membership",
            object_id=sector,
            action=audit.Action.UPDATE,
            label=row.name,
            changes={"benchmark_membership": [before, "revoked"]},
        )
    return row


def _who(user: Any) -> audit.Who:
    return audit.user_actor(user) if getattr(user, "pk", None) else audit.CLI


def remote_members(sector: str) -> list[RemoteMember]:
    """The sector's member list, each with its latest contribution (or none) in one query."""
    return list(
        RemoteMember.objects.filter(sector=known_sector(sector)).select_related("contribution")
    )


def _percent(value: Any, where: str) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputRefused(f"{where}: {value!r} is not a percentage") from None
    if not 0 <= number <= TOP:
        raise InputRefused(f"{where}: {number} is outside 0–100")
    return number


def _contributed_scores(members: dict[str, Any], sector: str, name: str) -> dict[str, list]:
    contribution = members.get("contribution.json")
    scores = members.get("scores.json")
    if not isinstance(contribution, dict) or not isinstance(scores, dict):
        raise InputRefused(f"{name}: a contribution holds contribution.json and scores.json")
    if contribution.get("sector") != sector:
        raise InputRefused(
            f"{name}: this contribution is for the sector {contribution.get('sector')!r}, "
            f"not {sector!r}"
        )
    if scores.get("framework") != services.BENCHMARK_FRAMEWORK:
        raise InputRefused(
            f"{name}: scores on {scores.get('framework')!r}; the benchmark compares "
            f"{services.BENCHMARK_FRAMEWORK} profiles"
        )
    total = scores.get("profile") or {}
    out = {PROFILE_CODE: [_percent(total.get(side), f"{name}: profile {side}") for side in SIDES]}
    for node in scores.get("functions") or []:
        code = str(node.get("code", ""))
        out[code] = [_percent(node.get(side), f"{name}: {code} {side}") for side in SIDES]
    return out


def import_contribution(
    data: bytes, sector: str, *, filename: str = "package", user: Any = None
) -> RemoteContribution:
    """Verify a member's contribution against the sector's member list and keep it; or refuse."""
    sector = known_sector(sector)
    listed = RemoteMember.objects.filter(sector=sector)
    trusted = {m.fingerprint: m.name for m in listed if m.status == MemberStatus.APPROVED}
    revoked = {m.fingerprint for m in listed if m.status == MemberStatus.REVOKED}
    pkg = read_package(data, trusted, revoked=revoked, name=filename)  # altered: refused here
    if pkg.kind != CONTRIBUTION:
        raise InputRefused(f"{filename}: a {pkg.kind} package, not a benchmark contribution")
    if not pkg.trusted:
        raise InputRefused(
            f"{filename}: refused — {'; '.join(pkg.problems)}; only members on the {sector} "
            "member list (name and key fingerprint, added by the operator or the steward) "
            "contribute"
        )
    if pkg.redaction != SCORES:
        raise InputRefused(
            f"{filename}: a contribution is at the scores level, not {pkg.redaction}"
        )
    scores = _contributed_scores(pkg.members, sector, filename)
    member = listed.get(fingerprint=pkg.fingerprint)
    with transaction.atomic():
        if SeenContribution.objects.filter(package_id=pkg.package_id).exists():
            raise InputRefused(f"{filename}: package {pkg.package_id} was imported before (replay)")
        latest = RemoteContribution.objects.filter(member=member).first()
        if latest is not None and pkg.created <= latest.created:
            raise InputRefused(
                f"{filename}: {member.name} already sent a contribution signed "
                f"{latest.created:%Y-%m-%d %H:%M:%S} UTC; this one is not newer (replay)"
            )
        now = timezone.now()
        SeenContribution.objects.create(package_id=pkg.package_id, seen_at=now)
        row, _ = RemoteContribution.objects.update_or_create(
            member=member,
            defaults={
                "package_id": pkg.package_id,
                "created": pkg.created,
                "received_at": now,
                "sha256": hashlib.sha256(data).hexdigest(),
                "scores": scores,
            },
        )
        audit.append(
            None,
            _who(user),
            object_type="sector_contribution",
            object_id=sector,
            action=audit.Action.IMPORT,
            label=member.name,
            changes={"package": [None, pkg.package_id], "fingerprint": [None, pkg.fingerprint]},
        )
    return row


@dataclass(frozen=True)
class Received:
    """One uploaded contribution: kept (``row``) or refused (``reason``)."""

    filename: str
    row: RemoteContribution | None = None
    reason: str = ""


def import_contributions(
    uploads: list[tuple[bytes, str]], sector: str, *, user: Any = None
) -> list[Received]:
    """Import several contributions, each on its own: one refused does not stop the others,
    and nothing of a refused one is kept."""
    sector = known_sector(sector)
    out = []
    for data, filename in uploads:
        try:
            row = import_contribution(data, sector, filename=filename, user=user)
        except InputRefused as exc:
            out.append(Received(filename, reason=str(exc)))
        else:
            out.append(Received(filename, row=row))
    return out


# -- 3. the published aggregate ---------------------------------------------------------------


def _stats(values: list[float]) -> dict[str, float]:
    if len(values) == 1:
        v = values[0]
        return {"mean": v, "q1": v, "median": v, "q3": v}
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return {"mean": statistics.fmean(values), "q1": q1, "median": median, "q3": q3}


def aggregate_rows(sector: str) -> tuple[int, list[dict[str, Any]]]:
    """(contributors, rows) over the approved members' latest contributions, with the rule."""
    contributions = list(
        RemoteContribution.objects.filter(
            member__sector=sector, member__status=MemberStatus.APPROVED
        ).values_list("scores", flat=True)
    )
    codes: list[str] = [PROFILE_CODE]
    for scores in contributions:
        codes += [c for c in scores if c not in codes]
    rows = []
    for code in codes:
        row: dict[str, Any] = {"code": code}
        for i, side in enumerate(SIDES):
            values = sorted(
                s[code][i] for s in contributions if code in s and s[code][i] is not None
            )
            n = len(values)
            side_out: dict[str, Any] = {"n": n, "withheld": "few"}
            if n:
                ex = Extremes(
                    n=n,
                    total=sum(values),
                    top=values[-1],
                    second=values[-2] if n > 1 else 0.0,
                    bottom=values[0],
                    second_bottom=values[1] if n > 1 else TOP,
                )
                why = disclosure.verdict(ex)
                side_out = {"n": n, "withheld": None if why is None else why.value}
                if why is None:
                    side_out.update({k: round(v, 4) for k, v in _stats(values).items()})
            row[side] = side_out
        rows.append(row)
    return len(contributions), rows


def aggregate_package(access: Access, sector: str) -> Signed:
    """The sector's aggregate, signed with the sector body's organization key."""
    lookups.ensure(access, Permission.EXPORT)
    sector = known_sector(sector)
    contributors, rows = aggregate_rows(sector)
    now = timezone.now()
    members = {
        "aggregate.json": {
            "sector": sector,
            "published": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "framework": services.BENCHMARK_FRAMEWORK,
            "contributors": contributors,
            "min_orgs": disclosure.min_orgs(),
            "p_percent": disclosure.p_percent(),
            "rows": rows,
        }
    }
    signer = packages.signer_for(access)
    data = build_package(AGGREGATE, members, SCORES, signer, title=str(Sector(sector).label))
    pkg = read_package(data, {signer.fingerprint: access.organization.name})
    with transaction.atomic():
        audit.record(
            access,
            "export",
            pkg.package_id,
            audit.Action.DOWNLOAD,
            label=f"benchmark aggregate: {sector}",
            changes={"kind": [None, AGGREGATE], "contributors": [None, contributors]},
        )
    return Signed(data, pkg.package_id, signer.fingerprint, access.organization.name)


# -- 4. a member imports the aggregate ---------------------------------------------------------


def import_aggregate(
    access: Access, data: bytes, *, filename: str = "package"
) -> ReceivedAggregate:
    """Keep a sector body's aggregate for the organization, if a trusted key signed it."""
    lookups.ensure(access, Permission.EDIT_SETTINGS)
    org = access.organization
    names, revoked = packages.trust_lists(org)
    pkg = read_package(data, names, revoked=revoked, name=filename)
    if pkg.kind != AGGREGATE:
        raise InputRefused(f"{filename}: a {pkg.kind} package, not a benchmark aggregate")
    if not pkg.trusted:
        raise InputRefused(
            f"{filename}: refused — {'; '.join(pkg.problems)}; trust the sector body's key "
            "first (csfpilot keys trust FINGERPRINT --org ORG, after checking it with them)"
        )
    body = pkg.members.get("aggregate.json")
    if not isinstance(body, dict) or not isinstance(body.get("rows"), list):
        raise InputRefused(f"{filename}: aggregate.json is missing or has no rows")
    sector = known_sector(str(body.get("sector", "")))
    try:
        published = datetime.strptime(str(body["published"]), "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=UTC
        )
    except (KeyError, ValueError):
        raise InputRefused(f"{filename}: aggregate.json has no valid published time") from None
    rows = _clean_rows(body["rows"], filename)
    with transaction.atomic():
        if ReceivedAggregate.objects.filter(organization=org, package_id=pkg.package_id).exists():
            raise InputRefused(f"{filename}: package {pkg.package_id} was imported before (replay)")
        latest = ReceivedAggregate.objects.filter(organization=org, sector=sector).first()
        if latest is not None and published <= latest.published:
            raise InputRefused(
                f"{filename}: an aggregate published {latest.published:%Y-%m-%d %H:%M} UTC is "
                "already here; this one is not newer"
            )
        row = ReceivedAggregate.objects.create(
            organization=org,
            sector=sector,
            package_id=pkg.package_id,
            published=published,
            source=pkg.producer,
            fingerprint=pkg.fingerprint or "",
            trusted_as=pkg.trusted_as or "",
            imported_at=timezone.now(),
            contributors=int(body.get("contributors") or 0),
            min_orgs=int(body.get("min_orgs") or 0),
            p_percent=float(body.get("p_percent") or 0),
            rows=rows,
        )
        audit.record(
            access,
            "sector_aggregate",
            str(pkg.package_id),
            audit.Action.IMPORT,
            label=f"{Sector(sector).label} · {pkg.producer}",
            changes={
                "published": [None, body["published"]],
                "fingerprint": [None, pkg.fingerprint],
            },
        )
    return row


def _clean_rows(rows: list[Any], filename: str) -> list[dict[str, Any]]:
    out = []
    for raw in rows[:64]:
        if not isinstance(raw, dict):
            raise InputRefused(f"{filename}: a row of aggregate.json is not an object")
        row: dict[str, Any] = {"code": str(raw.get("code", ""))[:20]}
        for side in SIDES:
            got = raw.get(side) or {}
            side_out: dict[str, Any] = {
                "n": int(got.get("n") or 0),
                "withheld": got.get("withheld"),
            }
            if got.get("withheld") is None:
                for key in ("mean", "q1", "median", "q3"):
                    side_out[key] = _percent(
                        got.get(key), f"{filename}: {row['code']} {side} {key}"
                    )
            row[side] = side_out
        out.append(row)
    return out


def latest_aggregate(access: Access) -> ReceivedAggregate | None:
    """The newest aggregate the organization imported for its sector."""
    lookups.ensure(access, Permission.VIEW)
    org = access.organization
    rows = ReceivedAggregate.objects.filter(organization=org)
    # The organization's own sector's when it has one; else the newest it imported.
    return (rows.filter(sector=org.sector) if org.sector else rows).first()


@dataclass(frozen=True)
class PublishedSide:
    """One number of an imported aggregate beside the organization's own score."""

    own: float | None
    n: int
    withheld: str | None
    mean: float | None = None
    q1: float | None = None
    median: float | None = None
    q3: float | None = None

    # Positions on the spread bar, as the in-instance rows give them.
    @property
    def spread(self) -> float:
        return 0.0 if self.q1 is None or self.q3 is None else max(self.q3 - self.q1, 0.5)

    @property
    def median_x(self) -> float:
        return 0.0 if self.median is None else min(max(self.median - 0.5, 0.0), 99.0)

    @property
    def own_x(self) -> float:
        return 0.0 if self.own is None else min(max(self.own - 0.8, 0.0), 98.4)


def published_rows(
    aggregate: ReceivedAggregate | None, bench: Any, side: str
) -> list[tuple[Any, PublishedSide]]:
    """The aggregate's rows in the benchmark's order, each with the organization's own score."""
    if aggregate is None:
        return []
    by_code = {r["code"]: r for r in aggregate.rows}
    out = []
    for row in bench.rows:
        got = by_code.get(row.code, {}).get(side) or {"n": 0, "withheld": "few"}
        numbers = {k: got.get(k) for k in ("mean", "q1", "median", "q3")}
        if got.get("withheld"):
            numbers = {}
        out.append(
            (
                row,
                PublishedSide(
                    own=row.side(side).own,
                    n=int(got.get("n") or 0),
                    withheld=got.get("withheld"),
                    **numbers,
                ),
            )
        )
    return out
