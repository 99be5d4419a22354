"""The profiles API: a generated authorization grid over every route, then behaviour —
versions and 409s, privileged fields, uploads with their refusals, exports, the schema.

The grid is one table (ROUTES); a profiles operation in the OpenAPI schema that is
missing from it fails ``test_every_profiles_operation_is_in_the_grid``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from csfpilot.webapp.accounts.services import issue_token
from csfpilot.webapp.config.api import api
from csfpilot.webapp.organizations.roles import ROLE_PERMISSIONS, Permission, Role
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles import services
from tests.webapp.profiles_world import ROLES, World, build_world

pytestmark = pytest.mark.django_db

P = Permission
FILE = b"""format_version: 1
framework: csf-2.0
name: Uploaded
scale: status
outcomes:
  GV.OC-01: {current: partially, target: fully, priority: high}
  PR.AA-03: {current: not, target: largely}
"""
COMMUNITY_FILE = (
    FILE.replace(b"name: Uploaded", b"name: Sector upload")
    .replace(b"current: partially, ", b"")
    .replace(b"current: not, ", b"")
    + b"kind: community\n"
)


@dataclass
class Objects:
    """One of each object in an organization: what the routes point at."""

    profile: int
    community: int
    snapshot: int


def _objects(world: World, access, *, contributor=None) -> Objects:
    profile = services.create_profile(access, name="Whole company")
    if contributor is not None:
        services.update_outcome(
            access, profile.pk, "GV.OC-01", {"owner_id": contributor.pk}, expected_version=1
        )
    services.update_outcome(
        access,
        profile.pk,
        "PR.AA-03",
        {"current": "not", "target": "fully"},
        expected_version=1,
    )
    services.create_action(access, profile.pk, {"title": "MFA", "outcomes": ["PR.AA-03"]})
    community = services.create_profile(access, name="Sector", kind="community")
    snapshot = services.take_snapshot(access, profile.pk, label="Q3")
    return Objects(profile.pk, community.pk, snapshot.pk)


@dataclass
class ApiWorld:
    world: World
    own: Objects
    foreign: Objects  # globex's objects


def _api_world(world: World) -> ApiWorld:
    own = _objects(world, world.access("owner"), contributor=world.users["contributor"])
    foreign = _objects(world, world.other_access())
    return ApiWorld(world, own, foreign)


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    """One world for every test of this module: created once; each test runs in a
    savepoint inside it (the ``db`` fixture), and all of it is rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _api_world(build_world())
        transaction.set_rollback(True)


@pytest.fixture
def api_world(module_world: ApiWorld, db) -> ApiWorld:
    return module_world


@dataclass(frozen=True)
class Route:
    name: str  # "METHOD /path" as in the OpenAPI schema
    url: str  # with {org}, {profile}, {community}, {snapshot}
    permission: Permission
    ok: int
    body: dict | None = None
    upload: bytes | None = None


BASE = "/api/organizations/{org}/profiles"
ROUTES = [
    Route("GET /organizations/{slug}/profiles", BASE, P.VIEW, 200),
    Route("POST /organizations/{slug}/profiles", BASE, P.EDIT_PROFILES, 201, {"name": "New"}),
    Route("GET /organizations/{slug}/profiles/{profile_id}", BASE + "/{profile}", P.VIEW, 200),
    Route(
        "PATCH /organizations/{slug}/profiles/{profile_id}",
        BASE + "/{profile}",
        P.EDIT_PROFILES,
        200,
        {"version": 1, "description": "All sites"},
    ),
    Route(
        "DELETE /organizations/{slug}/profiles/{profile_id}",
        BASE + "/{profile}",
        P.EDIT_PROFILES,
        204,
    ),
    Route(
        "GET /organizations/{slug}/profiles/{profile_id}/tiers",
        BASE + "/{profile}/tiers",
        P.VIEW,
        200,
    ),
    Route(
        "PUT /organizations/{slug}/profiles/{profile_id}/tiers",
        BASE + "/{profile}/tiers",
        P.EDIT_PROFILES,
        200,
        {"version": 1, "governance": {"current": 2, "target": 3}},
    ),
    Route(
        "GET /organizations/{slug}/profiles/{profile_id}/outcomes",
        BASE + "/{profile}/outcomes",
        P.VIEW,
        200,
    ),
    Route(
        "GET /organizations/{slug}/profiles/{profile_id}/outcomes/{code}",
        BASE + "/{profile}/outcomes/GV.OC-01",
        P.VIEW,
        200,
    ),
    # GV.OC-01 is assigned to the contributor, so the contributor may change it.
    Route(
        "PATCH /organizations/{slug}/profiles/{profile_id}/outcomes/{code}",
        BASE + "/{profile}/outcomes/GV.OC-01",
        P.EDIT_ASSIGNED_OUTCOMES,
        200,
        {"version": 2, "current": "largely"},
    ),
    Route(
        "GET /organizations/{slug}/profiles/{profile_id}/next-unanswered",
        BASE + "/{profile}/next-unanswered",
        P.VIEW,
        200,
    ),
    Route(
        "GET /organizations/{slug}/profiles/{profile_id}/progress",
        BASE + "/{profile}/progress",
        P.VIEW,
        200,
    ),
    Route(
        "GET /organizations/{slug}/profiles/{profile_id}/scores",
        BASE + "/{profile}/scores",
        P.VIEW,
        200,
    ),
    Route(
        "GET /organizations/{slug}/profiles/{profile_id}/gaps",
        BASE + "/{profile}/gaps",
        P.VIEW,
        200,
    ),
    Route(
        "GET /organizations/{slug}/profiles/{profile_id}/actions",
        BASE + "/{profile}/actions",
        P.VIEW,
        200,
    ),
    Route(
        "POST /organizations/{slug}/profiles/{profile_id}/actions",
        BASE + "/{profile}/actions",
        P.EDIT_PROFILES,
        201,
        {"title": "Segment the network", "outcomes": ["PR.IR-01"]},
    ),
    Route(
        "POST /organizations/{slug}/profiles/{profile_id}/actions/generate",
        BASE + "/{profile}/actions/generate",
        P.EDIT_PROFILES,
        201,
        {},
    ),
    Route(
        "GET /organizations/{slug}/profiles/{profile_id}/actions/{code}",
        BASE + "/{profile}/actions/A-001",
        P.VIEW,
        200,
    ),
    Route(
        "PATCH /organizations/{slug}/profiles/{profile_id}/actions/{code}",
        BASE + "/{profile}/actions/A-001",
        P.EDIT_PROFILES,
        200,
        {"version": 1, "status": "in-progress"},
    ),
    Route(
        "DELETE /organizations/{slug}/profiles/{profile_id}/actions/{code}",
        BASE + "/{profile}/actions/A-001?version=1",
        P.EDIT_PROFILES,
        204,
    ),
    Route(
        "GET /organizations/{slug}/profiles/{profile_id}/snapshots",
        BASE + "/{profile}/snapshots",
        P.VIEW,
        200,
    ),
    Route(
        "POST /organizations/{slug}/profiles/{profile_id}/snapshots",
        BASE + "/{profile}/snapshots",
        P.EDIT_PROFILES,
        201,
        {"label": "Q4"},
    ),
    Route(
        "GET /organizations/{slug}/snapshots/{snapshot_id}",
        "/api/organizations/{org}/snapshots/{snapshot}",
        P.VIEW,
        200,
    ),
    Route(
        "GET /organizations/{slug}/snapshots/{snapshot_id}/export",
        "/api/organizations/{org}/snapshots/{snapshot}/export",
        P.EXPORT,
        200,
    ),
    Route(
        "GET /organizations/{slug}/profiles/{profile_id}/trend",
        BASE + "/{profile}/trend",
        P.VIEW,
        200,
    ),
    Route(
        "GET /organizations/{slug}/compare",
        "/api/organizations/{org}/compare?before=snapshot:{snapshot}&after=profile:{profile}",
        P.VIEW,
        200,
    ),
    Route(
        "GET /organizations/{slug}/profiles/{profile_id}/export",
        BASE + "/{profile}/export?format=json",
        P.EXPORT,
        200,
    ),
    Route(
        "GET /organizations/{slug}/profiles/{profile_id}/export/{format}",
        BASE + "/{profile}/export/xlsx",
        P.EXPORT,
        200,
    ),
    Route(
        "POST /organizations/{slug}/profiles/import",
        BASE + "/import",
        P.EDIT_PROFILES,
        201,
        upload=FILE,
    ),
    Route(
        "POST /organizations/{slug}/community-profiles",
        "/api/organizations/{org}/community-profiles",
        P.EDIT_PROFILES,
        201,
        upload=COMMUNITY_FILE,
    ),
    Route(
        "POST /organizations/{slug}/profiles/{community_id}/derive-target",
        BASE + "/{community}/derive-target",
        P.EDIT_PROFILES,
        201,
        {"name": "Derived"},
    ),
]

# own: the caller's organization; other: another organization's slug; foreign: the
# caller's organization in the URL with another organization's object ids.
SCOPES = ("own", "other", "foreign")
ID_FREE = {
    r.name
    for r in ROUTES
    if "{profile}" not in r.url and "{snapshot}" not in r.url and "{community}" not in r.url
}


def _cases():
    for route in ROUTES:
        yield pytest.param(route, "anonymous", "own", "none", id=f"{route.name} anonymous")
        for role in ROLES:
            scopes = [s for s in SCOPES if not (s == "foreign" and route.name in ID_FREE)]
            for scope in scopes:
                auths = ("session", "token") if scope == "own" else ("session",)
                for auth in auths:
                    yield pytest.param(
                        route, role, scope, auth, id=f"{route.name} {role} {scope} {auth}"
                    )


def _expected(route: Route, role: str, scope: str) -> int:
    if role == "anonymous":
        return 401
    if scope == "other":
        return 404
    if route.permission not in ROLE_PERMISSIONS[Role(role)]:
        return 403
    if scope == "foreign":
        return 404
    return route.ok


def _url(route: Route, w: ApiWorld, scope: str) -> str:
    objects = w.foreign if scope == "foreign" else w.own
    return route.url.format(
        org="globex" if scope == "other" else "acme",
        profile=objects.profile,
        community=objects.community,
        snapshot=objects.snapshot,
    )


def _send(client: Client, route: Route, url: str, headers: dict):
    method = getattr(client, route.name.split()[0].lower())
    if route.upload is not None:
        upload = SimpleUploadedFile("p.yaml", route.upload, content_type="application/yaml")
        return client.post(url, {"file": upload}, headers=headers)
    if route.body is None:
        return method(url, headers=headers)
    return method(url, json.dumps(route.body), content_type="application/json", headers=headers)


@pytest.mark.parametrize(("route", "role", "scope", "auth"), list(_cases()))
def test_authorization_grid(api_world, client, route, role, scope, auth):
    w = api_world.world
    headers = {}
    if auth == "session":
        client.force_login(w.users[role])
    elif auth == "token":
        _, secret = issue_token(w.users[role], "acme", role, "grid")
        headers["Authorization"] = f"Bearer {secret}"
    response = _send(client, route, _url(route, api_world, scope), headers)
    expected = _expected(route, role, scope)
    assert response.status_code == expected, response.content.decode()[:400]
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"


# Uploads of workbooks and OSCAL files take other files than this grid's profile file; their
# rows are in tests/security/test_authz_grid.py, the grid over every endpoint of the app.
EXCHANGE_UPLOADS = {
    "POST /organizations/{slug}/profiles/exchange/import",
    "POST /organizations/{slug}/profiles/{profile_id}/exchange/apply",
    "POST /organizations/{slug}/profiles/{profile_id}/exchange/preview",
}


def test_every_profiles_operation_is_in_the_grid():
    schema = api.get_openapi_schema()
    operations = {
        f"{method.upper()} {path.removeprefix('/api')}"
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if "profiles" in op.get("tags", ())
    }
    assert operations >= EXCHANGE_UPLOADS
    assert operations - EXCHANGE_UPLOADS == {r.name for r in ROUTES}


def test_a_token_with_a_lower_role_than_its_owner_is_held_to_it(client, api_world):
    _, secret = issue_token(api_world.world.users["owner"], "acme", "viewer", "read only")
    url = f"/api/organizations/acme/profiles/{api_world.own.profile}"
    response = client.patch(
        url,
        json.dumps({"version": 1, "description": "x"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 403


# -- behaviour --------------------------------------------------------------------------------


@pytest.fixture
def owner(client, api_world) -> Client:
    client.force_login(api_world.world.users["owner"])
    return client


def _patch(client: Client, url: str, body: dict):
    return client.patch(url, json.dumps(body), content_type="application/json")


def test_a_stale_outcome_patch_answers_409_with_the_stored_values(owner, api_world):
    url = f"/api/organizations/acme/profiles/{api_world.own.profile}/outcomes/PR.AA-03"
    first = _patch(owner, url, {"version": 2, "current": "largely", "notes": "MFA rolled out"})
    assert first.status_code == 200
    assert (first.json()["current"], first.json()["version"]) == ("largely", 3)
    stale = _patch(owner, url, {"version": 2, "current": "partially"})
    assert stale.status_code == 409
    assert stale["Content-Type"] == "application/problem+json"
    body = stale.json()
    assert (body["element"], body["version"]) == ("PR.AA-03", 3)
    assert body["current"]["current"] == "largely"
    assert body["current"]["notes"] == "MFA rolled out"
    assert body["yours"] == {"current": "partially"}
    assert body["changed_by"] == "owner@acme.test"
    assert "current is now 'largely' (yours: 'partially')" in body["detail"]
    assert owner.get(url).json()["current"] == "largely"


def test_outcome_patch_reads_back_everything_it_wrote(owner, api_world):
    url = f"/api/organizations/acme/profiles/{api_world.own.profile}/outcomes/DE.CM-01"
    body = {
        "version": 1,
        "included": True,
        "priority": "high",
        "current_priority": "medium",
        "current": "partially",
        "target": None,
        "owner": "SOC team",
        "rationale": "Attacks noticed late",
        "current_details": {"practices": "Weekday alert review", "evidence": ["mdr.pdf"]},
        "target_details": {"roles": "MDR provider"},
    }
    response = _patch(owner, url, body)
    assert response.status_code == 200, response.content
    out = response.json()
    assert (out["priority"], out["current_priority"], out["current"], out["target"]) == (
        "high",
        "medium",
        "partially",
        None,
    )
    assert (out["owner"], out["owner_id"], out["can_edit"]) == ("SOC team", None, True)
    assert out["current_details"] == {
        "policies": "",
        "practices": "Weekday alert review",
        "roles": "",
        "references": [],
        "evidence": ["mdr.pdf"],
    }
    assert out["target_details"]["roles"] == "MDR provider"
    assert (
        out["text"] == "Networks and network services are monitored to find potentially "
        "adverse events"
    )
    assert (out["function"], out["category"]) == ("DE", "DE.CM")


@pytest.mark.parametrize(
    "extra",
    [{"organization": "globex"}, {"id": 5}, {"profile": 9}, {"updated_by": 1}, {"code": "X"}],
)
def test_privileged_fields_are_never_settable_from_a_body(owner, api_world, extra):
    url = f"/api/organizations/acme/profiles/{api_world.own.profile}/outcomes/ID.AM-01"
    response = _patch(owner, url, {"version": 1, "notes": "x", **extra})
    assert response.status_code == 422
    row = m.ProfileOutcome.objects.get(profile_id=api_world.own.profile, code="ID.AM-01")
    assert (row.notes, row.version) == ("", 1)
    created = owner.post(
        "/api/organizations/acme/profiles",
        json.dumps({"name": "Sneaky", **extra}),
        content_type="application/json",
    )
    assert created.status_code == 422
    assert not m.Profile.objects.filter(name="Sneaky").exists()


def test_a_bad_rating_answers_400_naming_outcome_and_field(owner, api_world):
    url = f"/api/organizations/acme/profiles/{api_world.own.profile}/outcomes/ID.AM-01"
    response = _patch(owner, url, {"version": 1, "current": "mostly"})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["element"], error["field"]) == ("ID.AM-01", "current")
    assert "'mostly' is not a level of the 'status' scale" in error["msg"]


def test_upload_refusal_names_file_line_outcome_and_field_and_stores_nothing(owner):
    bad = FILE.replace(b"target: largely", b"target: mostly")
    upload = SimpleUploadedFile("plant.yaml", bad, content_type="application/yaml")
    response = owner.post("/api/organizations/acme/profiles/import", {"file": upload})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["file"], error["line"], error["element"], error["field"]) == (
        "plant.yaml",
        7,
        "PR.AA-03",
        "target",
    )
    assert not m.Profile.objects.filter(name="Uploaded").exists()


def test_an_oversized_upload_is_refused_by_its_size(owner):
    upload = SimpleUploadedFile("big.json", b" " * (8 * 1024 * 1024 + 1))
    response = owner.post("/api/organizations/acme/profiles/import", {"file": upload})
    assert response.status_code == 413
    assert "at most 8388608" in response.json()["detail"]


def test_upload_json_then_replace_its_content(owner):
    doc = {
        "format_version": 1,
        "framework": "csf-2.0",
        "name": "From JSON",
        "scale": "maturity",
        "outcomes": {"RC.RP-01": {"current": 2, "target": 4}},
    }
    upload = SimpleUploadedFile("p.json", json.dumps(doc).encode())
    first = owner.post("/api/organizations/acme/profiles/import", {"file": upload})
    assert first.status_code == 201
    assert (first.json()["created"], first.json()["profile"]["scale"]["key"]) == (
        True,
        "maturity",
    )
    doc["outcomes"]["RC.RP-01"]["current"] = 3
    again = SimpleUploadedFile("p.json", json.dumps(doc).encode())
    conflict = owner.post("/api/organizations/acme/profiles/import", {"file": again})
    assert conflict.status_code == 409
    again.seek(0)
    replaced = owner.post(
        "/api/organizations/acme/profiles/import", {"file": again, "replace": "true"}
    )
    assert replaced.status_code == 200
    assert replaced.json()["created"] is False
    pid = replaced.json()["profile"]["id"]
    outcome = owner.get(f"/api/organizations/acme/profiles/{pid}/outcomes/RC.RP-01").json()
    assert (outcome["current"], outcome["target"], outcome["version"]) == (3, 4, 2)


def test_export_downloads_the_file_the_services_write(owner, api_world):
    pid = api_world.own.profile
    response = owner.get(f"/api/organizations/acme/profiles/{pid}/export")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/yaml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="whole-company.yaml"'
    access = api_world.world.access("owner")
    assert response.content.decode() == services.export_profile_file(access, pid, "yaml")


def test_scores_gaps_and_plan_over_the_api(owner, api_world):
    pid = api_world.own.profile
    base = f"/api/organizations/acme/profiles/{pid}"
    scores = owner.get(base + "/scores").json()
    assert scores["profile"]["current"] == {
        "score": 0.0,
        "assessed": 1,
        "not_assessed": 105,
        "not_applicable": 0,
    }
    assert [g["code"] for g in scores["groups"][:3]] == ["GV", "GV.OC", "GV.RM"]
    gaps = owner.get(base + "/gaps?function=PR").json()
    assert [g["outcome"] for g in gaps["outcomes"]] == ["PR.AA-03"]
    assert gaps["outcomes"][0]["gap"] == 100.0
    assert owner.get(base + "/gaps?function=DE").json()["outcomes"] == []
    bad = owner.get(base + "/gaps?function=XX")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "function"
    plan = owner.get(base + "/actions").json()
    assert [a["code"] for a in plan["actions"]] == ["A-001"]
    assert plan["candidates"] == []
    assert plan["counts"] == {"open": 1, "in-progress": 0, "done": 0, "risk-accepted": 0}


def test_compare_and_trend(owner, api_world):
    pid, sid = api_world.own.profile, api_world.own.snapshot
    url = f"/api/organizations/acme/profiles/{pid}/outcomes/PR.AA-03"
    assert _patch(owner, url, {"version": 2, "current": "fully"}).status_code == 200
    compared = owner.get(
        f"/api/organizations/acme/compare?before=snapshot:{sid}&after=profile:{pid}"
    ).json()
    assert compared["changed_outcomes"] == ["PR.AA-03"]
    assert compared["changes"] == [
        {"element": "PR.AA-03", "field": "current", "before": "not", "after": "fully"}
    ]
    assert compared["deltas"][0]["current_delta"] == 100.0
    trend = owner.get(f"/api/organizations/acme/profiles/{pid}/trend").json()
    assert [(p["label"].split(" (")[0], p["profile"]["current"]["score"]) for p in trend] == [
        ("Q3", 0.0),
        ("Whole company", 100.0),
    ]
    bad = owner.get("/api/organizations/acme/compare?before=nope&after=profile:1")
    assert bad.status_code == 400


def test_derive_target_preview_stores_nothing(owner, api_world):
    url = f"/api/organizations/acme/profiles/{api_world.own.community}/derive-target"
    before = m.Profile.objects.count()
    preview = owner.post(url, json.dumps({"apply": False}), content_type="application/json")
    assert preview.status_code == 200
    assert preview.json()["profile"] is None
    assert m.Profile.objects.count() == before


def test_the_schema_documents_conflicts_and_refusals(client):
    schema = client.get("/api/openapi.json").json()
    patch = schema["paths"]["/api/organizations/{slug}/profiles/{profile_id}/outcomes/{code}"][
        "patch"
    ]
    assert set(patch["responses"]) >= {"200", "400", "409"}
    conflict = patch["responses"]["409"]["content"]["application/problem+json"]["schema"]
    assert conflict["anyOf"] == [
        {"$ref": "#/components/schemas/ConflictOut"},
        {"$ref": "#/components/schemas/Problem"},
    ]
    body = schema["components"]["schemas"]["OutcomePatch"]
    assert body["required"] == ["version"]
    assert body["additionalProperties"] is False


def test_level_keys_are_taken_exactly_as_written(owner):
    created = owner.post(
        "/api/organizations/acme/profiles",
        json.dumps({"name": "Maturity", "scale": "maturity"}),
        content_type="application/json",
    )
    assert created.status_code == 201
    assert [lv["key"] for lv in created.json()["scale"]["levels"]] == [0, 1, 2, 3, 4, 5, "na"]
    url = f"/api/organizations/acme/profiles/{created.json()['id']}/outcomes/GV.OC-01"
    for wrong in (True, 2.0):
        assert _patch(owner, url, {"version": 1, "current": wrong}).status_code == 422
    as_text = _patch(owner, url, {"version": 1, "current": "3"})
    assert as_text.status_code == 400
    assert "write it as the number 3" in as_text.json()["detail"]
    saved = _patch(owner, url, {"version": 1, "current": 3, "target": "na"})
    assert (saved.json()["current"], saved.json()["target"]) == (3, "na")


def test_outcome_answers_equal_what_the_validated_schema_gives(owner, api_world):
    """Outcome answers skip re-validation for speed; they must be exactly what it would give."""
    from csfpilot.webapp.profiles import queries
    from csfpilot.webapp.profiles import schemas as s

    pid = api_world.own.profile
    _patch(
        owner,
        f"/api/organizations/acme/profiles/{pid}/outcomes/DE.CM-01",
        {
            "version": 1,
            "priority": "low",
            "target": "fully",
            "current_details": {"references": ["SI-4"], "evidence": ["https://x.test/a"]},
        },
    )
    listed = owner.get(f"/api/organizations/acme/profiles/{pid}/outcomes").json()
    detail = queries.profile_detail(api_world.world.access("owner"), pid)
    validated = [
        json.loads(s.OutcomeOut.model_validate(s.outcome_out(o).model_dump()).model_dump_json())
        for o in detail.outcomes
    ]
    assert len(listed) == 106
    assert listed == validated
    by_code = {o["code"]: o for o in listed}
    assert by_code["DE.CM-01"]["current_details"]["references"] == ["SI-4"]
    assert by_code["PR.AA-03"]["current"] == "not"
