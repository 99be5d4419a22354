"""The overview and the dashboard reuse a profile's scores, gaps and progress, never stale.

Each page is read once to fill the answer cache, then again after a change: what
it shows must be what the profile's rows say right then (compared with the
figures worked out without the cache), and while nothing changed the page must
not read the outcome rows at all. Every page here is drawn: the whole pages kept for
their reader (profiles/page_cache.py, tests/webapp/test_kept_pages.py) are emptied
before each request, so that what is tested is the answers the drawing reuses.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from csfpilot.core.gaps import analyse_gaps
from csfpilot.webapp.profiles import lookups, queries, services
from csfpilot.webapp.profiles import models as m
from tests.webapp.profiles_world import World, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def _client(world: World, role: str = "viewer") -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _url(name: str, pk: int) -> str:
    return reverse(f"profiles:{name}", args=["acme", pk])


def _rate(world: World, row: m.Profile, code: str, **values) -> None:
    version = m.ProfileOutcome.objects.get(profile=row, code=code).version
    services.update_outcome(world.access("owner"), row.pk, code, values, expected_version=version)


def _rated(world: World) -> m.Profile:
    row = world.profile()
    _rate(world, row, "GV.OC-01", current="not", target="fully", priority="high")
    _rate(world, row, "GV.OC-02", current="largely", target="fully")
    _rate(world, row, "PR.AA-01", current="partially", target="largely")
    return row


def _drawn(client: Client, url: str):
    caches["pages"].clear()
    return client.get(url)


def _shown(client: Client, name: str, pk: int):
    response = _drawn(client, _url(name, pk))
    assert response.status_code == 200
    return response.context


def _page(client: Client, name: str, pk: int) -> str:
    response = _drawn(client, _url(name, pk))
    assert response.status_code == 200
    return response.content.decode()


def _fresh_scores(world: World, pk: int):
    """The scores worked out from the rows right now, without the answer cache."""
    return queries.scores(world.access("viewer"), pk)


def _fresh_gaps(world: World, pk: int):
    row = lookups.profile(world.access("viewer"), pk)
    return analyse_gaps(lookups.rated_profile(row, actions=[]), lookups.framework_of(row))


def _gap_codes(context) -> list[str]:
    """The outcomes of the gap list as the page shows them (drawn or kept from before)."""
    html = str(context["gap_section"])
    return re.findall(r'class="code-cell"><a href="[^"]*">([^<]+)</a>', html)


def _progress(html: str, group: str) -> tuple[int, int, int]:
    """A Function's progress as the page shows it: (current answered, target, in scope)."""
    found = re.search(
        rf'<span class="fn-label">{group} [^<]*</span>\s*'
        r'<span class="count">(\d+) · (\d+) of (\d+)</span>',
        html,
    )
    assert found, group
    current, target, included = found.groups()
    return int(current), int(target), int(included)


def test_a_rating_shows_on_both_pages_at_once(world: World):
    row = _rated(world)
    client = _client(world)
    for _ in range(2):  # built, then served from the answer cache
        overview = _shown(client, "overview", row.pk)
        board = _shown(client, "dashboard", row.pk)
    before = overview["scores"]
    assert before == _fresh_scores(world, row.pk).profile
    assert _gap_codes(board) == ["GV.OC-01", "GV.OC-02", "PR.AA-01"]
    assert overview["resume"] == "GV.OC-03"

    _rate(world, row, "GV.OC-01", current="fully")
    overview = _shown(client, "overview", row.pk)
    board = _shown(client, "dashboard", row.pk)
    fresh = _fresh_scores(world, row.pk)
    assert overview["scores"] == fresh.profile
    assert overview["scores"].current.percent != before.current.percent
    assert board["profile_score"] == fresh.profile
    assert overview["gap"] == board["gap_score"] == _fresh_gaps(world, row.pk).profile
    assert _gap_codes(board) == ["GV.OC-02", "PR.AA-01"]
    assert overview["with_gap"] == 2


def test_progress_and_where_to_resume_follow_the_answers_at_once(world: World):
    row = _rated(world)
    client = _client(world)
    _page(client, "overview", row.pk)
    first = _page(client, "overview", row.pk)
    assert "?outcome=GV.OC-03" in first
    current, _, included = _progress(first, "GV")
    assert current == 2

    _rate(world, row, "GV.OC-03", current="partially")
    after = _page(client, "overview", row.pk)
    assert "?outcome=GV.OC-04" in after
    assert _progress(after, "GV")[0] == 3

    # Leaving an outcome out of scope is a change of the rows too.
    _rate(world, row, "GV.OC-04", included=False)
    after = _page(client, "overview", row.pk)
    assert "?outcome=GV.OC-05" in after
    assert _progress(after, "GV")[2] == included - 1


def test_a_profile_setting_changes_the_scores_at_once(world: World):
    row = _rated(world)
    client = _client(world)
    _shown(client, "dashboard", row.pk)
    plain = _shown(client, "dashboard", row.pk)["profile_score"]
    version = m.Profile.objects.get(pk=row.pk).version
    services.update_profile(
        world.access("owner"), row.pk, {"rollup": "priority"}, expected_version=version
    )
    weighted = _shown(client, "dashboard", row.pk)["profile_score"]
    assert weighted == _fresh_scores(world, row.pk).profile
    assert weighted.current.percent != plain.current.percent
    assert _shown(client, "overview", row.pk)["scores"] == weighted


def test_every_answer_read_again_is_served_without_reading_the_outcomes(world: World):
    row = _rated(world)
    client = _client(world)
    services.take_snapshot(world.access("owner"), row.pk, label="Q1")
    # Both: the identity generation (the session, the user and the membership come from the
    # identity cache), the profile row, the rows' state. Overview: its actions. Dashboard:
    # the actions (the plan's card; their versions key the gap list), the snapshots (trend),
    # the profile's evidence links and the newest scan tallies (the evidence states' key:
    # evidence changes without a new profile version), and the items expiring within 90
    # days. The gap list, the charts and the table are drawn from the answer cache.
    # Each also reads the kept page's key first (one statement), then draws.
    for name, pinned in (("overview", 5), ("dashboard", 9)):
        # Twice: the first visit writes the organization into the session, which moves the
        # identity generation.
        _drawn(client, _url(name, row.pk))
        _drawn(client, _url(name, row.pk))
        caches["pages"].clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_url(name, row.pk)).status_code == 200
        reads = [q["sql"] for q in ctx.captured_queries]
        # Two aggregates over the outcome rows, the rows themselves not read: the state of
        # the page's inputs (the kept page's key, looked up first) and the answers' key.
        assert sum("profiles_profileoutcome" in q for q in reads) == 2, name
        assert len(reads) == pinned, (name, reads)
