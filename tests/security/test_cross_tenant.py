"""Cross-tenant isolation: nothing of organization B reaches a member of A, and nothing
A sends can change B's data, move objects between organizations or set privileged
fields.

B (``globex``) is seeded with unique marker strings in every text a person can write:
the organization's name, profile names and descriptions, outcome notes, rationale and
owners, Tier rationale, action titles, owners and notes, snapshot labels, member
names and addresses, API token names. Then every read route of the URL
configuration and every GET operation of the OpenAPI schema is crawled as A's owner
and as A's auditor, with the routes' parameters filled with A's ids and with B's ids
in every combination; no response (body or headers) may hold a marker. A's own
markers must show up on the same crawl, so the crawl is known to reach the content.

Then writes: every write endpoint aimed at B's objects, requests that try to move
A's objects into B (or B's into A), and bodies, form posts and import files that set
privileged fields (``is_staff``, ``is_superuser``, ``organization``, ``role``,
``version``, ids). The protected state of the database (all of B's rows, every
account's privileges, every row's owner organization or profile, versions) is
compared before and after each request: rows changed must be 0.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from csfpilot.webapp.accounts.models import ApiToken
from csfpilot.webapp.accounts.services import issue_token
from csfpilot.webapp.config.api import api
from csfpilot.webapp.evidence import models as em
from csfpilot.webapp.evidence import services as evidence
from csfpilot.webapp.intake import services as intake
from csfpilot.webapp.intake.models import HeldUpload
from csfpilot.webapp.mapping import models as mm
from csfpilot.webapp.mapping import services as mapping
from csfpilot.webapp.organizations.models import Invitation, Membership, Organization
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles import services
from csfpilot.webapp.sectors.models import SectorMember, SectorSteward
from csfpilot.webapp.suppliers import models as sm
from csfpilot.webapp.suppliers import services as suppliers
from tests.community_workbooks import sector_workbook
from tests.security.test_authz_grid import (
    ENDPOINTS,
    Grid,
    Ids,
    body_for,
    build_grid,
    put_evidence_files,
    url_for,
)

MARK = "ZQX"  # every marker starts so; nothing else in the app does
MARK_RE = re.compile(r"ZQX[AB]-[a-z-]+-\d+")


@dataclass
class Tenants:
    grid: Grid
    b_markers: list[str]
    a_markers: list[str]
    b_action: str  # B's action code


def _seed(access, profile_id: int, side: str, counter: Iterator[int]) -> list[str]:
    """Write a marker into every free-text field of one organization's objects."""
    marks: list[str] = []

    def mark(field: str) -> str:
        value = f"{MARK}{side}-{field}-{next(counter)}"
        marks.append(value)
        return value

    row = m.Profile.objects.get(pk=profile_id)
    services.update_profile(
        access,
        profile_id,
        {
            "name": mark("profile-name"),
            "description": mark("profile-description"),
            "assumptions": mark("profile-assumptions"),
            "scope_name": mark("scope-name"),
        },
        expected_version=row.version,
    )
    for code in ("GV.OC-01", "ID.AM-01", "PR.AA-03"):
        outcome = m.ProfileOutcome.objects.get(profile_id=profile_id, code=code)
        services.update_outcome(
            access,
            profile_id,
            code,
            {
                "notes": mark("notes"),
                "rationale": mark("rationale"),
                "owner_name": mark("owner"),
                "considerations": mark("considerations"),
                "current": "partially",
                "target": "fully",
            },
            expected_version=outcome.version,
        )
    row = m.Profile.objects.get(pk=profile_id)
    services.set_tiers(
        access,
        profile_id,
        {"governance": {"current": 2, "target": 3, "current_rationale": mark("tier-rationale")}},
        expected_version=row.version,
    )
    action = services.create_action(
        access,
        profile_id,
        {
            "title": mark("action-title"),
            "outcomes": ["PR.AA-03"],
            "owner_name": mark("action-owner"),
            "notes": mark("action-notes"),
            "milestone": mark("milestone"),
        },
    )
    services.take_snapshot(access, profile_id, label=mark("snapshot-label"))
    # A workbook held by a wizard is its uploader's alone.
    intake.hold(access, "community", sector_workbook(), f"{mark('held-file')}.xlsx")
    community = services.create_profile(access, name=mark("community-name"), kind="community")
    assert community.pk
    assert action.code
    return marks


def _seed_evidence(access, ids: Ids, side: str, counter: Iterator[int]) -> list[str]:
    """Markers in every text of the grid's evidence objects, as their API shows them."""
    marks: list[str] = []

    def mark(field: str) -> str:
        value = f"{MARK}{side}-{field}-{next(counter)}"
        marks.append(value)
        return value

    item = em.EvidenceItem.objects.get(pk=ids.item)
    evidence.update_item(
        access,
        item.pk,
        evidence.ItemFields(
            title=mark("evidence-title"),
            description=mark("evidence-description"),
            source=mark("evidence-source"),
            owner_name=mark("evidence-owner"),
            kind=item.kind,
        ),
        version=item.version,
    )
    evidence.add_version(
        access,
        ids.note,
        evidence.Content(statement=mark("evidence-statement"), note=mark("version-note")),
    )
    evidence.link(
        access, ids.note, ids.profile, "GV.OC-01", side="target", statement=mark("link-statement")
    )
    evidence.review(access, ids.link, "rejected", mark("review-comment"))
    request = em.EvidenceRequest.objects.get(pk=ids.request)
    evidence.ask(
        access,
        ids.profile,
        ["GV.OC-01"],
        assignee_id=request.assignee_id,
        due=request.due,
        note=mark("request-note"),
    )
    evidence.submit(access, ids.request, [ids.note], response=mark("request-response"))
    return marks


def _seed_mapping(access, ids: Ids, side: str, counter: Iterator[int]) -> list[str]:
    """Markers in a mapping project's name and in a reviewer's note on its accepted pair."""
    name = f"{MARK}{side}-mapping-project-{next(counter)}"
    note = f"{MARK}{side}-mapping-note-{next(counter)}"
    mm.MappingProject.objects.filter(pk=ids.project).update(name=name)
    accepted = mm.Pair.objects.get(project_id=ids.project, state="accepted")
    mapping.review(
        access, ids.project, accepted.pk, mapping.Decision("accept", note=note), version=None
    )
    return [name, note]


def _seed_suppliers(access, ids: Ids, side: str, counter: Iterator[int]) -> list[str]:
    """Markers in the texts of the grid's supplier, its contacts and its remediation."""
    marks: list[str] = []

    def mark(field: str) -> str:
        value = f"{MARK}{side}-{field}-{next(counter)}"
        marks.append(value)
        return value

    row = sm.Supplier.objects.get(pk=ids.supplier)
    suppliers.update_supplier(
        access,
        row.pk,
        {
            "name": mark("supplier-name"),
            "services": mark("supplier-services"),
            "notes": mark("supplier-notes"),
            "tier_reason": mark("tier-reason"),
        },
        expected_version=row.version,
        contacts=[{"name": mark("contact-name"), "email": "c@vendor.test"}],
    )
    sm.Remediation.objects.filter(pk=ids.remediation).update(request=mark("remediation"))
    sm.Questionnaire.objects.filter(pk=ids.questionnaire).update(guidance=mark("guidance"))
    return marks


def build_tenants() -> Tenants:
    g = build_grid()
    w = g.world
    counter = itertools.count(1)
    b_marks = _seed(w.other_access(), g.foreign.profile, "B", counter)
    a_marks = _seed(w.access("owner"), g.own.profile, "A", counter)
    b_marks += _seed_evidence(w.other_access(), g.foreign, "B", counter)
    a_marks += _seed_evidence(w.access("owner"), g.own, "A", counter)
    b_marks += _seed_mapping(w.other_access(), g.foreign, "B", counter)
    a_marks += _seed_mapping(w.access("owner"), g.own, "A", counter)
    b_marks += _seed_suppliers(w.other_access(), g.foreign, "B", counter)
    a_marks += _seed_suppliers(w.access("owner"), g.own, "A", counter)
    # B's organization, people and tokens carry markers too.
    Organization.objects.filter(pk=w.other.pk).update(name=f"{MARK}B-org-name-{next(counter)}")
    b_marks.append(Organization.objects.get(pk=w.other.pk).name)
    for membership in Membership.objects.filter(organization=w.other).select_related("user"):
        n = next(counter)
        user = membership.user
        user.first_name = f"{MARK}B-first-name-{n}"
        user.last_name = f"{MARK}B-last-name-{n}"
        user.email = f"{MARK.lower()}b-email-{n}@globex.test"
        user.save()
        b_marks += [user.first_name, user.last_name]
        issue_token(user, "globex", membership.role, f"{MARK}B-token-name-{n}")
        b_marks.append(f"{MARK}B-token-name-{n}")
    # B's pending invitation names an address that must show nowhere of A's.
    invite_mark = f"{MARK.lower()}b-invitee-{next(counter)}@globex.test"
    Invitation.objects.filter(pk=g.foreign.invitation).update(email=invite_mark)
    b_marks.append(invite_mark)
    # B asked to count in A's sector: the steward's list names it; A must never see that.
    from csfpilot.webapp.sectors import services as sectors

    sectors.set_sector(w.other_access(), "energy")
    b_action = m.Action.objects.filter(profile_id=g.foreign.profile).order_by("-pk")[0].code
    return Tenants(g, b_marks, a_marks, b_action)


@pytest.fixture(scope="module")
def tenants(django_db_setup, django_db_blocker) -> Iterator[Tenants]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_tenants()
        transaction.set_rollback(True)


# -- the read crawl -------------------------------------------------------------------------------


def read_routes() -> list[str]:
    """Every GET route: page patterns from the URL configuration, API paths from the schema."""
    routes: list[str] = []

    def walk(patterns, prefix: str = "", namespace: str = "") -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(x for x in (namespace, p.namespace) if x)
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and not namespace.startswith("api"):
                routes.append("/" + (prefix + str(p.pattern)).replace("^", "").replace("$", ""))

    walk(get_resolver().url_patterns)
    schema = api.get_openapi_schema()
    for path, ops in schema["paths"].items():
        if "get" in ops:
            query = [
                p["name"]
                for p in ops["get"].get("parameters", [])
                if p.get("in") == "query" and p.get("required")
            ]
            routes.append(path + ("?" + "&".join(f"{q}={{{q}}}" for q in query) if query else ""))
    return routes


PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)|\{(\w+)\}")


def fillings(route: str, t: Tenants) -> Iterator[str]:
    """``route`` with every combination of A's and B's values for its parameters."""
    g = t.grid
    a, b = g.own, g.foreign
    values: dict[str, list[str]] = {
        "slug": ["acme", "globex"],
        "pk": [str(a.profile), str(b.profile), str(a.community), str(b.community)],
        "profile_id": [str(a.profile), str(b.profile)],
        "community_id": [str(a.community), str(b.community)],
        "snapshot": [str(a.snapshot), str(b.snapshot)],
        "snapshot_id": [str(a.snapshot), str(b.snapshot)],
        "member_id": [str(a.member), str(b.member)],
        "token_id": [str(g.own_token_ids["owner"]), str(g.outsider_token_id)],
        "code": ["GV.OC-01", "A-001", t.b_action],
        "key": [g.key, g.dataset],
        "fmt": ["csv", "oscal", "xlsx"],
        "before": [f"snapshot:{a.snapshot}", f"snapshot:{b.snapshot}"],
        "after": [f"profile:{a.profile}", f"profile:{b.profile}"],
        "format": ["json", "yaml"],
        "q": [MARK, "asset"],
        "uidb36": ["1"],
        "item_id": [str(a.item), str(a.note), str(b.item), str(b.note)],
        "link_id": [str(a.link), str(b.link)],
        "request_id": [str(a.request), str(b.request)],
        # The evidence pages name the same objects more briefly.
        "item": [str(a.item), str(a.note), str(b.item), str(b.note)],
        "link": [str(a.link), str(b.link)],
        "req": [str(a.request), str(b.request)],
        "scan_id": [str(a.scan), str(b.scan)],
        "scan": [str(a.scan), str(b.scan)],
        "series": ["bandit | "],
        "outcome": ["PR.PS-06"],
        "number": ["1", "2"],
        "provider_id": ["nowhere"],
        "project": [str(a.project), str(b.project)],
        "project_id": [str(a.project), str(b.project)],
        "pair": [str(a.pair), str(b.pair)],
        "pair_id": [str(a.pair), str(b.pair)],
        "supplier_id": [str(a.supplier), str(b.supplier)],
        "questionnaire_id": [str(a.questionnaire), str(b.questionnaire)],
        "remediation_id": [str(a.remediation), str(b.remediation)],
        "sector": ["energy", "water"],
    }
    names = [next(x for x in mt.groups() if x) for mt in PARAM.finditer(route)]
    if not names:
        yield route
        return
    choices = [values.get(n, ["1"]) for n in names]
    for combo in itertools.product(*choices):
        it = iter(combo)
        yield PARAM.sub(lambda _mt, it=it: next(it), route)


def _crawl(t: Tenants, role: str) -> tuple[int, dict[str, set[str]], set[str]]:
    """Fetch every filled read route as ``role`` of A; (requests, leaks, A markers seen)."""
    client = Client()
    client.force_login(t.grid.world.users[role])
    put_evidence_files(t.grid)
    leaks: dict[str, set[str]] = {}
    seen_a: set[str] = set()
    requests = 0
    for route in read_routes():
        for url in fillings(route, t):
            if "logout" in url:
                continue  # signing out would end the crawl's session
            cache.clear()
            requests += 1
            response = client.get(url, headers={"HX-Request": "true"} if "plan/" in url else {})
            text = b"".join(response) if response.streaming else response.content
            blob = (
                text.decode("utf-8", "replace")
                + "\n"
                + "\n".join(f"{k}: {v}" for k, v in response.items())
            )
            found = set(MARK_RE.findall(blob)) | set(
                re.findall(rf"{MARK.lower()}b-email-\d+@globex\.test", blob)
            )
            bad = {x for x in found if x.startswith((f"{MARK}B", f"{MARK.lower()}b"))}
            if bad:
                leaks[url] = bad
            seen_a |= {x for x in found if x.startswith(f"{MARK}A")}
    return requests, leaks, seen_a


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["owner", "auditor"])
def test_no_marker_of_another_organization_is_ever_shown(tenants: Tenants, role: str, figure):
    requests, leaks, seen_a = _crawl(tenants, role)
    figure(
        "cross_tenant_crawl",
        {"requests": requests, "markers_leaked": sum(len(v) for v in leaks.values())},
        part=role,
    )
    figure(
        "cross_tenant_seed",
        {"read_routes": len(read_routes()), "markers_seeded": len(tenants.b_markers)},
    )
    assert leaks == {}
    # The crawl reached the content: most of A's own markers were on some page.
    assert len(seen_a) >= len(tenants.a_markers) * 3 // 4, sorted(set(tenants.a_markers) - seen_a)
    # Every text of A's evidence is shown somewhere, so B's evidence had its chance to leak.
    shown_by_evidence = ("-evidence-", "-version-note-", "-link-", "-review-", "-request-")
    assert (
        sorted(
            x
            for x in tenants.a_markers
            if any(f in x for f in shown_by_evidence) and x not in seen_a
        )
        == []
    )


# -- writes ---------------------------------------------------------------------------------------


State = dict[tuple[str, int], tuple]


def protected_state(t: Tenants) -> State:
    """What no request of A's may change: B's rows, privileges, owners, versions.

    Keyed by (what, primary key); every row of a tenant's objects carries the id of the
    organization it belongs to, so a new row can be told to be A's own.
    """
    b_org = t.grid.world.other.pk
    state: State = {}

    def rows(label: str, qs, *fields: str) -> None:
        for pk, *values in qs.values_list("pk", *fields):
            state[(label, pk)] = tuple(json.dumps(v, sort_keys=True, default=str) for v in values)

    def every_field(model) -> list[str]:
        return [f.attname for f in model._meta.concrete_fields]

    user = get_user_model()
    rows("org", Organization.objects.all(), "pk", "slug")
    rows("b-org", Organization.objects.filter(pk=b_org), "name", "slug")
    rows("user", user.objects.all(), "pk", "is_staff", "is_superuser", "is_active")
    rows("b-user", user.objects.filter(memberships__organization_id=b_org), *every_field(user))
    rows("membership", Membership.objects.all(), "organization_id", "user_id")
    rows("b-membership", Membership.objects.filter(organization_id=b_org), "role")
    rows("invitation", Invitation.objects.all(), "organization_id", "email", "role")
    rows("b-invitation", Invitation.objects.filter(organization_id=b_org), *every_field(Invitation))
    rows("token", ApiToken.objects.all(), "organization_id", "user_id", "role")
    rows("b-token", ApiToken.objects.filter(organization_id=b_org), *every_field(ApiToken))
    rows("profile", m.Profile.objects.all(), "organization_id")
    rows("held", HeldUpload.objects.all(), "organization_id", "user_id")
    # Who counts in a sector: no member of A may approve A, or touch B's standing.
    rows("sector-member", SectorMember.objects.all(), "organization_id", "status", "decided_by_id")
    rows("b-sector-member", SectorMember.objects.filter(organization_id=b_org), "sector", "status")
    rows("steward", SectorSteward.objects.all(), "sector", "user_id")
    rows("b-held", HeldUpload.objects.filter(organization_id=b_org), "filename", "sha256")
    b_profiles = m.Profile.objects.filter(organization_id=b_org)
    rows("b-profile", b_profiles, *every_field(m.Profile))
    for label, model in (
        ("outcome", m.ProfileOutcome),
        ("action", m.Action),
        ("snapshot", m.Snapshot),
    ):
        rows(label, model.objects.all(), "profile__organization_id", "profile_id")
        rows(
            f"b-{label}", model.objects.filter(profile__organization_id=b_org), *every_field(model)
        )
    # Evidence: each row's organization first (a new row of A's own is fine), then its parents.
    for label, model, org_path, parents in (
        ("evidence-item", em.EvidenceItem, "organization_id", ()),
        ("evidence-file", em.StoredFile, "organization_id", ()),
        ("evidence-version", em.EvidenceVersion, "item__organization_id", ("item_id",)),
        (
            "evidence-link",
            em.EvidenceLink,
            "item__organization_id",
            ("item_id", "profile_id", "outcome_id"),
        ),
        ("evidence-request", em.EvidenceRequest, "organization_id", ("profile_id",)),
    ):
        rows(label, model.objects.all(), org_path, *parents)
        rows(f"b-{label}", model.objects.filter(**{org_path: b_org}), *every_field(model))
    # Crosswalk reviews: the project's organization, then each row's project.
    for label, model, org_path, parents in (
        ("mapping-project", mm.MappingProject, "organization_id", ()),
        ("mapping-requirement", mm.Requirement, "project__organization_id", ("project_id",)),
        ("mapping-pair", mm.Pair, "project__organization_id", ("project_id", "requirement_id")),
    ):
        rows(label, model.objects.all(), org_path, *parents)
        rows(f"b-{label}", model.objects.filter(**{org_path: b_org}), *every_field(model))
    # Suppliers: the same, each row's organization first.
    for label, model, org_path, parents in (
        ("supplier", sm.Supplier, "organization_id", ("requirement_profile_id",)),
        ("supplier-contact", sm.Contact, "supplier__organization_id", ("supplier_id",)),
        ("questionnaire", sm.Questionnaire, "organization_id", ("supplier_id",)),
        ("questionnaire-item", sm.QuestionnaireItem, "questionnaire__organization_id", ()),
        ("guest-link", sm.GuestLink, "questionnaire__organization_id", ("questionnaire_id",)),
        ("remediation", sm.Remediation, "organization_id", ("supplier_id", "questionnaire_id")),
    ):
        rows(label, model.objects.all(), org_path, *parents)
        rows(f"b-{label}", model.objects.filter(**{org_path: b_org}), *every_field(model))
    return state


OWNED = (
    "membership",
    "invitation",
    "token",
    "profile",
    "outcome",
    "action",
    "snapshot",
    "evidence-item",
    "evidence-file",
    "evidence-version",
    "evidence-link",
    "evidence-request",
    "held",
    "mapping-project",
    "mapping-requirement",
    "mapping-pair",
    "supplier",
    "supplier-contact",
    "questionnaire",
    "questionnaire-item",
    "guest-link",
    "remediation",
)


def forbidden_changes(before: State, after: State, a_org: int) -> list[str]:
    """Rows changed that no request of A's may change (a new row of A's own is fine)."""
    out = []
    for key in before.keys() | after.keys():
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if old is None and key[0] in OWNED and new[0] == json.dumps(a_org):
            continue  # A created something of its own
        out.append(f"{key}: {old} -> {new}")
    return out


def versions(t: Tenants) -> dict[tuple[str, int], int]:
    """Every version number: an accepted edit steps it by one, a body never sets it."""
    out: dict[tuple[str, int], int] = {}
    for label, model in (
        ("profile", m.Profile),
        ("outcome", m.ProfileOutcome),
        ("action", m.Action),
        ("evidence", em.EvidenceItem),
    ):
        for pk, v in model.objects.values_list("pk", "version"):
            out[(label, pk)] = v
    return out


@dataclass(frozen=True)
class Attempt:
    label: str
    method: str
    url: str
    body: dict | None = None
    form: dict | None = None
    upload: tuple[str, bytes] | None = None
    api: bool = True


def attempts(t: Tenants) -> list[Attempt]:
    g = t.grid
    a, b = g.own, g.foreign
    b_org = g.world.other.pk
    api_a = "/api/organizations/acme"
    out: list[Attempt] = []
    # 1. Every write endpoint of the grid, aimed at B (B's slug, and B's ids under A's slug).
    for e in ENDPOINTS:
        if e.method == "GET" or e.need in ("public", "account", "creator"):
            continue
        for scope in ("other", "foreign") if e.names_objects else ("other",):
            url = url_for(e, g, "owner", scope)
            body = body_for(e, g, scope)
            if e.upload is not None:
                upload = ("upload.bin", e.upload)
                out.append(Attempt(f"{e.key} [{scope}]", e.method, url, form=body, upload=upload))
            else:
                out.append(Attempt(f"{e.key} [{scope}]", e.method, url, body, api=e.is_api))
    # Suppliers: a body naming B's organization or B's Community Profile.
    sv = sm.Supplier.objects.get(pk=a.supplier).version
    for key, value in {
        "organization": "globex",
        "organization_id": b_org,
        "requirement_profile_id": b.community,
        "id": b.supplier,
    }.items():
        out.append(
            Attempt(
                f"supplier {key}",
                "PATCH",
                f"{api_a}/suppliers/{a.supplier}",
                {"version": sv, key: value},
            )
        )
    # 2. Re-parenting: A's profile into B, an action onto B's profile, B's into A.
    moves = {
        "organization": "globex",
        "organization_id": b_org,
        "org": "globex",
        "slug": "globex",
    }
    v = m.Profile.objects.get(pk=a.profile).version
    for key, value in moves.items():
        out.append(
            Attempt(
                f"profile {key}",
                "PATCH",
                f"{api_a}/profiles/{a.profile}",
                {"version": v, key: value},
            )
        )
    action_url = f"{api_a}/profiles/{a.profile}/actions/A-001"
    for key, value in {
        "profile": b.profile,
        "profile_id": b.profile,
        "organization": "globex",
    }.items():
        out.append(Attempt(f"action {key}", "PATCH", action_url, {"version": 1, key: value}))
    outcome_url = f"{api_a}/profiles/{a.profile}/outcomes/PR.AA-03"
    ov = m.ProfileOutcome.objects.get(profile_id=a.profile, code="PR.AA-03").version
    for key, value in {
        "profile": b.profile,
        "profile_id": b.profile,
        "id": 1,
        "organization": "globex",
    }.items():
        out.append(Attempt(f"outcome {key}", "PATCH", outcome_url, {"version": ov, key: value}))
    out.append(
        Attempt(
            "outcome owner from B",
            "PATCH",
            outcome_url,
            {"version": ov, "owner_id": g.world.outsider.pk},
        )
    )
    out.append(
        Attempt(
            "derive from B's community",
            "POST",
            f"{api_a}/profiles/{b.community}/derive-target",
            {"name": "Stolen"},
        )
    )
    # A transfer of A's profile written into B's profile, or of B's profile into A.
    out.append(
        Attempt(
            "transfer into B's profile",
            "POST",
            f"{api_a}/profiles/{a.profile}/transfer/apply",
            {"to": "csf-2.0", "onto": b.profile},
        )
    )
    out.append(
        Attempt(
            "transfer B's profile",
            "POST",
            f"{api_a}/profiles/{b.profile}/transfer/apply",
            {"to": "cis-v8.1", "name": "Stolen"},
        )
    )
    out.append(
        Attempt(
            "compare with B's snapshot",
            "GET",
            f"{api_a}/compare?before=snapshot:{b.snapshot}&after=profile:{a.profile}",
        )
    )
    # Evidence: A's item into B, links to B's outcomes, B's items into A's requests.
    ev = f"{api_a}/evidence"
    iv = em.EvidenceItem.objects.get(pk=a.item).version
    contributor = g.world.users["contributor"].pk
    for key, value in moves.items():
        out.append(
            Attempt(f"evidence {key}", "PATCH", f"{ev}/{a.item}", {"version": iv, key: value})
        )
    out += [
        Attempt(
            "link to B's outcome",
            "POST",
            f"{ev}/{a.item}/links",
            {"profile": b.profile, "outcome": "GV.OC-01", "side": "target"},
        ),
        Attempt(
            "answer with B's item", "POST", f"{ev}/requests/{a.request}/submit", {"items": [b.item]}
        ),
        Attempt(
            "request on B's profile",
            "POST",
            f"{ev}/requests",
            {
                "profile": b.profile,
                "outcomes": ["GV.OC-01"],
                "assignee": contributor,
                "due": "2030-01-31",
            },
        ),
        Attempt(
            "request to B's member",
            "POST",
            f"{ev}/requests",
            {
                "profile": a.profile,
                "outcomes": ["GV.OC-01"],
                "assignee": g.world.outsider.pk,
                "due": "2030-01-31",
            },
        ),
        Attempt("review B's link", "POST", f"{ev}/links/{b.link}/review", {"state": "accepted"}),
    ]
    # 3. Privileged fields in JSON bodies.
    for extra in (
        {"is_staff": True},
        {"is_superuser": True},
        {"role": "owner"},
        {"organization": "globex"},
        {"version": 999},
        {"id": b.profile},
    ):
        out.append(Attempt(f"rename org + {extra}", "PATCH", api_a, {"name": "Acme", **extra}))
        out.append(
            Attempt(
                f"outcome + {extra}", "PATCH", outcome_url, {"version": ov, "notes": "n", **extra}
            )
        )
        out.append(
            Attempt(
                f"member + {extra}",
                "PATCH",
                f"{api_a}/members/{a.member}",
                {"role": "viewer", **extra},
            )
        )
        out.append(
            Attempt(
                f"new evidence + {extra}",
                "POST",
                f"{api_a}/evidence",
                {"title": "Privileged", "statement": "s", **extra},
            )
        )
        out.append(
            Attempt(
                f"new profile + {extra}",
                "POST",
                f"{api_a}/profiles",
                {"name": "Privileged", **extra},
            )
        )
    # 4. Approving oneself: a sector's numbers count only organizations its steward approved.
    for extra in ({"status": "approved"}, {"membership": "approved"}, {"approved": True}):
        out.append(
            Attempt(f"sector + {extra}", "PUT", f"{api_a}/sector", {"sector": "energy", **extra})
        )
    out.append(
        Attempt(
            "token for B",
            "POST",
            "/api/tokens",
            {"name": "x", "organization": "globex", "role": "owner", "days": 1},
        )
    )
    out.append(
        Attempt(
            "member of B into A",
            "POST",
            f"{api_a}/members",
            {"email": "owner@globex.test", "role": "owner", "is_staff": True},
        )
    )
    # 4. Form posts with privileged fields.
    org_form = {
        "name": "Acme",
        "slug": "globex",
        "is_staff": "on",
        "is_superuser": "on",
        "organization": str(b_org),
    }
    out.append(Attempt("settings form", "POST", "/orgs/acme/settings/", form=org_form, api=False))
    out.append(
        Attempt(
            "member role form",
            "POST",
            f"/orgs/acme/members/{a.member}/role/",
            form={
                "role": "viewer",
                "is_staff": "on",
                "organization": str(b_org),
                "user": str(g.world.outsider.pk),
            },
            api=False,
        )
    )
    out.append(
        Attempt(
            "profile settings form",
            "POST",
            f"/orgs/acme/profiles/{a.profile}/settings/",
            form={
                "name": "P",
                "organization": str(b_org),
                "version": "999",
                "scope_type": "organization",
            },
            api=False,
        )
    )
    out.append(
        Attempt(
            "assess form",
            "POST",
            f"/orgs/acme/profiles/{a.profile}/assess/PR.AA-03/",
            form={
                "version": str(ov),
                "current": "fully",
                "profile": str(b.profile),
                "organization": str(b_org),
            },
            api=False,
        )
    )
    out.append(
        Attempt(
            "move B's profile to another release",
            "POST",
            f"/orgs/acme/profiles/{b.profile}/move-release/",
            form={"to": "csf-2.0", "version": "1"},
            api=False,
        )
    )
    # 5. Import files whose keys name another organization or privileged fields.
    head = "format_version: 1\nframework: csf-2.0\nscale: status\n"
    files = {
        "organization key": head + "name: Imp1\norganization: globex\n",
        "is_staff key": head + "name: Imp2\nis_staff: true\nis_superuser: true\n",
        "id and version": head + f"name: Imp3\nid: {b.profile}\nversion: 999\n",
        "outcome columns": head
        + (
            f"name: Imp4\noutcomes:\n  GV.OC-01: {{current: fully, profile: {b.profile}, "
            "organization: globex, version: 999}\n"
        ),
        "B's name, replace": head + f"name: {m.Profile.objects.get(pk=b.profile).name}\n",
    }
    for label, text in files.items():
        for url in (f"{api_a}/profiles/import", "/orgs/acme/profiles/import/"):
            out.append(
                Attempt(
                    f"import {label}",
                    "POST",
                    url,
                    form={"replace": "on"} if "replace" in label else None,
                    upload=("evil.yaml", text.encode()),
                    api=url.startswith("/api"),
                )
            )
    return out


def _send(client: Client, at: Attempt):
    if at.upload is not None:
        name, data = at.upload
        upload = SimpleUploadedFile(name, data, content_type="application/yaml")
        return client.post(at.url, {"file": upload, **(at.form or {})})
    if at.api:
        method = getattr(client, at.method.lower())
        if at.body is None:
            return method(at.url)
        return method(at.url, json.dumps(at.body), content_type="application/json")
    return getattr(client, at.method.lower())(at.url, at.form or {})


@pytest.mark.django_db
def test_writes_never_reach_another_organization_or_privileged_fields(tenants: Tenants, figure):
    client = Client()
    client.force_login(tenants.grid.world.users["owner"])
    changed: dict[str, list] = {}
    errors: dict[str, int] = {}
    tried = attempts(tenants)
    for at in tried:
        cache.clear()
        before, old_versions = protected_state(tenants), versions(tenants)
        with transaction.atomic():
            response = _send(client, at)
            after, new_versions = protected_state(tenants), versions(tenants)
            transaction.set_rollback(True)
        bad = forbidden_changes(before, after, tenants.grid.world.org.pk)
        bad += [
            f"{key} version {old_versions[key]} -> {v}"
            for key, v in new_versions.items()
            if key in old_versions and v not in (old_versions[key], old_versions[key] + 1)
        ]
        if bad:
            changed[at.label] = bad
        if response.status_code >= 500:
            errors[at.label] = response.status_code
    figure(
        "cross_tenant_writes",
        {
            "attempts": len(tried),
            "rows_changed": sum(len(v) for v in changed.values()),
            "server_errors": len(errors),
        },
    )
    assert {k: v[:6] for k, v in changed.items()} == {}
    assert errors == {}


@pytest.mark.django_db
def test_the_protected_state_notices_a_real_change(tenants: Tenants):
    """The comparison is not blind: a change made the normal way shows up in it."""
    before = protected_state(tenants)
    with transaction.atomic():
        services.update_outcome(
            tenants.grid.world.other_access(),
            tenants.grid.foreign.profile,
            "GV.OC-01",
            {"notes": "changed by B itself"},
            expected_version=m.ProfileOutcome.objects.get(
                profile_id=tenants.grid.foreign.profile, code="GV.OC-01"
            ).version,
        )
        after = protected_state(tenants)
        transaction.set_rollback(True)
    assert forbidden_changes(before, after, tenants.grid.world.org.pk)
