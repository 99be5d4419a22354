"""The demo organization's evidence library shows every evidence state."""

from __future__ import annotations

import pytest
from django.utils import timezone

from csfpilot.core.evidence import EvidenceState
from csfpilot.webapp.demo import DEMO_ORGANIZATION, ensure_demo
from csfpilot.webapp.evidence import blobs, queries
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.organizations.permissions import require
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import services as profile_services
from csfpilot.webapp.profiles.models import Profile

pytestmark = pytest.mark.django_db


def test_the_demo_library_has_every_state():
    org = ensure_demo()
    assert org.slug == DEMO_ORGANIZATION[1]
    today = timezone.now().date()
    company = Profile.objects.get(organization=org, kind="organizational")
    titles = set(m.EvidenceItem.objects.filter(organization=org).values_list("title", flat=True))
    assert "Information Security Policy ISP-01 v3.2" in titles
    assert {i.title for i in queries.due(org, days=30, today=today)} == {
        "External penetration test report 2025",
        "Firewall rule review, Plant 1",
        "Prowler scan of 210987654321",  # scans prove something for 30 days
    }
    reviews = set(m.EvidenceLink.objects.filter(profile=company).values_list("review", flat=True))
    assert reviews == {"accepted", "insufficient", "pending"}
    states = queries.profile_states(company, today=today)
    assert states["GV.PO-01"].state is EvidenceState.SUPPORTED
    assert EvidenceState.UNSUPPORTED in {s.state for s in states.values()}
    request = m.EvidenceRequest.objects.get(organization=org)
    assert queries.request_state(request, today).value == "open"
    # The scan contradicts the "fully" rating of PR.DS-02 with two high failures (and the
    # "largely" of PR.DS-10, which the same controls map to).
    assert states["PR.DS-02"].state is EvidenceState.CONTRADICTED
    assert states["PR.DS-02"].serious == 2
    scan = m.ScanImport.objects.get(organization=org)
    assert scan.summary["contradicted"] == ["PR.DS-02", "PR.DS-10"]  # SC-8 maps to both
    for stored in m.StoredFile.objects.filter(organization=org):
        assert blobs.verify(stored)
    # The profile file cites the library's items by id and hash.
    owner = require(org.memberships.get().user, org.slug, Permission.VIEW)
    exported = profile_services.export_profile_file(owner, company.pk, "yaml")
    assert "evidence_items:" in exported and "Information Security Policy ISP-01 v3.2" in exported
    # A second start adds nothing.
    before = m.EvidenceItem.objects.count()
    ensure_demo()
    assert m.EvidenceItem.objects.count() == before
