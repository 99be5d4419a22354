"""The questionnaire page: its save address asked for with GET, the outcome list's
statements, the Save button only where nothing saves by itself."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from csfpilot.webapp.profiles import services
from tests.webapp.profiles_world import World

pytest_plugins = ["tests.webapp.profiles_world"]
pytestmark = pytest.mark.django_db


def client_for(world: World, role: str) -> Client:
    c = Client()
    c.force_login(world.users[role])
    return c


# -- the questionnaire ------------------------------------------------------------------------


def test_get_on_a_save_address_opens_the_questionnaire_at_that_outcome(world: World):
    row = world.profile()
    save = reverse("profiles:assess_save", args=["acme", row.pk, "GV.OC-02"])
    response = client_for(world, "viewer").get(save)
    assert response.status_code == 302
    assert response["Location"] == reverse("profiles:assess", args=["acme", row.pk]) + (
        "?outcome=GV.OC-02"
    )
    # ... and it is a page, not a blank 405.
    page = client_for(world, "viewer").get(save, follow=True)
    assert page.status_code == 200 and "GV.OC-02" in page.content.decode()
    # Someone from another organization learns nothing from it, nor does another
    # organization's profile id under one's own, nor an outcome the profile lacks.
    stranger = Client()
    stranger.force_login(world.outsider)
    assert stranger.get(save).status_code == 404
    theirs = services.create_profile(world.other_access(), name="Globex")
    mine = client_for(world, "owner")
    assert (
        mine.get(reverse("profiles:assess_save", args=["acme", theirs.pk, "GV.OC-02"])).status_code
        == 404
    )
    assert (
        mine.get(reverse("profiles:assess_save", args=["acme", row.pk, "XX.YY-01"])).status_code
        == 404
    )


def test_the_outcome_list_beside_the_questionnaire_shows_each_outcomes_statement(world: World):
    row = world.profile()
    html = (
        client_for(world, "owner")
        .get(reverse("profiles:assess", args=["acme", row.pk]))
        .content.decode()
    )
    nav = html[html.index('<nav class="assess-nav"') :]
    nav = nav[: nav.index("</nav>")]
    statement = "The organizational mission is understood and informs cybersecurity risk management"
    # NIST's statement, marked as English, with the id and statement as its tooltip.
    assert (
        '<span class="nav-code">GV.OC-01</span> <span class="nav-title" lang="en" '
        f'title="GV.OC-01 {statement}">{statement}</span>'
    ) in nav
    assert nav.count('class="nav-title"') == 106


def test_the_save_button_is_for_browsers_without_javascript(world: World):
    row = world.profile()
    html = (
        client_for(world, "owner")
        .get(reverse("profiles:assess", args=["acme", row.pk]))
        .content.decode()
    )
    # "Saves as you answer" shows only where JavaScript saves; the button only where not.
    assert "<span data-requires-js hidden>Saves as you answer</span>" in html
    assert 'type="submit" data-without-js>Save</button>' in html
