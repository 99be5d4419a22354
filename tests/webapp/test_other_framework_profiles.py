"""Profiles on frameworks other than CSF 2.0: SP 800-53 by family, a custom CSV framework.

The pages and the API group by the framework's own top level; a result
transferred into a custom framework through its own crosswalk arrives there.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from csfpilot.formats.custom_framework import read_custom_csv
from csfpilot.formats.detect import DatasetIdentity, read_framework_file
from csfpilot.webapp.catalog.services import load_bundle
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles import queries
from csfpilot.webapp.transfers import services as transfers
from tests.webapp.profiles_world import World
from tests.webapp.test_profile_pages import client_for, rate

pytest_plugins = ["tests.webapp.profiles_world"]
pytestmark = pytest.mark.django_db

OWN = b"""ID,Parent,Title,Text,Level
POL,,Policies,,domain
POL-1,POL,Security policy,A security policy is approved and published.,requirement
POL-2,POL,Roles,Security roles are assigned.,requirement
OPS,,Operations,,domain
OPS-1,OPS,Inventory,Assets are inventoried.,requirement
"""
OWN_CROSSWALK = (
    b"Source framework,Source ID,Relationship,Target framework,Target ID,Comment\r\n"
    b"acme-own-1,POL-1,equivalent,csf-2.0,GV.PO-01,\r\n"
    b"acme-own-1,POL-1,subset of,csf-2.0,GV.RR-02,\r\n"
    b"acme-own-1,POL-2,intersects with,csf-2.0,GV.RR-02,\r\n"
    b"acme-own-1,OPS-1,superset of,csf-2.0,ID.AM-01,\r\n"
)


def test_an_sp800_53_profile_groups_by_family_on_its_pages_and_in_the_api(world: World):
    row = world.profile("Controls", framework="sp800-53r5")
    rate(world, row, "AC-1", current="largely", target="fully")
    rate(world, row, "AC-2", current="partially", target="fully")
    progress = queries.progress(world.access("viewer"), row.pk)
    assert progress[0].code == "AC" and progress[0].current_answered == 2
    assert len(progress) == 20  # the families
    html = client_for(world, "viewer").get(reverse("profiles:overview", args=["acme", row.pk]))
    text = html.content.decode()
    assert "Current and target per Family" in text and "per Function" not in text
    dash = client_for(world, "viewer").get(reverse("profiles:dashboard", args=["acme", row.pk]))
    assert "Scores per Family (0–100)" in dash.content.decode()
    trend = Client()
    trend.force_login(world.users["viewer"])
    body = json.loads(trend.get(f"/api/organizations/acme/profiles/{row.pk}/trend").content)
    families = body[-1]["functions"]
    assert (families[0]["code"], families[0]["level"]) == ("AC", "family")
    assert families[0]["current"]["score"] is not None


def test_a_custom_csv_framework_is_assessed_and_receives_a_transfer(world: World):
    bundle = read_custom_csv(OWN, name="own.csv", key="acme-own-1")
    load_bundle(bundle)
    row = world.profile("Own", framework="acme-own-1")
    assert set(m.ProfileOutcome.objects.filter(profile=row).values_list("code", flat=True)) == {
        "POL-1",
        "POL-2",
        "OPS-1",
    }
    rate(world, row, "POL-1", current="fully")
    progress = queries.progress(world.access("viewer"), row.pk)
    assert [p.code for p in progress] == ["POL", "OPS"]
    assert progress[0].current_answered == 1
    # no crosswalk joins it to another framework yet: nothing to transfer to
    from csfpilot.core.errors import NotFound

    with pytest.raises(NotFound, match="no crosswalk leads from acme-own-1"):
        transfers.preview(world.access("viewer"), row.pk, to="csf-2.0")
    # its own crosswalk to CSF 2.0, with set relationships, then a transfer through it
    load_bundle(
        read_framework_file(
            OWN_CROSSWALK, name="own-to-csf.csv", dataset=DatasetIdentity(key="acme-own-csf")
        )
    )
    rate(world, row, "POL-2", current="partially")
    p = transfers.preview(world.access("viewer"), row.pk, to="csf-2.0")
    assert p.transfer.datasets == ("acme-own-csf",)
    # POL-1 ≡ GV.PO-01: carried in full; POL-1 ⊆ GV.RR-02 and POL-2 ∩ GV.RR-02: partial
    po01 = p.transfer.proposal("GV.PO-01")
    assert (po01.current.level.key, po01.current.coverage.value) == ("fully", "full")
    rr02 = p.transfer.proposal("GV.RR-02")
    assert (rr02.current.level.key, rr02.current.coverage.value) == ("partially", "partial")
    # and back: the CSF profile's values reach the organization's own framework
    csf = world.profile("Whole")
    rate(world, csf, "ID.AM-01", current="largely")
    back = transfers.preview(world.access("viewer"), csf.pk, to="acme-own-1")
    ops1 = back.transfer.proposal("OPS-1")
    # read backwards, OPS-1 ⊇ ID.AM-01 says ID.AM-01 is only part of OPS-1: partial
    assert (ops1.current.level.key, ops1.current.coverage.value) == ("largely", "partial")


def test_the_migration_makes_stored_sp800_53_releases_assess_their_controls():
    import importlib

    from django.apps import apps

    from csfpilot.webapp.catalog.models import Framework

    migration = importlib.import_module(
        "csfpilot.webapp.catalog.migrations.0004_sp800_53_outcome_level"
    )
    Framework.objects.filter(key="sp800-53r5").update(outcome_level="")
    Framework.objects.filter(key="cis-v8.1").update(outcome_level="")
    migration.controls_are_outcomes(apps, None)
    assert Framework.objects.get(key="sp800-53r5").outcome_level == "control"
    assert Framework.objects.get(key="cis-v8.1").outcome_level == ""  # not SP 800-53
