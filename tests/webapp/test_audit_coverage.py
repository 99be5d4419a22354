"""Audit coverage: a scripted session makes every kind of change through the real HTTP API
and pages; each changed object must leave exactly one audit event, naming it, and a refused
change none.

The figure for the release note is printed at the end (run with ``-s`` to see it):
changes made, events expected, events found, coverage.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.audit.queries import verify_chains
from csfpilot.webapp.organizations import creators
from csfpilot.webapp.organizations.models import Membership
from tests.webapp.profiles_world import World, make_user, world_fixture  # noqa: F401

PROFILE = b"""format_version: 1
framework: csf-2.0
name: Plant 2
scale: status
outcomes:
  GV.OC-01: {current: partially, target: fully}
actions:
  - {id: A-001, title: MFA on jump hosts, outcomes: [PR.AA-03]}
"""
COMMUNITY = b"""format_version: 1
framework: csf-2.0
name: Sector baseline
kind: community
scale: status
outcomes:
  GV.OC-01: {target: fully}
  PR.AA-03: {target: largely}
"""


@dataclass
class Step:
    what: str
    expected: list[tuple[str, str]]  # (object type, action) of each changed object
    run: Callable[[], object]
    actor: str = "owner@acme.test"


class Session:
    def __init__(self, client: Client) -> None:
        self.c = client
        self.ids: dict[str, object] = {}

    def json(self, method: str, url: str, body: dict | None = None, status: int = 200) -> dict:
        if method == "get":
            response = self.c.get(url)
        else:
            response = getattr(self.c, method)(
                url, json.dumps(body or {}), content_type="application/json"
            )
        assert response.status_code == status, (url, response.content[:300])
        return response.json() if response.content else {}


@pytest.mark.django_db
def test_every_change_leaves_exactly_one_event_per_changed_object(
    world: World, django_capture_on_commit_callbacks
):
    creators.allow(world.users["owner"])
    owner = Client()
    owner.force_login(world.users["owner"])
    s = Session(owner)
    newcomer = make_user("newcomer@initech.test")
    EmailAddress.objects.create(user=newcomer, email=newcomer.email, verified=True, primary=True)
    invitee = Client()
    invitee.force_login(newcomer)

    def invite() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            made = s.json(
                "post", f"{base}/members", {"email": newcomer.email, "role": "viewer"}, 202
            )
        s.ids["invitation"] = made["id"]
        s.ids["link"] = re.search(r"/invitations/[^/\s]+/", mail.outbox[-1].body).group(0)

    def accept() -> None:
        response = invitee.post(str(s.ids["link"]), {"answer": "accept"})
        assert response.status_code == 302, response.content[:300]
        s.ids["member"] = Membership.objects.get(user=newcomer, organization__slug="initech").pk

    base = "/api/organizations/initech"
    p = f"{base}/profiles"

    def profile_version() -> int:
        return s.json("get", f"{p}/{s.ids['profile']}")["version"]

    def outcome_version(code: str) -> int:
        return s.json("get", f"{p}/{s.ids['profile']}/outcomes/{code}")["version"]

    def upload(url: str, name: str, data: bytes, status: int = 201) -> dict:
        response = owner.post(url, {"file": SimpleUploadedFile(name, data)})
        assert response.status_code == status, response.content[:300]
        return response.json()

    steps = [
        Step(
            "create an organization",
            [("organization", "create"), ("membership", "create")],
            lambda: s.json(
                "post", "/api/organizations", {"name": "Initech", "slug": "initech"}, 201
            ),
        ),
        Step(
            "rename it (API)",
            [("organization", "update")],
            lambda: s.json("patch", base, {"name": "Initech Corp"}),
        ),
        Step(
            "rename it (settings page)",
            [("organization", "update")],
            lambda: owner.post("/orgs/initech/settings/", {"name": "Initech Inc."}),
        ),
        Step("invite a member", [("invitation", "create")], invite),
        Step(
            "revoke the invitation",
            [("invitation", "revoke")],
            lambda: s.json("delete", f"{base}/invitations/{s.ids['invitation']}", None, 204),
        ),
        Step("invite them again", [("invitation", "create")], invite),
        Step(
            "they accept (the invitee acts)",
            [("membership", "create")],
            accept,
            actor="newcomer@initech.test",
        ),
        Step(
            "change their role",
            [("membership", "update")],
            lambda: s.json("patch", f"{base}/members/{s.ids['member']}", {"role": "auditor"}),
        ),
        Step(
            "issue an API token",
            [("api_token", "create")],
            lambda: s.ids.update(
                token=s.json(
                    "post",
                    "/api/tokens",
                    {"name": "CI", "organization": "initech", "role": "viewer"},
                    201,
                )["id"]
            ),
        ),
        Step(
            "revoke it",
            [("api_token", "revoke")],
            lambda: s.json("post", f"/api/tokens/{s.ids['token']}/revoke"),
        ),
        Step(
            "create a profile",
            [("profile", "create")],
            lambda: s.ids.update(profile=s.json("post", p, {"name": "Whole company"}, 201)["id"]),
        ),
        Step(
            "change the profile",
            [("profile", "update")],
            lambda: s.json(
                "patch",
                f"{p}/{s.ids['profile']}",
                {"version": profile_version(), "description": "All sites"},
            ),
        ),
        Step(
            "set its Tiers",
            [("tiers", "update")],
            lambda: s.json(
                "put",
                f"{p}/{s.ids['profile']}/tiers",
                {"version": profile_version(), "governance": {"current": 2, "target": 3}},
            ),
        ),
        Step(
            "rate an outcome",
            [("outcome", "update")],
            lambda: s.json(
                "patch",
                f"{p}/{s.ids['profile']}/outcomes/GV.OC-01",
                {"version": outcome_version("GV.OC-01"), "current": "partially", "target": "fully"},
            ),
        ),
        Step(
            "add an action",
            [("action", "create")],
            lambda: s.json(
                "post",
                f"{p}/{s.ids['profile']}/actions",
                {"title": "MFA on jump hosts", "outcomes": ["PR.AA-03"]},
                201,
            ),
        ),
        Step(
            "change the action",
            [("action", "update")],
            lambda: s.json(
                "patch",
                f"{p}/{s.ids['profile']}/actions/A-001",
                {"version": 1, "title": "MFA on all jump hosts"},
            ),
        ),
        Step(
            "delete the action",
            [("action", "delete")],
            lambda: s.json("delete", f"{p}/{s.ids['profile']}/actions/A-001?version=2", None, 204),
        ),
        Step(
            "generate actions from the gaps (one event for the batch)",
            [("profile", "update")],
            lambda: s.json("post", f"{p}/{s.ids['profile']}/actions/generate", {}, 201),
        ),
        Step(
            "take a snapshot",
            [("snapshot", "create")],
            lambda: s.json("post", f"{p}/{s.ids['profile']}/snapshots", {"label": "Q4"}, 201),
        ),
        Step(
            "import a profile file (one event for the import)",
            [("profile", "import")],
            lambda: upload(f"{p}/import", "plant2.yaml", PROFILE),
        ),
        Step(
            "import a Community Profile",
            [("profile", "import")],
            lambda: s.ids.update(
                community=upload(f"{base}/community-profiles", "baseline.yaml", COMMUNITY)[
                    "profile"
                ]["id"]
            ),
        ),
        Step(
            "derive a Target Profile from it",
            [("profile", "create")],
            lambda: s.json(
                "post", f"{p}/{s.ids['community']}/derive-target", {"name": "Target 2027"}, 201
            ),
        ),
        Step(
            "delete a profile",
            [("profile", "delete")],
            lambda: s.json("delete", f"{p}/{s.ids['profile']}", None, 204),
        ),
        Step(
            "remove the member",
            [("membership", "delete")],
            lambda: s.json("delete", f"{base}/members/{s.ids['member']}", None, 204),
        ),
        Step(
            "download a backup (taken: the instance chain; downloaded: the organization's)",
            [("backup", "backup"), ("backup", "download")],
            lambda: owner.post("/orgs/initech/settings/backup/"),
        ),
    ]

    expected_total = found_total = 0
    for step in steps:
        before = AuditEvent.objects.order_by("id").values_list("id", flat=True).last() or 0
        step.run()
        new = list(AuditEvent.objects.filter(id__gt=before).order_by("id"))
        got = [(e.object_type, e.action) for e in new]
        assert got == step.expected, step.what
        assert all(e.org_slug == "initech" for e in new), step.what
        assert all(e.actor_name == step.actor for e in new), step.what
        expected_total += len(step.expected)
        found_total += len(got)

    # A refused change (a stale version) leaves no event.
    count = AuditEvent.objects.count()
    stale = owner.patch(
        f"{p}/{s.ids['community']}",
        json.dumps({"version": 99, "description": "stale"}),
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert AuditEvent.objects.count() == count
    assert all(verdict.ok for _, verdict in verify_chains())
    coverage = 100.0 * found_total / expected_total
    print(
        f"\naudit coverage: {len(steps)} kinds of change, {expected_total} changed objects, "
        f"{found_total} events, {coverage:.0f}%"
    )
    assert coverage == 100.0
