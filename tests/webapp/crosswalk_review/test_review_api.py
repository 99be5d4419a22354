"""The crosswalk-review API: projects, proposals, one review, bulk accept, the OSCAL export."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from csfpilot.webapp.accounts.services import issue_token
from csfpilot.webapp.mapping import models as m
from tests.formats.oscal_validation import schema_errors
from tests.webapp.crosswalk_review.world import KEY, load_supplier_framework, project_with_proposals
from tests.webapp.profiles_world import build_world

pytestmark = pytest.mark.django_db
API = "/api/organizations/acme/mapping-projects"


@pytest.fixture
def world():
    load_supplier_framework()
    return build_world()


def api(world, role: str) -> Client:
    _, secret = issue_token(world.users[role], "acme", role, "api test")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def post(client: Client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_create_propose_review_and_export_through_the_api(world):
    c = api(world, "assessor")
    made = post(c, API, {"name": "Suppliers", "source_framework": KEY, "method": "lexical"})
    assert made.status_code == 201, made.content
    project = made.json()
    assert project["counts"]["requirements"] == 5 and project["run_state"] == "new"
    ran = c.post(f"{API}/{project['id']}/proposals")
    assert ran.status_code == 200 and ran.json()["run_state"] == "ready"
    page = c.get(f"{API}/{project['id']}/proposals", {"show": "unreviewed"})
    assert page.status_code == 200
    body = page.json()
    assert body["count"] == 5 and [r["code"] for r in body["requirements"]][:2] == ["S-1", "S-2"]
    first = body["requirements"][0]["pairs"][0]
    assert set(first) >= {"id", "rank", "score", "reasons", "state", "version"}
    reviewed = post(
        c,
        f"{API}/{project['id']}/pairs/{first['id']}/review",
        {"action": "accept", "relationship": "equivalent", "version": first["version"]},
    )
    assert reviewed.status_code == 200
    assert (reviewed.json()["state"], reviewed.json()["relationship"]) == ("accepted", "equivalent")
    stale = post(
        c,
        f"{API}/{project['id']}/pairs/{first['id']}/review",
        {"action": "reject", "version": first["version"]},
    )
    assert stale.status_code == 409
    oscal = api(world, "auditor").get(f"{API}/{project['id']}/oscal")
    assert oscal.status_code == 200
    doc = json.loads(oscal.content)
    assert schema_errors(doc) == []
    (only,) = doc["mapping-collection"]["mappings"][0]["maps"]
    assert only["relationship"] == "equivalent-to"


def test_bulk_accept_preview_then_apply(world):
    project = project_with_proposals(world.access("owner"))
    viewer = api(world, "viewer")
    preview = viewer.get(f"{API}/{project.pk}/bulk-accept", {"threshold": 0.7})
    assert preview.json() == {"threshold": 0.7, "best_only": True, "pairs": 3, "requirements": 3}
    assert post(viewer, f"{API}/{project.pk}/bulk-accept", {"threshold": 0.7}).status_code == 403
    owner = api(world, "owner")
    wrong = post(owner, f"{API}/{project.pk}/bulk-accept", {"threshold": 0.7, "expected": 9})
    assert wrong.status_code == 409
    done = post(owner, f"{API}/{project.pk}/bulk-accept", {"threshold": 0.7, "expected": 3})
    assert done.json() == {"accepted": 3}
    assert m.Pair.objects.filter(project=project, state="accepted").count() == 3


def test_bad_bodies_name_the_field(world):
    c = api(world, "owner")
    unknown = post(c, API, {"name": "x", "source_framework": "nope"})
    assert unknown.status_code == 400 and "no framework 'nope'" in unknown.json()["detail"]
    extra = post(c, API, {"name": "x", "source_framework": KEY, "organization": 2})
    assert extra.status_code == 422
    project = project_with_proposals(world.access("owner"))
    pair = m.Pair.objects.filter(project=project).first()
    bad = post(
        c,
        f"{API}/{project.pk}/pairs/{pair.pk}/review",
        {"action": "change", "target": "ZZ.ZZ-99", "relationship": "subset_of"},
    )
    assert (
        bad.status_code == 400 and "ZZ.ZZ-99 is not an element of csf-2.0" in bad.json()["detail"]
    )


def test_the_lists_cost_a_fixed_number_of_queries(world):
    owner = world.access("owner")
    projects = [project_with_proposals(owner, name=f"P{i}") for i in range(3)]
    c = api(world, "viewer")
    with CaptureQueriesContext(connection) as ctx:
        listed = c.get(API)
    assert len(listed.json()) == 3
    assert len(ctx.captured_queries) < 12
    with CaptureQueriesContext(connection) as ctx:
        page = c.get(f"{API}/{projects[0].pk}/proposals")
    # Nine pairs over five requirements, read without a query per pair.
    assert sum(len(r["pairs"]) for r in page.json()["requirements"]) == 9
    assert len(ctx.captured_queries) < 15


def test_another_organization_s_ids_are_not_found(world):
    theirs = project_with_proposals(world.other_access(), name="Globex rules")
    pair = m.Pair.objects.filter(project=theirs).first()
    c = api(world, "owner")
    assert c.get(f"{API}/{theirs.pk}").status_code == 404
    assert c.get(f"{API}/{theirs.pk}/proposals").status_code == 404
    answer = post(c, f"{API}/{theirs.pk}/pairs/{pair.pk}/review", {"action": "accept"})
    assert answer.status_code == 404
    mine = project_with_proposals(world.access("owner"))
    answer = post(c, f"{API}/{mine.pk}/pairs/{pair.pk}/review", {"action": "accept"})
    assert answer.status_code == 404
    assert m.Pair.objects.get(pk=pair.pk).state == "proposed"
