"""Transfers of stored profiles: preview, apply into a draft or an existing profile, the page.

On the real NIST catalogs and crosswalks the database is seeded with: a CSF
2.0 profile transferred to SP 800-53 Rev. 5 through NIST's crosswalk.
"""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document

from csfpilot.core.errors import ConflictError, InputRefused, NotFound
from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles.frameworks import outcome_framework
from csfpilot.webapp.transfers import services
from tests.webapp.profiles_world import World
from tests.webapp.test_profile_pages import client_for, rate

pytest_plugins = ["tests.webapp.profiles_world"]
pytestmark = pytest.mark.django_db

TO = "sp800-53r5"


def assessed(world: World) -> m.Profile:
    row = world.profile("Clinic")
    rate(world, row, "PR.AA-01", current="partially", target="fully")
    rate(world, row, "PR.AA-05", current="largely", target="largely")
    rate(world, row, "GV.OC-01", current="fully", target="fully")
    return row


def test_preview_proposes_per_control_with_sources_and_the_weakest_link(world: World):
    row = assessed(world)
    p = services.preview(world.access("viewer"), row.pk, to=TO)
    assert p.transfer.datasets == ("olir-sp800-53r5-5.2.0",)
    ac1 = p.transfer.proposal("AC-1")
    rated = {c.source for c in ac1.contributions if c.current is not None}
    assert rated == {"PR.AA-01", "PR.AA-05"}
    assert len(ac1.contributions) > 2  # the unrated sources are listed, and rate nothing
    # min(1/3, 2/3), partial (NIST's rows are informative references)
    assert (ac1.current.level.key, ac1.current.coverage.value) == ("partially", "partial")
    pm11 = p.transfer.proposal("PM-11")
    assert pm11.current.level.key == "largely"  # fully, but partial: held below full
    assert p.existing == {}


def test_apply_creates_a_draft_with_one_audit_event(world: World):
    row = assessed(world)
    before = AuditEvent.objects.count()
    draft = services.apply(world.access("assessor"), row.pk, to=TO)
    assert draft.framework.key == TO and draft.name == "Clinic → " + draft.framework.name
    ac1 = m.ProfileOutcome.objects.get(profile=draft, code="AC-1")
    assert (ac1.current, ac1.target) == ("partially", "largely")
    assert "PR.AA-01" in ac1.notes and "olir-sp800-53r5-5.2.0" in ac1.notes
    # every active control of SP 800-53, grouped by family
    controls = outcome_framework(draft.framework)
    assert m.ProfileOutcome.objects.filter(profile=draft).count() == len(controls.outcomes) == 298
    assert controls.group_levels == ("family",)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.filter(organization=world.org).order_by("seq").last()
    assert (event.object_id, event.action) == (str(draft.pk), "create")
    assert event.changes["transferred_from"] == "Clinic"
    assert event.changes["datasets"] == ["olir-sp800-53r5-5.2.0"]


def test_apply_onto_an_existing_profile_never_overwrites_silently(world: World):
    row = assessed(world)
    onto = world.profile("Controls", framework=TO)
    rate(world, onto, "AC-1", current="fully")
    services.apply(world.access("owner"), row.pk, to=TO, onto_id=onto.pk)
    ac1 = m.ProfileOutcome.objects.get(profile=onto, code="AC-1")
    # accept-all fills the empty target, keeps the stored current
    assert (ac1.current, ac1.target) == ("fully", "largely")
    p = services.preview(world.access("owner"), row.pk, to=TO, onto_id=onto.pk)
    assert p.existing["AC-1"].current.key == "fully"
    assert p.replaces("AC-1")
    # an explicit choice replaces, at the version the preview showed
    version = p.existing["AC-1"].version
    services.apply(
        world.access("owner"),
        row.pk,
        to=TO,
        onto_id=onto.pk,
        choices={"AC-1": {"current": "partially"}},
        versions={"AC-1": version},
    )
    assert m.ProfileOutcome.objects.get(profile=onto, code="AC-1").current == "partially"
    # a stale version refuses the whole transfer
    with pytest.raises(ConflictError, match="changed since the preview"):
        services.apply(
            world.access("owner"),
            row.pk,
            to=TO,
            onto_id=onto.pk,
            choices={"AC-1": {"current": "not"}, "PM-11": {"current": "not"}},
            versions={"AC-1": version},
        )
    assert m.ProfileOutcome.objects.get(profile=onto, code="PM-11").current == "largely"


def test_refusals_roles_and_tenants(world: World):
    row = assessed(world)
    with pytest.raises(InputRefused):
        services.apply(world.access("owner"), row.pk, to=TO, rule="loudest")
    with pytest.raises(InputRefused, match=r"assesses csf-2\.0"):
        services.apply(world.access("owner"), row.pk, to=TO, onto_id=row.pk)
    with pytest.raises(InputRefused, match="proposes nothing"):
        services.apply(world.access("owner"), row.pk, to=TO, choices={"ZZ-1": {}})
    with pytest.raises(NotFound):
        services.preview(world.other_access(), row.pk, to=TO)
    from csfpilot.webapp.organizations.permissions import PermissionMissing

    with pytest.raises(PermissionMissing):
        services.apply(world.access("viewer"), row.pk, to=TO)


def test_the_page_previews_and_writes_the_ticked_rows_as_edited(world: World):
    row = assessed(world)
    page = reverse("transfers:transfer", args=["acme", row.pk])
    c = client_for(world, "assessor")
    html = c.get(page, {"to": TO, "rule": "weakest"}).content.decode()
    assert "olir-sp800-53r5-5.2.0" in html and 'value="AC-1"' in html
    response = c.post(
        page,
        {
            "to": TO,
            "rule": "weakest",
            "onto": "",
            "name": "Clinic controls",
            "accept": ["AC-1", "PM-11"],
            "current-AC-1": "largely",  # edited by the reviewer
            "target-AC-1": "largely",
            "current-PM-11": "largely",
            "target-PM-11": "",
        },
    )
    assert response.status_code == 302
    draft = m.Profile.objects.get(organization=world.org, name="Clinic controls")
    rows = {
        o.code: (o.current, o.target)
        for o in m.ProfileOutcome.objects.filter(profile=draft).exclude(current=None)
    }
    assert rows == {"AC-1": ("largely", "largely"), "PM-11": ("largely", None)}
    assert client_for(world, "viewer").post(page, {"to": TO, "accept": ["AC-1"]}).status_code == 403
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get(page).status_code == 404


def test_the_reports_add_a_section_per_chosen_framework(world: World):
    row = assessed(world)
    c = client_for(world, "auditor")
    page = reverse("reports:page", args=["acme", row.pk])
    html = c.get(page, {"transfer_to": TO}).content.decode()
    assert 'name="transfer_to" value="sp800-53r5" checked' in html
    assert "workpaper.html?transfer_to=sp800-53r5" in html
    assert "brief.docx?transfer_to=sp800-53r5" in html
    url = reverse("reports:download", args=["acme", row.pk, "workpaper", "html"])
    body = c.get(url, {"transfer_to": TO}).content.decode()
    assert "olir-sp800-53r5-5.2.0" in body and "AC-1" in body
    assert c.get(url, {"transfer_to": "nope-1"}).status_code == 404
    api = c.get(
        f"/api/organizations/acme/profiles/{row.pk}/reports/workpaper",
        {"format": "html", "transfer_to": f"{TO},cis-v8.1"},
    )
    assert api.status_code == 200 and b"olir-cis-v8.1" in api.content
    brief = c.get(
        f"/api/organizations/acme/profiles/{row.pk}/reports/brief",
        {"format": "docx", "transfer_to": TO},
    )
    assert brief.status_code == 200
    document = Document(io.BytesIO(brief.content))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "olir-sp800-53r5-5.2.0" in cells and any(c.startswith("AC-1") for c in cells)


def test_the_preview_page_reads_a_bounded_number_of_queries(world: World):
    """The crosswalks are read once per process; a preview then costs a fixed few queries,
    whether the profile has three rated outcomes or thirty."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    row = assessed(world)
    page = reverse("transfers:transfer", args=["acme", row.pk])
    c = client_for(world, "viewer")
    # Warm: datasets and frameworks read once; the identity cache is kept from the second
    # request on (the first one's sign-in data changes its generation).
    c.get(page, {"to": TO})
    c.get(page, {"to": TO})
    with CaptureQueriesContext(connection) as few:
        assert c.get(page, {"to": TO}).status_code == 200
    for code in ("ID.AM-01", "ID.AM-02", "PR.DS-01", "DE.CM-01", "RS.MA-01", "PR.PS-01"):
        rate(world, row, code, current="largely", target="fully")
    with CaptureQueriesContext(connection) as more:
        assert c.get(page, {"to": TO}).status_code == 200
    assert len(more) == len(few)
    assert len(few) <= 25, [q["sql"] for q in few.captured_queries]
