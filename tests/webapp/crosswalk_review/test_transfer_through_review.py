"""A reviewed crosswalk is a route for its own organization's transfers, and for no other's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from csfpilot.core.errors import NotFound
from csfpilot.webapp.mapping.services import Decision
from csfpilot.webapp.mapping.services import review as decide
from csfpilot.webapp.profiles import services as profiles
from csfpilot.webapp.transfers import queries as transfer_queries
from csfpilot.webapp.transfers import services as transfers
from tests.webapp.crosswalk_review.test_review_services import _pair
from tests.webapp.crosswalk_review.world import KEY, load_supplier_framework, project_with_proposals
from tests.webapp.profiles_world import build_world
from tests.webapp.test_profile_pages import client_for, rate

pytestmark = pytest.mark.django_db


def test_a_transfer_goes_through_the_organization_s_reviewed_crosswalk_only():
    load_supplier_framework()
    world = build_world()
    owner = world.access("owner")
    project = project_with_proposals(owner)
    s1, s2 = _pair(project, "S-1"), _pair(project, "S-2")
    decide(owner, project.pk, s1.pk, Decision("accept", relationship="equivalent"), version=None)
    decide(owner, project.pk, s2.pk, Decision("accept"), version=None)  # intersects with
    row = world.profile("Supplier rules", framework=KEY)
    rate(world, row, "S-1", current="fully")
    rate(world, row, "S-2", current="largely")

    assert "csf-2.0" in dict(transfer_queries.target_choices(KEY, world.org))
    result = transfers.preview(world.access("viewer"), row.pk, to="csf-2.0").transfer
    assert result.datasets == (project.dataset_key,)
    ds11 = result.proposal("PR.DS-11")
    assert (ds11.current.level.key, ds11.current.coverage.value) == ("fully", "full")
    aa01 = result.proposal("PR.AA-01")  # only intersects: never more than partial
    assert aa01.current.coverage.value == "partial"
    assert result.proposal("RS.CO-02") is None  # proposed, never reviewed: no route

    # Another organization with a profile on the same framework has no such route.
    other = profiles.create_profile(world.other_access(), name="Theirs", framework=KEY)
    assert "csf-2.0" not in dict(transfer_queries.target_choices(KEY, world.other))
    with pytest.raises(NotFound):
        transfers.preview(world.other_access(), other.pk, to="csf-2.0")


def test_the_transfer_page_names_the_organization_s_crosswalk_and_links_to_it():
    load_supplier_framework()
    world = build_world()
    owner = world.access("owner")
    project = project_with_proposals(owner)
    decide(owner, project.pk, _pair(project, "S-1").pk, Decision("accept"), version=None)
    row = world.profile("Supplier rules", framework=KEY)
    rate(world, row, "S-1", current="largely")

    page = reverse("transfers:transfer", args=["acme", row.pk])
    html = (
        client_for(world, "owner").get(page, {"to": "csf-2.0", "rule": "weakest"}).content.decode()
    )
    crosswalk = reverse("mapping:crosswalk", args=["acme", project.pk])
    assert f'<a href="{crosswalk}" translate="no">Acme Corp: {project.name}</a>' in html
    assert "The organization's own crosswalk" in html
    # The new profile's name, when left empty, is the one the placeholder shows.
    assert 'placeholder="Supplier rules → NIST Cybersecurity Framework' in html
