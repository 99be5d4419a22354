"""The review pages: plain forms without JavaScript, HTMX swaps with it, bulk accept after a
preview, the reviewed crosswalk's page and its OSCAL download (valid against NIST's schema)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from csfpilot.webapp.mapping import models as m
from csfpilot.webapp.mapping import queries, services
from tests.formats.oscal_validation import schema_errors
from tests.webapp.crosswalk_review.world import (
    KEY,
    load_supplier_framework,
    project_with_proposals,
)
from tests.webapp.profiles_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    load_supplier_framework()
    return build_world()


def client_for(world, role: str) -> Client:
    c = Client()
    c.force_login(world.users[role])
    return c


def test_create_a_project_from_the_list_page(world):
    c = client_for(world, "assessor")
    page = c.get("/orgs/acme/crosswalks/")
    assert page.status_code == 200
    assert b"Map a framework" in page.content
    made = c.post(
        "/orgs/acme/crosswalks/new/",
        {
            "name": "Suppliers",
            "source": "supplier-rules",
            "target": "csf-2.0",
            "top": 5,
            "method": "lexical",
        },
    )
    project = m.MappingProject.objects.get(name="Suppliers")
    assert made.status_code == 302
    assert made["Location"] == f"/orgs/acme/crosswalks/{project.pk}/"
    refused = c.post(
        "/orgs/acme/crosswalks/new/",
        {"name": "Again", "source": "csf-2.0", "target": "csf-2.0", "top": 5, "method": "lexical"},
    )
    assert refused.status_code == 400
    assert b"the source and target frameworks must differ" in refused.content
    # A viewer reads the list but gets no form.
    viewer = client_for(world, "viewer").get("/orgs/acme/crosswalks/")
    assert b"Suppliers" in viewer.content and b"Create the project" not in viewer.content


def test_the_review_page_shows_requirement_candidates_scores_and_reasons(world):
    project = project_with_proposals(world.access("owner"))
    c = client_for(world, "assessor")
    with CaptureQueriesContext(connection) as ctx:
        page = c.get(f"/orgs/acme/crosswalks/{project.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "The supplier backs up the data it holds for us and tests restoring it." in text
    assert "PR.DS-11" in text and "0.91" in text
    assert '>shared terms</span> <span translate="no">backup, restore<' in text
    # The CSF statement of the candidate is shown beside it.
    assert "Backups of data are created, protected, maintained, and tested" in text
    assert "data-review" in text and "Keyboard" in text
    # One page of requirements costs the same few queries whatever the number of pairs.
    assert len(ctx.captured_queries) < 30


def test_decide_without_javascript_then_with_htmx(world):
    project = project_with_proposals(world.access("owner"))
    pair = m.Pair.objects.get(project=project, requirement__code="S-1", rank=1)
    c = client_for(world, "assessor")
    url = f"/orgs/acme/crosswalks/{project.pk}/pairs/{pair.pk}/?show=unreviewed"
    plain = c.post(
        url,
        {
            "action": "accept",
            "relationship": "equivalent",
            "version": 1,
            "anchor": f"req-{pair.requirement_id}",
        },
    )
    assert plain.status_code == 302
    assert plain["Location"] == (
        f"/orgs/acme/crosswalks/{project.pk}/?show=unreviewed#req-{pair.requirement_id}"
    )
    pair.refresh_from_db()
    assert (pair.state, pair.relationship) == ("accepted", "equivalent")
    # With HTMX the answer is the requirement alone, decided.
    other = m.Pair.objects.get(project=project, requirement__code="S-1", rank=2)
    other_url = f"/orgs/acme/crosswalks/{project.pk}/pairs/{other.pk}/"
    swapped = c.post(other_url, {"action": "reject", "version": 1}, headers={"HX-Request": "true"})
    assert swapped.status_code == 200
    body = swapped.content.decode()
    assert body.lstrip().startswith('<li class="req req-accepted"')
    assert f'id="pair-{other.pk}"' in body and "rv-rejected" in body
    # A stale version: the row comes back with the reason, nothing changes.
    stale = c.post(url, {"action": "accept", "version": 1}, headers={"HX-Request": "true"})
    assert "decided by someone else" in stale.content.decode()
    assert m.Pair.objects.get(pk=pair.pk).version == 2


def test_bulk_accept_shows_the_count_then_applies_it(world):
    project = project_with_proposals(world.access("owner"))
    c = client_for(world, "owner")
    base = f"/orgs/acme/crosswalks/{project.pk}/bulk/"
    preview = c.get(base, {"threshold": "0.7", "best_only": "on"}, headers={"HX-Request": "true"})
    assert preview.status_code == 200
    assert "3 proposals score at least 0.70 (3 requirements)." in preview.content.decode()
    assert m.Pair.objects.filter(project=project, state="accepted").count() == 0
    done = c.post(base, {"threshold": "0.7", "best_only": "on", "expected": "3"})
    assert done.status_code == 302
    assert m.Pair.objects.filter(project=project, state="accepted").count() == 3
    # Without JavaScript the preview is a page of its own.
    page = c.get(base, {"threshold": "0.5"})
    assert page.status_code == 200 and b"Bulk accept" in page.content
    # A viewer may preview, never apply.
    viewer = client_for(world, "viewer")
    assert viewer.post(base, {"threshold": "0.1", "expected": "1"}).status_code == 403


def _bulk_start(c: Client, project) -> str:
    page = c.get(f"/orgs/acme/crosswalks/{project.pk}/").content.decode()
    field = page.split('name="threshold"', 1)[1].split(">", 1)[0]
    return field.split('value="', 1)[1].split('"', 1)[0]


def test_bulk_accept_starts_at_the_top_quarter_of_the_best_proposals(world):
    access = world.access("owner")
    empty = services.create_project(access, name="Nothing yet", source_key=KEY, method="combined")
    assert queries.suggested_threshold(empty) == 0.5  # no proposals yet: a middle value
    c = client_for(world, "owner")
    project = project_with_proposals(access)
    # Best proposals 0.91, 0.84, 0.77, 0.66, 0.42: the top quarter of five is two.
    assert _bulk_start(c, project) == "0.84"
    preview = c.get(
        f"/orgs/acme/crosswalks/{project.pk}/bulk/",
        {"threshold": "0.84", "best_only": "on"},
        headers={"HX-Request": "true"},
    )
    assert "2 proposals score at least 0.84 (2 requirements)." in preview.content.decode()
    # Decided requirements leave the count: 0.84, 0.77, 0.66, 0.42 remain, a quarter is one.
    first = m.Pair.objects.get(project=project, requirement__code="S-1", rank=1)
    url = f"/orgs/acme/crosswalks/{project.pk}/pairs/{first.pk}/"
    assert c.post(url, {"action": "accept", "version": 1}).status_code in (200, 302)
    assert _bulk_start(c, project) == "0.84"
    second = m.Pair.objects.get(project=project, requirement__code="S-2", rank=1)
    url = f"/orgs/acme/crosswalks/{project.pk}/pairs/{second.pk}/"
    assert c.post(url, {"action": "reject", "version": 1}).status_code in (200, 302)
    assert _bulk_start(c, project) == "0.77"


def test_the_crosswalk_page_is_labelled_and_its_oscal_download_is_valid(world):
    access = world.access("owner")
    project = project_with_proposals(access)
    c = client_for(world, "auditor")
    empty = c.get(f"/orgs/acme/crosswalks/{project.pk}/crosswalk/export/oscal-mapping")
    assert empty.status_code == 302  # nothing accepted: back to the page with the reason
    owner = client_for(world, "owner")
    owner.post(f"/orgs/acme/crosswalks/{project.pk}/bulk/", {"threshold": "0.6", "best_only": "on"})
    page = c.get(f"/orgs/acme/crosswalks/{project.pk}/crosswalk/")
    text = page.content.decode()
    assert 'own crosswalk: <span translate="no">Acme Corp</span>' in text
    assert "Made by automation, reviewed by a person" in text
    download = c.get(f"/orgs/acme/crosswalks/{project.pk}/crosswalk/export/oscal-mapping")
    assert download.status_code == 200
    assert download["Content-Disposition"].endswith(
        f'acme-mapping-{project.pk}.oscal-mapping.json"'
    )
    doc = json.loads(download.content)
    assert schema_errors(doc) == []
    body = doc["mapping-collection"]
    assert body["provenance"]["method"] == "hybrid"
    assert body["provenance"]["status"] == "not-complete"
    assert [mp["confidence-score"]["percentage"] for mp in body["mappings"][0]["maps"]] == [
        0.91,
        0.84,
        0.77,
        0.66,
    ]
    csv = c.get(f"/orgs/acme/crosswalks/{project.pk}/crosswalk/export/csv")
    assert csv.status_code == 200 and b"PR.DS-11" in csv.content
    # A viewer reads the crosswalk but may not take it out.
    viewer = client_for(world, "viewer")
    assert viewer.get(f"/orgs/acme/crosswalks/{project.pk}/crosswalk/").status_code == 200
    assert viewer.get(f"/orgs/acme/crosswalks/{project.pk}/crosswalk/export/csv").status_code == 403


def test_another_organization_s_project_is_not_found(world):
    project = project_with_proposals(world.other_access(), name="Globex rules")
    c = client_for(world, "owner")
    assert c.get(f"/orgs/acme/crosswalks/{project.pk}/").status_code == 404
    assert c.get(f"/orgs/globex/crosswalks/{project.pk}/").status_code == 404
