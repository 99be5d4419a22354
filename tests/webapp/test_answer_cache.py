"""The outcome list's cached answer: never served after any kind of change, never across callers.

Each check compares what the API answers with an answer built from the database
right then, without the cache.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from csfpilot.webapp.profiles import exchange, queries, services
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles import schemas as s
from csfpilot.webapp.profiles.api import _OUTCOME_LIST
from tests.webapp.profiles_world import World, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def _fresh(world: World, role: str, pk: int) -> list[dict]:
    detail = queries.profile_detail(world.access(role), pk)
    return json.loads(_OUTCOME_LIST.dump_json([s.outcome_out(o) for o in detail.outcomes]))


def _client(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _listed(client: Client, pk: int) -> list[dict]:
    response = client.get(f"/api/organizations/acme/profiles/{pk}/outcomes")
    assert response.status_code == 200, response.content
    return response.json()


def _by_code(rows: list[dict]) -> dict[str, dict]:
    return {r["code"]: r for r in rows}


def test_a_second_read_is_served_without_reading_the_outcomes_again(world: World):
    pk = world.profile().pk
    owner = _client(world, "owner")
    first = _listed(owner, pk)
    with CaptureQueriesContext(connection) as ctx:
        again = _listed(owner, pk)
    assert again == first == _fresh(world, "owner", pk)
    reads = [q["sql"] for q in ctx.captured_queries]
    # The key's one aggregate over the rows; the rows themselves are not read again.
    assert sum("profiles_profileoutcome" in q for q in reads) == 1
    assert not any("considerations" in q for q in reads)


def test_every_kind_of_write_shows_at_once(world: World):
    owner_access = world.access("owner")
    pk = world.profile().pk
    owner = _client(world, "owner")
    _listed(owner, pk)

    # One outcome through the API.
    patched = owner.patch(
        f"/api/organizations/acme/profiles/{pk}/outcomes/GV.OC-01",
        json.dumps({"version": 1, "current": "partially", "notes": "first"}),
        content_type="application/json",
    )
    assert patched.status_code == 200
    rows = _listed(owner, pk)
    assert _by_code(rows)["GV.OC-01"]["notes"] == "first"
    assert rows == _fresh(world, "owner", pk)

    # Assigning outcomes to a member (one UPDATE over several rows).
    contributor = world.users["contributor"]
    services.assign_outcomes(owner_access, pk, ["PR.AA-01", "PR.AA-02"], contributor.pk)
    rows = _listed(owner, pk)
    assert _by_code(rows)["PR.AA-02"]["owner_id"] == contributor.pk
    assert rows == _fresh(world, "owner", pk)

    # Replacing the content from a file (the import path writes changed rows only).
    name = m.Profile.objects.get(pk=pk).name
    data = (
        f"format_version: 1\nframework: csf-2.0\nname: {name}\nscale: status\n"
        "outcomes:\n  DE.CM-01: {current: largely, target: fully, priority: high}\n"
    ).encode()
    exchange.import_profile_file(owner_access, data, filename="p.yaml", replace_existing=True)
    rows = _listed(owner, pk)
    assert _by_code(rows)["DE.CM-01"]["current"] == "largely"
    assert rows == _fresh(world, "owner", pk)


def test_a_new_address_of_the_last_editor_shows_at_once(world: World):
    pk = world.profile().pk
    services.update_outcome(
        world.access("assessor"), pk, "ID.AM-01", {"notes": "seen"}, expected_version=1
    )
    owner = _client(world, "owner")
    assert _by_code(_listed(owner, pk))["ID.AM-01"]["updated_by"] == "assessor@acme.test"
    assessor = world.users["assessor"]
    assessor.email = "lead.assessor@acme.test"
    assessor.save(update_fields=["email"])
    assert _by_code(_listed(owner, pk))["ID.AM-01"]["updated_by"] == "lead.assessor@acme.test"


def test_each_caller_gets_what_they_may_edit(world: World):
    owner_access = world.access("owner")
    pk = world.profile().pk
    contributor = world.users["contributor"]
    services.assign_outcomes(owner_access, pk, ["RS.MA-01"], contributor.pk)
    seen = {}
    for role in ("owner", "contributor", "viewer", "owner"):
        rows = _listed(_client(world, role), pk)
        assert rows == _fresh(world, role, pk)
        seen[role] = {r["code"] for r in rows if r["can_edit"]}
    assert len(seen["owner"]) == 106
    assert seen["contributor"] == {"RS.MA-01"}
    assert seen["viewer"] == set()


def test_a_profile_made_where_a_deleted_one_was_is_not_taken_for_it(world: World):
    owner_access = world.access("owner")
    old = world.profile("Old")
    services.update_outcome(owner_access, old.pk, "GV.OC-01", {"notes": "old"}, expected_version=1)
    owner = _client(world, "owner")
    assert _by_code(_listed(owner, old.pk))["GV.OC-01"]["notes"] == "old"
    services.delete_profile(owner_access, old.pk)
    new = world.profile("New")
    services.update_outcome(owner_access, new.pk, "GV.OC-01", {"notes": "new"}, expected_version=1)
    assert _by_code(_listed(owner, new.pk))["GV.OC-01"]["notes"] == "new"


def test_another_organizations_profile_is_still_not_found(world: World):
    theirs = services.create_profile(world.other_access(), name="Theirs").pk
    owner = _client(world, "owner")
    response = owner.get(f"/api/organizations/acme/profiles/{theirs}/outcomes")
    assert response.status_code == 404
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get(f"/api/organizations/globex/profiles/{theirs}/outcomes").status_code == 200
    assert owner.get(f"/api/organizations/acme/profiles/{theirs}/outcomes").status_code == 404


def _fresh_json(client: Client, url: str) -> dict:
    from django.core.cache import caches

    caches["answers"].clear()
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


def test_scores_and_gaps_follow_ratings_and_the_profiles_settings(world: World):
    owner_access = world.access("owner")
    row = world.profile()
    pk = row.pk
    owner = _client(world, "owner")
    scores_url = f"/api/organizations/acme/profiles/{pk}/scores"
    gaps_url = f"/api/organizations/acme/profiles/{pk}/gaps"
    services.update_outcome(
        owner_access,
        pk,
        "GV.OC-01",
        {"current": "not", "target": "fully", "priority": "high"},
        expected_version=1,
    )
    services.update_outcome(
        owner_access, pk, "GV.OC-02", {"current": "largely", "target": "fully"}, expected_version=1
    )
    first = owner.get(scores_url).json()
    assert owner.get(scores_url).json() == first
    assert first["profile"]["current"]["score"] == 33.33

    # A rating: the scores and the gaps move at once.
    services.update_outcome(owner_access, pk, "GV.OC-01", {"current": "fully"}, expected_version=2)
    after = owner.get(scores_url).json()
    assert after["profile"]["current"]["score"] == 83.33
    assert after == _fresh_json(owner, scores_url)
    gaps = owner.get(gaps_url).json()
    assert [g["outcome"] for g in gaps["outcomes"] if g["gap"] > 0] == ["GV.OC-02"]

    # A profile setting: weighting by priority changes the roll-up, not the ratings.
    version = m.Profile.objects.get(pk=pk).version
    services.update_profile(owner_access, pk, {"rollup": "priority"}, expected_version=version)
    weighted = owner.get(scores_url).json()
    assert weighted["profile"]["current"]["score"] == 91.67  # (1×3 + ⅔×1) / 4 → 91.67
    assert weighted == _fresh_json(owner, scores_url)

    # Each filter of the gap analysis is its own answer.
    only_pr = owner.get(gaps_url + "?function=PR").json()
    assert only_pr["outcomes"] == [] and only_pr["filters"]["function"] == "PR"
    assert owner.get(gaps_url).json()["outcomes"][0]["outcome"] == "GV.OC-02"
    assert owner.get(gaps_url + "?function=XX").status_code in (400, 404, 422)
