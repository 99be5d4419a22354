"""No lost updates: two people saving the same outcome never overwrite each other.

On every database, the second of two saves based on the same version is refused
with the first person's value, through the service and through the API. On
PostgreSQL the same race runs for real: two threads, each with its own database
connection, released together by a barrier, many times over.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.test import Client

from csfpilot.webapp.organizations.models import Membership, Organization
from csfpilot.webapp.organizations.permissions import require
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles import services
from csfpilot.webapp.profiles.conflicts import StaleEdit
from tests.webapp.profiles_world import World, make_user, world_fixture  # noqa: F401


@pytest.mark.django_db
def test_the_second_of_two_saves_from_the_same_version_is_refused(world: World):
    row = world.profile()
    ana, ben = world.access("owner"), world.access("assessor")
    # Both open ID.RA-01 at version 1.
    opened = m.ProfileOutcome.objects.get(profile=row, code="ID.RA-01").version
    services.update_outcome(
        ana,
        row.pk,
        "ID.RA-01",
        {"current": "largely", "notes": "Scans weekly"},
        expected_version=opened,
    )
    with pytest.raises(StaleEdit) as exc:
        services.update_outcome(
            ben,
            row.pk,
            "ID.RA-01",
            {"current": "partially", "notes": "Scans monthly"},
            expected_version=opened,
        )
    message = str(exc.value)
    assert "ID.RA-01 was changed by owner@acme.test" in message
    assert "current is now 'largely' (yours: 'partially')" in message
    assert "notes is now 'Scans weekly' (yours: 'Scans monthly')" in message
    assert "nothing was saved" in message
    stored = m.ProfileOutcome.objects.get(profile=row, code="ID.RA-01")
    assert (stored.current, stored.notes, stored.version) == ("largely", "Scans weekly", 2)


@pytest.mark.django_db
def test_two_browsers_saving_the_same_outcome_over_the_api(world: World):
    row = world.profile()
    url = f"/api/organizations/acme/profiles/{row.pk}/outcomes/PR.PS-02"
    ana, ben = Client(), Client()
    ana.force_login(world.users["owner"])
    ben.force_login(world.users["assessor"])
    version = ana.get(url).json()["version"]
    assert ben.get(url).json()["version"] == version
    first = ana.patch(
        url, json.dumps({"version": version, "target": "fully"}), content_type="application/json"
    )
    second = ben.patch(
        url,
        json.dumps({"version": version, "target": "largely"}),
        content_type="application/json",
    )
    assert (first.status_code, second.status_code) == (200, 409)
    body = second.json()
    assert body["current"]["target"] == "fully"
    assert body["changed_by"] == "owner@acme.test"
    assert "target is now 'fully' (yours: 'largely')" in body["detail"]
    assert ben.get(url).json()["target"] == "fully"


def _in_thread(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` in a new thread, which has its own database connection, and return."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed back to the test
            box["error"] = exc
        finally:
            connections.close_all()

    t = threading.Thread(target=run)
    t.start()
    t.join(60)
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _user(pk: int) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=pk)


def _race(
    slug: str, profile_id: int, racers: dict[str, tuple[int, str]], label: str, version: int
) -> dict[str, Any]:
    """Each racer saves DE.AE-02 from ``version`` in its own thread, released together."""
    barrier = threading.Barrier(len(racers))
    results: dict[str, Any] = {}

    def save(who: str, user_id: int, value: str) -> None:
        try:
            access = require(_user(user_id), slug, Permission.VIEW)
            barrier.wait(10)
            services.update_outcome(
                access,
                profile_id,
                "DE.AE-02",
                {"notes": f"{who} {label}", "current": value},
                expected_version=version,
            )
            results[who] = "saved"
        except StaleEdit as exc:
            results[who] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=(who, user_id, value))
        for who, (user_id, value) in racers.items()
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


if connection.vendor == "postgresql":

    @pytest.mark.django_db
    def test_racing_threads_with_their_own_connections_never_lose_an_update():
        slug = f"race-{uuid.uuid4().hex[:10]}"

        def setup() -> tuple[int, int, int]:
            with transaction.atomic():
                org = Organization.objects.create(name="Race", slug=slug)
                ids = []
                for who in ("ana", "ben"):
                    user = make_user(f"{who}@{slug}.test")
                    Membership.objects.create(user=user, organization=org, role="assessor")
                    ids.append(user.pk)
                access = require(_user(ids[0]), slug, Permission.VIEW)
                profile = services.create_profile(access, name="Race")
            return profile.pk, ids[0], ids[1]

        profile_id, ana_id, ben_id = _in_thread(setup)

        def stored() -> m.ProfileOutcome:
            return m.ProfileOutcome.objects.get(profile_id=profile_id, code="DE.AE-02")

        try:
            for i in range(12):
                version = _in_thread(stored).version
                results = _race(
                    slug,
                    profile_id,
                    {"ana": (ana_id, "largely"), "ben": (ben_id, "partially")},
                    f"round {i}",
                    version,
                )
                saved = [who for who, r in results.items() if r == "saved"]
                refused = [r for r in results.values() if isinstance(r, StaleEdit)]
                assert len(saved) == 1 and len(refused) == 1, results
                winner, error = saved[0], refused[0]
                assert error.version == version + 1
                assert error.current["notes"] == f"{winner} round {i}"
                assert f"changed by {winner}@{slug}.test" in str(error)
                now = _in_thread(stored)
                assert (now.notes, now.version) == (f"{winner} round {i}", version + 1)
        finally:

            def cleanup() -> None:
                from django.contrib.auth import get_user_model

                with transaction.atomic():
                    Organization.objects.filter(slug=slug).delete()
                    get_user_model().objects.filter(pk__in=[ana_id, ben_id]).delete()

            _in_thread(cleanup)
