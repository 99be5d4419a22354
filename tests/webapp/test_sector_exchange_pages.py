"""The sector benchmark between instances in the browser's pages: a member previews and
downloads its signed contribution and imports the sector body's aggregate; the sector's
steward keeps the member key list, uploads contributions (refused ones listed with the
reason), and publishes the signed aggregate. Same rules as the command line
(tests/cli/test_sector_exchange_cli.py), through the same code.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from csfpilot.core.errors import InputRefused
from csfpilot.formats.packages.container import read_package
from csfpilot.formats.packages.redaction import listing
from csfpilot.webapp.organizations.models import Membership, Organization
from csfpilot.webapp.packages import services as packages
from csfpilot.webapp.profiles import services as profile_services
from csfpilot.webapp.profiles.models import ProfileOutcome
from csfpilot.webapp.profiles.operator import operator_access
from csfpilot.webapp.sectors import exchange, stewardship
from csfpilot.webapp.sectors.models import (
    ReceivedAggregate,
    RemoteContribution,
    RemoteMember,
    SeenContribution,
)
from tests.webapp.profiles_world import build_world, make_user

pytestmark = pytest.mark.django_db
NOTE = "ZQX-page-note-that-never-leaves"


@pytest.fixture
def world():
    w = build_world()
    w.plant = w.profile("Plant")
    ProfileOutcome.objects.filter(profile=w.plant, code__startswith="GV").update(
        current="largely", target="fully", notes=NOTE, rationale=NOTE
    )
    # The sector body: its steward, and its organization whose key signs the aggregate.
    w.steward = make_user("steward@isac.test")
    stewardship.appoint("energy", w.steward.email)
    isac = Organization.objects.create(name="Energy ISAC", slug="isac")
    Membership.objects.create(user=w.steward, organization=isac, role="owner")
    return w


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _file(data: bytes, name: str = "c.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/json")


def test_the_preview_lists_exactly_what_the_contribution_holds(world):
    owner = _client(world.users["owner"])
    page = owner.get(f"/orgs/acme/benchmark/contribution/?sector=energy&profile={world.plant.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "scores.json" in html and "contribution.json" in html and NOTE not in html
    got = owner.get(
        f"/orgs/acme/benchmark/contribution/download/?sector=energy&profile={world.plant.pk}"
    )
    assert got.status_code == 200 and "attachment" in got["Content-Disposition"]
    assert NOTE.encode() not in got.content
    pkg = read_package(got.content, {})
    assert pkg.kind == "benchmark-contribution" and pkg.redaction == "scores"
    assert listing(pkg.members) == page.context["rows"]
    assert pkg.members["contribution.json"] == {"sector": "energy", "framework": "csf-2.0"}
    assert pkg.members["scores.json"]["categories"] == []
    # A viewer may not export: the page and the download are refused.
    viewer = _client(world.users["viewer"])
    assert viewer.get("/orgs/acme/benchmark/contribution/?sector=energy").status_code == 403


def test_a_community_profile_is_not_contributed(world):
    community = world.profile("Baseline", kind="community")
    owner = _client(world.users["owner"])
    page = owner.get(f"/orgs/acme/benchmark/contribution/?sector=energy&profile={community.pk}")
    # Not among the choices (Organizational Profiles on CSF 2.0): the form says so.
    assert "Select a valid choice" in page.content.decode()
    assert page.context["rows"] == []
    with pytest.raises(InputRefused, match="only an Organizational Profile"):
        exchange.contribution_package(operator_access("acme"), "energy", community.pk)


def _contribution(client: Client, org: str) -> bytes:
    got = client.get(f"/orgs/{org}/benchmark/contribution/download/?sector=energy")
    assert got.status_code == 200, got.content[:300]
    return got.content


def test_the_sector_body_keeps_its_member_list_and_counts_only_verified_contributions(world):
    member = _client(world.users["owner"])
    data = _contribution(member, "acme")
    fingerprint = packages.active_key(operator_access("acme")).fingerprint
    # Globex signs a contribution too, but its key is not on the sector body's list.
    profile_services.create_profile(operator_access("globex"), name="Globex plant")
    stranger = _contribution(_client(world.outsider), "globex")

    body = _client(world.steward)
    assert body.get("/sectors/energy/exchange/").status_code == 200
    spaced = " ".join(fingerprint[i : i + 4] for i in range(0, 40, 4))
    added = body.post("/sectors/energy/exchange/keys/", {"name": "Acme", "fingerprint": spaced})
    assert added.status_code == 302
    assert RemoteMember.objects.get(sector="energy").fingerprint == fingerprint

    altered = data.replace(b'"sector":"energy"', b'"sector":"dams"', 1)
    uploads = [_file(data, "acme.json"), _file(altered, "altered.json"), _file(b"{", "junk.json")]
    uploads.append(_file(stranger, "stranger.json"))
    page = body.post("/sectors/energy/exchange/contributions/", {"file": uploads})
    assert page.status_code == 200
    received = {r.filename: r for r in page.context["received"]}
    assert received["acme.json"].row is not None and received["acme.json"].reason == ""
    assert received["altered.json"].row is None and "contribution.json" in (
        received["altered.json"].reason
    )
    assert received["junk.json"].row is None and received["junk.json"].reason
    assert "member list" in received["stranger.json"].reason
    assert RemoteContribution.objects.count() == 1 and SeenContribution.objects.count() == 1
    html = page.content.decode()
    assert "Counted" in html and "Refused" in html

    again = body.post("/sectors/energy/exchange/contributions/", {"file": [_file(data)]})
    assert "replay" in again.context["received"][0].reason

    # Taking the member off the list: kept, but it no longer counts.
    removed = body.post(f"/sectors/energy/exchange/keys/{fingerprint}/remove/")
    assert removed.status_code == 302
    listed = body.get("/sectors/energy/exchange/")
    assert listed.context["contributors"] == 0 and "Removed" in listed.content.decode()

    # An account that is not the sector's steward sees none of it.
    assert member.get("/sectors/energy/exchange/").status_code == 403


def test_publish_and_import_the_aggregate_with_its_verification_shown(world):
    member = _client(world.users["owner"])
    body = _client(world.steward)
    body.post(
        "/sectors/energy/exchange/keys/",
        {
            "name": "Acme",
            "fingerprint": packages.active_key(operator_access("acme")).fingerprint,
        },
    )
    body.post(
        "/sectors/energy/exchange/contributions/", {"file": [_file(_contribution(member, "acme"))]}
    )
    # Only an organization where the steward may export signs: another is refused.
    assert body.post("/sectors/energy/exchange/aggregate/", {"org": "acme"}).status_code == 302
    published = body.post("/sectors/energy/exchange/aggregate/", {"org": "isac"})
    assert published.status_code == 200 and "attachment" in published["Content-Disposition"]
    data = published.content
    doc = json.loads(data)["members"]["aggregate.json"]
    assert doc["contributors"] == 1 and doc["sector"] == "energy"
    assert all(r["current"] == {"n": r["current"]["n"], "withheld": "few"} for r in doc["rows"])

    def send(content: bytes):
        return member.post(
            "/orgs/acme/benchmark/aggregate/", {"file": _file(content, "agg.json")}, follow=True
        )

    untrusted = send(data).content.decode()
    assert "Refused" in untrusted and "not a trusted key" in untrusted
    isac_fp = packages.active_key(operator_access("isac")).fingerprint
    assert isac_fp in untrusted  # the signer's key, to compare before trusting it
    packages.trust(operator_access("acme"), isac_fp, "Energy ISAC")
    altered = send(data.replace(b'"contributors":1', b'"contributors":9', 1)).content.decode()
    assert "Refused" in altered and "aggregate.json" in altered
    assert ReceivedAggregate.objects.count() == 0
    imported = send(data).content.decode()
    assert "Published by the sector body" in imported and "Energy ISAC" in imported
    assert ReceivedAggregate.objects.get().trusted_as == "Energy ISAC"
    # A viewer sees the published figures but cannot import.
    viewer = _client(world.users["viewer"])
    assert "Published by the sector body" in viewer.get("/orgs/acme/benchmark/").content.decode()
    assert viewer.post("/orgs/acme/benchmark/aggregate/").status_code == 403
