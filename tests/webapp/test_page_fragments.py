"""The parts of the profile pages kept as finished HTML are never stale.

The questionnaire's outcome list and progress, the overview's progress and bars, the
dashboard's charts, table of scores and gap list are drawn once per state of the
profile's rows (profiles/fragments.py). After each kind of change (a rating, a note,
an outcome's evidence, the reader's language, the reader's role) the next view must
show it, and must be exactly the page drawn from nothing: the same page read with the
answer cache emptied first.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from csfpilot.webapp.evidence import blobs
from csfpilot.webapp.evidence import services as evidence
from csfpilot.webapp.organizations.models import Membership
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles import services
from tests.webapp.profiles_world import World, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _client(world: World, role: str = "viewer") -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _urls(pk: int) -> dict[str, str]:
    def url(name: str) -> str:
        return reverse(f"profiles:{name}", args=["acme", pk])

    return {
        "overview": url("overview"),
        "dashboard": url("dashboard"),
        "questionnaire": url("assess") + "?outcome=GV.OC-01",
        "category": url("assess") + "?mode=category&category=GV.OC",
    }


def _html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    # The form's CSRF token is masked anew on every response.
    return _TOKEN.sub("", response.content.decode())


def _seen(client: Client, pk: int) -> dict[str, str]:
    """Every page twice (drawn, then kept), as the reader sees it the second time."""
    out = {}
    for name, url in _urls(pk).items():
        _html(client, url)
        out[name] = _html(client, url)
    return out


def _drawn_from_nothing(client: Client, url: str) -> str:
    caches["answers"].clear()
    caches["pages"].clear()
    return _html(client, url)


def _assert_current(client: Client, pk: int) -> dict[str, str]:
    """Each page as kept equals the page drawn with an empty answer cache."""
    kept = {name: _html(client, url) for name, url in _urls(pk).items()}
    for name, url in _urls(pk).items():
        assert kept[name] == _drawn_from_nothing(client, url), name
    return kept


def _rate(world: World, row: m.Profile, code: str, **values) -> None:
    version = m.ProfileOutcome.objects.get(profile=row, code=code).version
    services.update_outcome(world.access("owner"), row.pk, code, values, expected_version=version)


def _rated(world: World) -> m.Profile:
    row = world.profile()
    _rate(world, row, "GV.OC-01", current="not", target="fully", priority="high")
    _rate(world, row, "GV.OC-03", current="largely", target="fully")
    return row


def _gap_list(html: str) -> str:
    return html[html.index('<div id="gap-list"') : html.index('aria-labelledby="scores-h"')]


def _mark(html: str, code: str) -> str:
    found = re.search(rf'id="mark-{code.replace(".", "-")}" class="mark (\w+)"', html)
    assert found, code
    return found.group(1)


def test_a_rating_shows_on_the_next_view_of_every_page(world: World):
    row = _rated(world)
    client = _client(world)
    before = _seen(client, row.pk)
    assert _mark(before["questionnaire"], "GV.OC-02") == "todo"

    _rate(world, row, "GV.OC-02", current="partially", target="largely")
    after = _assert_current(client, row.pk)
    assert _mark(after["questionnaire"], "GV.OC-02") == "done"
    assert _mark(after["category"], "GV.OC-02") == "done"
    for name in ("overview", "dashboard", "questionnaire"):
        assert after[name] != before[name], name
    # The new gap is in the dashboard's gap list.
    assert f'href="/orgs/acme/profiles/{row.pk}/outcomes/GV.OC-02/"' in after["dashboard"]


def test_a_note_shows_on_the_next_view(world: World):
    row = _rated(world)
    client = _client(world)
    _seen(client, row.pk)
    _rate(world, row, "GV.OC-01", notes="Reviewed with the board in March")
    after = _assert_current(client, row.pk)
    assert "Reviewed with the board in March" in after["questionnaire"]


def test_an_evidence_review_shows_on_the_next_view_of_the_gap_list(world: World):
    row = world.profile()
    owner = world.access("owner")
    _rate(world, row, "GV.PO-01", current="largely", target="fully")
    item = evidence.add_item(
        owner,
        evidence.ItemFields(
            title="Policy",
            effective_from=date.today() - timedelta(days=5),
            valid_until=date.today() + timedelta(days=300),
        ),
        evidence.Content(
            spooled=blobs.spool([PDF], filename="p.pdf", organization=world.org),
            filename="p.pdf",
        ),
    )
    link = evidence.link(owner, item.pk, row.pk, "GV.PO-01")
    client = _client(world)
    before = _gap_list(_seen(client, row.pk)["dashboard"])
    assert "ev-state ev-unsupported" in before and "ev-state ev-supported" not in before

    # A review changes no outcome row: the evidence's own inputs are part of the key.
    evidence.review(owner, link.pk, "accepted")
    assert m.ProfileOutcome.objects.get(profile=row, code="GV.PO-01").version == 2
    after = _gap_list(_assert_current(client, row.pk)["dashboard"])
    assert "ev-state ev-supported" in after and "ev-state ev-unsupported" not in after


def test_an_action_shows_in_the_gap_list_on_the_next_view(world: World):
    row = _rated(world)
    client = _client(world)
    before = _seen(client, row.pk)["dashboard"]
    assert "#action-A-" not in before
    services.create_action(
        world.access("owner"), row.pk, {"title": "Write the context down", "outcomes": ["GV.OC-01"]}
    )
    after = _assert_current(client, row.pk)["dashboard"]
    assert re.search(r'#action-[^"]+">[^<]+</a>', after)


def test_the_language_switch_shows_on_the_next_view(world: World):
    row = _rated(world)
    client = _client(world)
    heading = "Scores per Function and Category"
    assert heading in _seen(client, row.pk)["dashboard"]
    with translation.override("zh-hant"):
        translated = gettext(heading)
        nav_heading = gettext("Outcomes")
    assert translated != heading

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"
    chinese = _assert_current(client, row.pk)
    assert translated in chinese["dashboard"] and heading not in chinese["dashboard"]
    assert f'aria-label="{nav_heading}"' in chinese["questionnaire"]

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _assert_current(client, row.pk)
    assert heading in english["dashboard"] and translated not in english["dashboard"]


def test_a_new_role_shows_what_the_reader_may_change_on_the_next_view(world: World):
    row = _rated(world)
    client = _client(world, "viewer")
    read_only = gettext("Your role can read this profile but not change it.")
    before = _seen(client, row.pk)["questionnaire"]
    assert read_only in before and 'hx-post="' not in before

    Membership.objects.filter(user=world.users["viewer"], organization=world.org).update(
        role="assessor"
    )
    after = _assert_current(client, row.pk)["questionnaire"]
    assert read_only not in after and 'hx-post="' in after

    Membership.objects.filter(user=world.users["viewer"], organization=world.org).update(
        role="viewer"
    )
    assert read_only in _html(client, _urls(row.pk)["questionnaire"])


# The identity generation, the profile row and the rows' state on every page.
FRAME = 3
PINS = {
    # Kept whole (profiles/page_cache.py): the identity generation and the state of the
    # page's inputs, in one statement.
    "overview": 2,
    "dashboard": 2,
    # Asked for with a query, so drawn: + the outcome shown, the help's key (crosswalk
    # datasets, loaded releases), the evidence links and scan tallies and the outcome's
    # linked items (its card), the items the owner may link and the members' e-mails (the
    # owner's form)
    "questionnaire": FRAME + 8,
}


def test_a_repeat_view_reads_one_outcome_row_at_most(world: World):
    """Pinned query counts of a repeat view; of the outcome rows only the state's aggregate
    and, on the questionnaire, the outcome shown are read."""
    row = _rated(world)
    client = _client(world, "owner")
    urls = _urls(row.pk)
    counts = {}
    for name in PINS:
        for _ in range(3):  # drawn, the session's first visit written, then kept
            _html(client, urls[name])
        with CaptureQueriesContext(connection) as ctx:
            _html(client, urls[name])
        reads = [q["sql"] for q in ctx.captured_queries]
        if name == "questionnaire":
            # The state's aggregate is grouped; any other read of the table is of rows.
            rows = [q for q in reads if "profiles_profileoutcome" in q and "GROUP BY" not in q]
            assert len(rows) == 1, (name, reads)
        else:
            assert "csfpilot_identity_generation" in reads[0], reads
        counts[name] = len(reads)
    assert counts == PINS


def test_a_filtered_gap_list_is_drawn_for_its_request_and_not_kept(world: World):
    """The query string is the reader's to choose: distinct ones must not fill the cache."""
    row = _rated(world)
    client = _client(world)
    url = _urls(row.pk)["dashboard"]
    _html(client, url)
    _html(client, url)
    kept = len(caches["answers"]._cache)  # the per-process cache's entries
    for n in range(5):
        html = _html(client, f"{url}?function=GV&junk={n}")
        assert "GV.OC-01" in _gap_list(html)
        assert len(caches["answers"]._cache) == kept
    listed = client.get(
        f"{url}?function=PR", headers={"HX-Request": "true", "HX-Target": "gap-list"}
    )
    assert listed.status_code == 200 and "GV.OC-01" not in listed.content.decode()
    assert len(caches["answers"]._cache) == kept
