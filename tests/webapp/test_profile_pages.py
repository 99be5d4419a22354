"""The profile pages, through the Django test client, on the real NIST catalogs.

Pages are reached only through the permission layer: another tenant's
profile is a 404, a missing permission a 403, and a contributor changes only
the outcomes assigned to them. Saves go through the services with the
outcome's version, so a stale save shows the other person's value instead of
overwriting it. List pages answer in a bounded number of queries.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from csfpilot.core.profiles import (
    MATURITY,
    STATUS,
    OutcomeEntry,
    Priority,
    Profile,
    ProfileKind,
    answer_keys,
)
from csfpilot.formats.native import dump_profile
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles import services, storage
from tests.webapp.profiles_world import World

# The ``world`` fixture (two organizations, one member per role) comes from there too.
pytest_plugins = ["tests.webapp.profiles_world"]
pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def client_for(world: World, role: str) -> Client:
    c = Client()
    c.force_login(world.users[role])
    return c


def url(name: str, *args) -> str:
    return reverse(f"profiles:{name}", args=["acme", *args])


def rate(world: World, row: m.Profile, code: str, **values) -> m.ProfileOutcome:
    """Save some fields of an outcome as the owner, at whatever version it is."""
    version = m.ProfileOutcome.objects.get(profile=row, code=code).version
    return services.update_outcome(
        world.access("owner"), row.pk, code, values, expected_version=version
    )


def rated_profile(world: World) -> m.Profile:
    """A profile with five outcomes rated: three below target, one at target, one N/A."""
    row = world.profile()
    rate(
        world,
        row,
        "GV.OC-01",
        current="partially",
        target="fully",
        priority="high",
        owner_name="Ana",
    )
    rate(
        world, row, "ID.AM-01", current="not", target="largely", priority="medium", owner_name="Bo"
    )
    rate(world, row, "PR.AA-01", current="largely", target="fully")
    rate(world, row, "DE.CM-01", current="fully", target="fully")
    rate(world, row, "RS.MA-01", current="na", target="na")
    return row


def svg_charts(html: str) -> list[ET.Element]:
    """Every inline chart of a page, parsed as XML (a malformed chart fails here)."""
    return [ET.fromstring(s) for s in re.findall(r"<svg[^>]*class=\"chart.*?</svg>", html, re.S)]


# -- the list and a new profile -----------------------------------------------------------


def test_the_list_shows_each_profile_with_scores_and_assessed_count(world: World):
    rated_profile(world)
    response = client_for(world, "viewer").get(url("list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Whole company" in html
    # 4 rated (N/A counts as answered) of 106; current score = mean(1/3, 0, 2/3, 1) = 50.
    assert "5 of 106" in html
    assert '<td class="num score-current"><span class="score">50</span></td>' in html
    # Target: mean(1, 2/3, 1, 1) = 91.67 → 92 on the list.
    assert '<td class="num score-target"><span class="score">92</span></td>' in html
    # A viewer reads but is not offered to create.
    assert url("create") not in html


def test_the_list_answers_in_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries
):
    for i in range(6):
        world.profile(f"Unit {i}", scope_type="business-unit", scope_name=f"BU {i}")
    c = client_for(world, "owner")
    c.get(url("list"))  # warm the framework cache (read once per process)
    with django_assert_max_num_queries(8):
        response = c.get(url("list"))
    assert response.content.decode().count('class="profile-table"') == 1
    assert "BU 5" in response.content.decode()


def test_creating_a_profile_starts_the_questionnaire(world: World):
    c = client_for(world, "assessor")
    response = c.post(
        url("create"),
        {
            "name": "Payroll system",
            "kind": "organizational",
            "scope_type": "system",
            "scope_name": "Payroll",
            "framework": "csf-2.0",
            "scale": "maturity",
            "start": "",
            "description": "",
            "assumptions": "Ransomware is the main threat",
        },
    )
    row = m.Profile.objects.get(organization=world.org, name="Payroll system")
    assert response.status_code == 302
    assert response["Location"] == url("assess", row.pk)
    assert row.scope_type == "system" and row.scope_name == "Payroll"
    assert row.scale == "maturity"
    assert row.outcomes.count() == 106


def test_a_duplicate_name_is_shown_on_the_name_field(world: World):
    world.profile("Whole company")
    response = client_for(world, "owner").post(
        url("create"),
        {
            "name": "whole COMPANY",
            "kind": "organizational",
            "scope_type": "organization",
            "framework": "csf-2.0",
            "scale": "status",
        },
    )
    assert response.status_code == 200
    assert "already has a profile named" in response.content.decode()
    assert m.Profile.objects.filter(organization=world.org).count() == 1


def test_a_profile_started_from_a_community_profile_takes_its_targets(world: World):
    community = world.profile("Sector baseline", kind="community")
    rate(world, community, "GV.SC-04", target="fully", priority="high")
    response = client_for(world, "owner").post(
        url("create"),
        {
            "name": "Our target",
            "kind": "organizational",
            "scope_type": "business-unit",
            "scope_name": "Plant 2",
            "framework": "csf-2.0",
            "scale": "status",
            "start": str(community.pk),
        },
    )
    row = m.Profile.objects.get(organization=world.org, name="Our target")
    assert response.status_code == 302
    assert row.based_on == "Sector baseline"
    assert row.scope_name == "Plant 2"
    outcome = row.outcomes.get(code="GV.SC-04")
    assert (outcome.target, outcome.priority, outcome.current) == ("fully", "high", None)


def test_viewers_and_contributors_cannot_create(world: World):
    for role in ("viewer", "contributor", "auditor"):
        assert client_for(world, role).get(url("create")).status_code == 403


# -- the questionnaire --------------------------------------------------------------------


def test_the_questionnaire_opens_at_the_first_unanswered_outcome(world: World):
    row = world.profile()
    rate(world, row, "GV.OC-01", current="largely", target="fully")
    rate(world, row, "GV.OC-02", current="not")  # target still missing
    html = client_for(world, "owner").get(url("assess", row.pk)).content.decode()
    assert 'data-outcome="GV.OC-03"' in html
    assert "Outcome 3 of 106" in html
    # The nav marks GV.OC-01 answered and GV.OC-02 still to answer.
    assert 'id="mark-GV-OC-01" class="mark done"' in html
    assert 'id="mark-GV-OC-02" class="mark todo"' in html


def test_an_outcome_card_shows_nists_text_examples_references_and_the_scale(world: World):
    row = world.profile()
    html = (
        client_for(world, "owner").get(url("assess", row.pk) + "?outcome=GV.OC-01").content.decode()
    )
    assert (
        "The organizational mission is understood and informs cybersecurity risk management" in html
    )
    assert "Share the organization&#x27;s mission" in html  # Ex1 of GV.OC-01
    # The status scale with its own keys (as in the terminal and the Excel Scale sheet),
    # N/A last; 'Not assessed' is the Delete key.
    for key, label in [
        ("n", "Not implemented"),
        ("p", "Partially implemented"),
        ("l", "Largely implemented"),
        ("f", "Fully implemented"),
        ("a", "Not applicable"),
    ]:
        assert f'data-side="current" data-hotkey="{key}">' in html
        assert label in html
    assert 'name="current" value="" data-side="current" data-hotkey="clear" checked' in html
    # Keyboard shortcuts are documented on the page; the save works without them (the
    # Save button is for a browser without JavaScript, which hides it otherwise).
    assert (
        "Keyboard shortcuts" in html
        and '<button class="button button-quiet" type="submit" data-without-js>Save</button>'
        in html
    )
    # It posts to the autosave endpoint with the outcome's version.
    assert f'hx-post="{url("assess_save", row.pk, "GV.OC-01")}"' in html
    assert 'name="version" value="1"' in html


def test_the_questionnaire_keys_are_the_scales_own_keys(world: World):
    # One scheme with the terminal and the Excel Scale sheet: maturity by its own numbers
    # and "a" for N/A, implementation status by n p l f a.
    row = world.profile()
    assert storage.scale_of(row) == STATUS
    html = (
        client_for(world, "owner").get(url("assess", row.pk) + "?outcome=GV.OC-01").content.decode()
    )
    shown = re.findall(r'data-side="current" data-hotkey="([^"]+)">', html)
    assert shown == ["n", "p", "l", "f", "a"]
    assert {str(lv.key): k for k, lv in answer_keys(MATURITY).items()} == {
        "0": "0",
        "1": "1",
        "2": "2",
        "3": "3",
        "4": "4",
        "5": "5",
        "na": "a",
    }


def test_a_category_at_a_time_shows_every_outcome_of_it(world: World):
    row = world.profile()
    html = (
        client_for(world, "owner")
        .get(url("assess", row.pk) + "?mode=category&category=GV.RR")
        .content.decode()
    )
    cards = re.findall(r'data-outcome="([^"]+)"', html)
    assert cards == ["GV.RR-01", "GV.RR-02", "GV.RR-03", "GV.RR-04"]
    assert "Category 3 of 22" in html


def test_an_autosave_saves_only_what_changed_and_answers_with_the_new_version(world: World):
    row = world.profile()
    rate(world, row, "GV.OC-01", notes="keep me")  # version 2
    response = client_for(world, "assessor").post(
        url("assess_save", row.pk, "GV.OC-01"),
        {
            "version": "2",
            "current": "partially",
            "target": "fully",
            "priority": "high",
            "owner_name": "",
            "rationale": "Board asked",
            "current_practices": "",
            "current_evidence": "https://intranet/mission\n\nhttps://intranet/risk ",
            "notes": "keep me",
        },
        **HX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="version" value="3" id="o-GV-OC-01-version" hx-swap-oob="true"' in html
    assert 'data-state="saved"' in html and "Saved at" in html
    assert 'id="mark-GV-OC-01" class="mark done"' in html
    outcome = m.ProfileOutcome.objects.get(profile=row, code="GV.OC-01")
    assert (outcome.current, outcome.target, outcome.priority) == ("partially", "fully", "high")
    assert outcome.current_evidence == ["https://intranet/mission", "https://intranet/risk"]
    assert outcome.notes == "keep me" and outcome.version == 3
    assert outcome.updated_by == world.users["assessor"]


def test_a_stale_save_shows_the_other_persons_value_and_saves_nothing(world: World):
    row = world.profile()
    rate(world, row, "GV.OC-01", current="largely")  # someone else: version 2
    response = client_for(world, "assessor").post(
        url("assess_save", row.pk, "GV.OC-01"),
        {
            "version": "1",
            "current": "not",
            "target": "",
            "priority": "",
            "owner_name": "",
            "rationale": "",
            "current_practices": "",
            "current_evidence": "",
            "notes": "",
        },
        **HX,
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this outcome first" in html
    assert "owner@acme.test" in html  # who saved it
    assert (
        '<td class="text-block">Largely implemented</td><td class="text-block">Not implemented</td>'
        in html
    )
    # "Keep mine" resubmits on the stored version; the version input is not moved on.
    assert 'name="version" value="2">Keep mine' in html
    assert 'id="o-GV-OC-01-version"' not in html
    assert m.ProfileOutcome.objects.get(profile=row, code="GV.OC-01").current == "largely"


def test_a_save_with_the_same_values_as_stored_is_no_conflict(world: World):
    row = world.profile()
    rate(world, row, "GV.OC-01", current="largely")
    response = client_for(world, "assessor").post(
        url("assess_save", row.pk, "GV.OC-01"),
        {
            "version": "1",
            "current": "largely",
            "target": "",
            "priority": "",
            "owner_name": "",
            "rationale": "",
            "current_practices": "",
            "current_evidence": "",
            "notes": "",
        },
        **HX,
    )
    assert response.status_code == 200
    assert m.ProfileOutcome.objects.get(profile=row, code="GV.OC-01").version == 2


def test_a_level_that_is_not_on_the_scale_is_refused(world: World):
    row = world.profile()
    response = client_for(world, "owner").post(
        url("assess_save", row.pk, "GV.OC-01"),
        {"version": "1", "current": "excellent"},
        **HX,
    )
    assert response.status_code == 400
    assert 'data-state="failed"' in response.content.decode()
    assert m.ProfileOutcome.objects.get(profile=row, code="GV.OC-01").version == 1


def test_without_javascript_a_save_reloads_the_same_outcome(world: World):
    row = world.profile()
    response = client_for(world, "owner").post(
        url("assess_save", row.pk, "ID.AM-02"),
        {"version": "1", "current": "fully", "target": "fully"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("assess", row.pk) + "?outcome=ID.AM-02#card-ID-AM-02"


def test_contributors_answer_only_their_outcomes(world: World):
    row = world.profile()
    contributor = world.users["contributor"]
    rate(world, row, "PR.AT-01", owner_name=contributor.email)
    c = client_for(world, "contributor")
    mine = c.post(
        url("assess_save", row.pk, "PR.AT-01"),
        {"version": "2", "current": "largely", "target": "fully"},
        **HX,
    )
    assert mine.status_code == 200
    theirs = c.post(
        url("assess_save", row.pk, "PR.AT-02"),
        {"version": "1", "current": "largely"},
        **HX,
    )
    assert theirs.status_code == 403
    assert m.ProfileOutcome.objects.get(profile=row, code="PR.AT-02").current is None
    # The page shows PR.AT-02 read-only, without the autosave.
    html = c.get(url("assess", row.pk) + "?outcome=PR.AT-02").content.decode()
    assert "this one is not assigned to you" in html
    assert "hx-post=" not in html.split('id="card-PR-AT-02"')[1].split("</form>")[0]


def test_viewers_read_the_questionnaire_but_cannot_save(world: World):
    row = world.profile()
    c = client_for(world, "viewer")
    html = c.get(url("assess", row.pk) + "?outcome=GV.OC-01").content.decode()
    assert "Your role can read this profile but not change it." in html
    assert (
        c.post(
            url("assess_save", row.pk, "GV.OC-01"), {"version": "1", "current": "not"}, **HX
        ).status_code
        == 403
    )


def test_community_profiles_ask_for_the_target_only(world: World):
    row = world.profile("Sector baseline", kind="community")
    html = client_for(world, "owner").get(url("assess", row.pk)).content.decode()
    assert 'name="target"' in html and 'name="current"' not in html
    # The level's key alone picks the target there: no Shift shown beside the levels.
    assert 'data-side="target" data-hotkey="f"><kbd aria-hidden="true">f</kbd>' in html


# -- dashboard ------------------------------------------------------------------------------


def test_the_dashboard_draws_the_charts_and_lists_gaps_in_plan_order(world: World):
    row = rated_profile(world)
    response = client_for(world, "viewer").get(url("dashboard", row.pk))
    assert response.status_code == 200
    html = response.content.decode()
    charts = svg_charts(html)
    titles = [c.find("{http://www.w3.org/2000/svg}title").text for c in charts]
    assert titles == [
        "Current and target score per Function",
        "Current and target score per Function, 0–100",
        "Current score of each Category",
    ]
    # Gap order: high × 2/3 (GV.OC-01) = 2, medium × 2/3 (ID.AM-01) = 4/3, unset × 1/3.
    ranked = re.findall(r'class="code-cell"><a href="[^"]+/outcomes/([^/]+)/">', html)
    assert ranked == ["GV.OC-01", "ID.AM-01", "PR.AA-01"]
    assert "3 outcomes are below target." in html
    # The heatmap's GV.OC tile links to its row in the score table.
    assert 'href="#row-GV-OC"' in html and 'id="row-GV-OC"' in html


def test_gap_filters_answer_with_the_list_alone(world: World):
    row = rated_profile(world)
    c = client_for(world, "viewer")
    response = c.get(url("dashboard", row.pk) + "?function=ID", HTTP_HX_TARGET="gap-list", **HX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="gap-list"')
    assert re.findall(r"/outcomes/([^/]+)/", html) == ["ID.AM-01"]
    assert "1 of 3 outcomes below target match the filters." in html
    by_owner = c.get(url("dashboard", row.pk) + "?owner=Ana", HTTP_HX_TARGET="gap-list", **HX)
    assert re.findall(r"/outcomes/([^/]+)/", by_owner.content.decode()) == ["GV.OC-01"]
    nobody = c.get(url("dashboard", row.pk) + "?owner=-&priority=", HTTP_HX_TARGET="gap-list", **HX)
    assert re.findall(r"/outcomes/([^/]+)/", nobody.content.decode()) == ["PR.AA-01"]


def test_the_dashboard_query_count_does_not_grow_with_answers(
    world: World, django_assert_max_num_queries
):
    row = rated_profile(world)
    c = client_for(world, "viewer")
    c.get(url("dashboard", row.pk))
    with django_assert_max_num_queries(16):
        c.get(url("dashboard", row.pk))
    for code in ("PR.AA-02", "PR.AA-03", "PR.AA-04", "PR.AA-05", "PR.AA-06"):
        rate(world, row, code, current="not", target="fully", priority="low")
    services.generate_actions(world.access("owner"), row.pk)
    services.take_snapshot(world.access("owner"), row.pk)
    with django_assert_max_num_queries(16):
        response = c.get(url("dashboard", row.pk))
    assert "8 outcomes are below target." in response.content.decode()


@pytest.mark.parametrize(
    ("page", "suffix", "most"),
    [
        ("assess", "?mode=category&category=GV.RM", 15),
        ("assess", "?outcome=PR.AA-01", 15),
        ("plan", "", 10),
        ("history", "", 14),
        ("outcome", "", 12),
    ],
)
def test_profile_pages_answer_in_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries, page, suffix, most
):
    row = rated_profile(world)
    for code in ("PR.AA-02", "PR.AA-03", "PR.AA-04", "PR.AA-05", "PR.AA-06", "GV.RM-01"):
        rate(world, row, code, current="not", target="fully", priority="low")
    services.generate_actions(world.access("owner"), row.pk)
    for label in ("Q1", "Q2", "Q3"):
        services.take_snapshot(world.access("owner"), row.pk, label=label)
    args = (row.pk, "GV.OC-01") if page == "outcome" else (row.pk,)
    c = client_for(world, "viewer")
    c.get(url(page, *args) + suffix)
    with django_assert_max_num_queries(most):
        assert c.get(url(page, *args) + suffix).status_code == 200


def test_the_outcome_page_shows_its_data_history_and_references(world: World):
    row = rated_profile(world)
    services.take_snapshot(world.access("owner"), row.pk, label="Q1 review")
    rate(world, row, "GV.OC-01", current="largely", rationale="Mission statement approved")
    html = client_for(world, "viewer").get(url("outcome", row.pk, "GV.OC-01")).content.decode()
    assert "Largely implemented" in html and "Fully implemented" in html
    assert "Mission statement approved" in html
    assert "Q1 review" in html
    # The history row of the snapshot still says "partially".
    history = html.split('id="history-h"')[1].split("</table>")[0]
    assert "Partially implemented" in history
    # SP 800-53 controls NIST maps GV.OC-01 to, linked to the framework browser.
    assert reverse("catalog:node", args=["sp800-53r5", "PM-11"]) in html
    # The outcome belongs to the Overview's list of outcomes: that tab is the current one
    # (a Community Profile has no Dashboard tab to mark).
    tabs = html.split('class="profile-tabs"')[1].split("</nav>")[0]
    (current,) = re.findall(r'<a href="([^"]+)" aria-current="page">', tabs)
    assert current == url("overview", row.pk)


# -- action plan ----------------------------------------------------------------------------


def test_generating_the_plan_adds_one_action_per_gap_in_order(world: World):
    row = rated_profile(world)
    c = client_for(world, "assessor")
    response = c.post(url("plan_generate", row.pk), {"due": "2030-06-30", "milestone": "Q2"})
    assert response.status_code == 302
    actions = list(m.Action.objects.filter(profile=row).order_by("position"))
    assert [(a.code, a.outcomes) for a in actions] == [
        ("A-001", ["GV.OC-01"]),
        ("A-002", ["ID.AM-01"]),
        ("A-003", ["PR.AA-01"]),
    ]
    assert actions[0].title == "Raise GV.OC-01 from Partially implemented to Fully implemented"
    html = c.get(url("plan", row.pk)).content.decode()
    assert "0 of 3 closed (0%)" in html
    assert "Every outcome below target has an open action." in html


def test_an_overdue_action_is_highlighted(world: World):
    row = rated_profile(world)
    services.create_action(
        world.access("owner"),
        row.pk,
        {
            "title": "Write the mission statement",
            "outcomes": ["GV.OC-01"],
            "due": date.today() - timedelta(days=3),
        },
    )
    html = client_for(world, "viewer").get(url("plan", row.pk)).content.decode()
    assert '<tr id="action-A-001" class="overdue">' in html
    assert "Overdue" in html
    # Viewers see no edit buttons.
    assert url("action_edit", row.pk, "A-001") not in html


def test_an_action_is_edited_in_place(world: World):
    row = rated_profile(world)
    services.generate_actions(world.access("owner"), row.pk)
    c = client_for(world, "assessor")
    edit = c.get(url("action_edit", row.pk, "A-002"), **HX)
    assert edit.status_code == 200
    assert '<tr id="action-A-002" class="editing">' in edit.content.decode()
    saved = c.post(
        url("action_edit", row.pk, "A-002"),
        {
            "version": "1",
            "title": "Inventory the plant's hardware",
            "owner_name": "Bo",
            "due": "2031-01-31",
            "milestone": "Q1",
            "status": "in-progress",
            "cost": "3 weeks",
        },
        **HX,
    )
    html = saved.content.decode()
    assert saved.status_code == 200
    assert html.lstrip().startswith('<tr id="action-A-002"')
    assert "Inventory the plant&#x27;s hardware" in html and "In progress" in html
    assert 'id="plan-summary"' in html and 'hx-swap-oob="true"' in html
    action = m.Action.objects.get(profile=row, code="A-002")
    assert (action.status, action.due, action.cost) == ("in-progress", date(2031, 1, 31), "3 weeks")
    # The same form, stale now, is refused with the current values back in the row.
    stale = c.post(
        url("action_edit", row.pk, "A-002"),
        {"version": "1", "title": "Something else", "status": "done"},
        **HX,
    )
    assert stale.status_code == 409
    assert "Someone else changed this action" in stale.content.decode()
    assert 'value="Inventory the plant&#x27;s hardware"' in stale.content.decode()
    assert m.Action.objects.get(profile=row, code="A-002").status == "in-progress"


def test_contributors_cannot_change_the_plan(world: World):
    row = rated_profile(world)
    services.generate_actions(world.access("owner"), row.pk)
    c = client_for(world, "contributor")
    assert c.post(url("plan_generate", row.pk)).status_code == 403
    assert c.get(url("action_edit", row.pk, "A-001")).status_code == 403


# -- history, comparisons, Community Profiles -------------------------------------------------


def test_snapshots_are_taken_listed_compared_and_trended(world: World):
    row = rated_profile(world)
    c = client_for(world, "owner")
    assert c.post(url("history", row.pk), {"label": "Q1 review"}).status_code == 302
    snap = m.Snapshot.objects.get(profile=row)
    assert (
        client_for(world, "viewer").post(url("history", row.pk), {"label": "x"}).status_code == 403
    )
    assert m.Snapshot.objects.filter(profile=row).count() == 1
    rate(world, row, "ID.AM-01", current="largely")
    html = c.get(url("history", row.pk)).content.decode()
    assert "Q1 review" in html
    assert [x.find("{http://www.w3.org/2000/svg}title").text for x in svg_charts(html)] == [
        "Profile score over time",
        "Current score per Function over time",
    ]
    compared = c.get(
        url("compare", row.pk) + f"?before=snapshot:{snap.pk}&after=profile:{row.pk}"
    ).content.decode()
    assert "1 field changed, on 1 outcomes." in compared
    assert "Not implemented" in compared and "Largely implemented" in compared
    # The profile's current score went from 50 to (1/3 + 2/3 + 2/3 + 1)/4 = 66.67.
    assert '<span class="delta-up">+16.7</span>' in compared


def test_comparing_across_organizations_is_not_found(world: World):
    row = world.profile()
    theirs = services.create_profile(world.other_access(), name="Theirs")
    response = client_for(world, "owner").get(
        url("compare", row.pk) + f"?before=profile:{theirs.pk}&after=profile:{row.pk}"
    )
    assert response.status_code == 404


def community_file(name: str = "Manufacturing baseline") -> bytes:
    profile = Profile(
        name=name,
        kind=ProfileKind.COMMUNITY,
        outcomes={
            "GV.SC-04": OutcomeEntry(
                "GV.SC-04",
                target=STATUS.level("fully"),
                priority=Priority.HIGH,
                rationale="Supplier incidents",
            ),
            "PR.AA-03": OutcomeEntry("PR.AA-03", target=STATUS.level("largely")),
        },
    )
    return dump_profile(profile, "yaml").encode()


def test_a_community_profile_is_imported_and_its_target_derived_after_a_preview(world: World):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = client_for(world, "owner")
    upload = SimpleUploadedFile("baseline.yaml", community_file(), "application/yaml")
    response = c.post(url("import"), {"file": upload, "name": ""})
    community = m.Profile.objects.get(organization=world.org, name="Manufacturing baseline")
    assert response.status_code == 302 and community.kind == "community"

    row = world.profile()
    preview = c.get(url("derive", row.pk) + f"?community={community.pk}").content.decode()
    assert "GV.SC-04" in preview and "Fully implemented" in preview
    assert "Supplier incidents" in preview
    assert m.ProfileOutcome.objects.get(profile=row, code="GV.SC-04").target is None
    applied = c.post(url("derive", row.pk), {"community": community.pk, "version": row.version})
    assert applied.status_code == 302
    assert m.ProfileOutcome.objects.get(profile=row, code="GV.SC-04").target == "fully"
    assert m.Profile.objects.get(pk=row.pk).based_on == "Manufacturing baseline"


def test_a_bad_file_is_refused_with_its_line_and_nothing_is_stored(world: World):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = community_file().replace(b"target: fully", b"target: excellent")
    response = client_for(world, "owner").post(
        url("import"), {"file": SimpleUploadedFile("baseline.yaml", bad)}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "baseline.yaml:" in html and "GV.SC-04" in html and "excellent" in html
    assert not m.Profile.objects.filter(organization=world.org).exists()


def test_export_needs_the_export_permission(world: World):
    row = rated_profile(world)
    response = client_for(world, "auditor").get(url("export", row.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="whole-company.yaml"'
    assert "GV.OC-01" in response.content.decode()
    assert client_for(world, "viewer").get(url("export", row.pk)).status_code == 403


# -- settings ------------------------------------------------------------------------------


def test_a_profile_is_renamed_and_rescoped_against_its_version(world: World):
    row = world.profile()
    c = client_for(world, "assessor")
    data = {
        "version": str(row.version),
        "name": "Plant 2",
        "scope_type": "business-unit",
        "scope_name": "Riverside plant",
        "description": "OT and office",
        "assumptions": "",
    }
    assert c.post(url("settings", row.pk), data).status_code == 302
    row.refresh_from_db()
    assert (row.name, row.scope_type, row.scope_name) == (
        "Plant 2",
        "business-unit",
        "Riverside plant",
    )
    stale = c.post(url("settings", row.pk), {**data, "name": "Plant 3"})
    assert stale.status_code == 409
    assert "Someone else changed this profile first" in stale.content.decode()
    row.refresh_from_db()
    assert row.name == "Plant 2"


def test_deleting_a_profile_needs_the_confirmation(world: World):
    row = world.profile()
    c = client_for(world, "owner")
    assert c.post(url("delete", row.pk), {}).status_code == 302
    assert m.Profile.objects.filter(pk=row.pk).exists()
    assert c.post(url("delete", row.pk), {"confirm": "on"})["Location"] == url("list")
    assert not m.Profile.objects.filter(pk=row.pk).exists()


# -- Tiers ----------------------------------------------------------------------------------


def test_tiers_are_saved_with_their_rationale_and_guarded_by_the_version(world: World):
    row = world.profile()
    c = client_for(world, "owner")
    html = c.get(url("tiers", row.pk)).content.decode()
    assert "Tier 3 · Repeatable" in html and "formally approved and expressed as policy" in html
    data = {
        "version": "1",
        "governance_current": "2",
        "governance_target": "3",
        "management_current": "1",
        "management_target": "3",
        "governance_current_rationale": "Policies approved, not organization-wide",
        "governance_target_rationale": "",
        "management_current_rationale": "",
        "management_target_rationale": "",
    }
    assert c.post(url("tiers", row.pk), data).status_code == 302
    row.refresh_from_db()
    assert (row.governance_current, row.governance_target, row.management_target) == (2, 3, 3)
    assert row.governance_current_rationale == "Policies approved, not organization-wide"
    stale = c.post(url("tiers", row.pk), {**data, "governance_target": "4"})
    assert stale.status_code == 409
    assert "Someone else changed this profile first" in stale.content.decode()
    row.refresh_from_db()
    assert row.governance_target == 3
    assert client_for(world, "viewer").post(url("tiers", row.pk), data).status_code == 403


# -- who may see what -----------------------------------------------------------------------

# Every profile page and who reaches it: (route, args, method, permission needed to GET/POST).
PAGES = {
    "list": ((), "get", "view"),
    "create": ((), "get", "edit"),
    "import": ((), "get", "edit"),
    "overview": (("P",), "get", "view"),
    "export": (("P",), "get", "export"),
    "settings": (("P",), "get", "edit"),
    "move_release": (("P",), "get", "edit"),
    "delete": (("P",), "post", "edit"),
    "assess": (("P",), "get", "view"),
    "assess_save": (("P", "GV.OC-01"), "post", "outcome"),
    "dashboard": (("P",), "get", "view"),
    "outcome": (("P", "GV.OC-01"), "get", "view"),
    "tiers": (("P",), "get", "view"),
    "plan": (("P",), "get", "view"),
    "plan_generate": (("P",), "post", "edit"),
    "action_add": (("P",), "post", "edit"),
    "action_row": (("P", "A-001"), "get", "view"),
    "action_edit": (("P", "A-001"), "get", "edit"),
    "action_delete": (("P", "A-001"), "post", "edit"),
    "history": (("P",), "get", "view"),
    "compare": (("P",), "get", "view"),
    "snapshot_export": (("P", "S"), "get", "export"),
    "derive": (("P",), "get", "edit"),
    "exchange_new": ((), "get", "edit"),
    "exchange_import": (("P",), "get", "edit"),
    "exchange_export": (("P", "xlsx"), "get", "export"),
}
ALLOWED = {
    "view": {"owner", "assessor", "contributor", "viewer", "auditor"},
    "edit": {"owner", "assessor"},
    "export": {"owner", "assessor", "auditor"},
    "outcome": {"owner", "assessor"},  # GV.OC-01 is assigned to nobody
}


def test_every_profile_route_is_in_the_grid():
    def walk(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and namespace == "profiles":
                yield p.name

    assert set(walk(get_resolver().url_patterns)) == {*PAGES, "mine"}


def test_the_permission_grid(world: World):
    row = rated_profile(world)
    services.generate_actions(world.access("owner"), row.pk)
    snap = services.take_snapshot(world.access("owner"), row.pk)
    for name, (args, method, need) in PAGES.items():
        real = [row.pk if a == "P" else snap.pk if a == "S" else a for a in args]
        path = url(name, *real)
        for role in ("owner", "assessor", "contributor", "viewer", "auditor"):
            c = client_for(world, role)
            data = {"version": "999"} if method == "post" else None
            response = getattr(c, method)(path, data or {})
            if role in ALLOWED[need]:
                assert response.status_code in (200, 302, 409), (name, role, response.status_code)
            else:
                assert response.status_code == 403, (name, role, response.status_code)
        # Another tenant's owner learns nothing: the same 404 as for a profile that never was.
        outsider = Client()
        outsider.force_login(world.outsider)
        assert getattr(outsider, method)(path).status_code == 404, name
        # Anonymous visitors are sent to sign in.
        anonymous = getattr(Client(), method)(path)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"], name


def test_another_tenants_profile_id_under_my_organization_is_not_found(world: World):
    theirs = services.create_profile(world.other_access(), name="Theirs")
    c = client_for(world, "owner")
    for name in ("overview", "assess", "dashboard", "plan", "history", "tiers"):
        assert c.get(url(name, theirs.pk)).status_code == 404, name


def test_the_main_navigation_leads_to_the_current_organizations_profiles(world: World):
    c = client_for(world, "viewer")
    assert c.get(reverse("profiles:mine"))["Location"] == reverse("organizations:list")
    c.get(reverse("organizations:home", args=["acme"]))
    assert c.get(reverse("profiles:mine"))["Location"] == url("list")


def test_an_outcomes_help_follows_the_crosswalks_and_frameworks_loaded(world: World):
    """The help is kept between requests; a crosswalk or framework removed shows at once."""
    from csfpilot.webapp.catalog import models as catalog

    row = world.profile()
    owner = client_for(world, "owner")
    page = url("assess", row.pk) + "?outcome=GV.OC-01"
    html = owner.get(page).content.decode()
    assert "ISO/IEC 27001:2022" in html and 'href="/frameworks/iso27001-2022/4.1"' in html
    assert owner.get(page).content.decode().count("ISO/IEC 27001:2022") == html.count(
        "ISO/IEC 27001:2022"
    )

    catalog.MappingDataset.objects.filter(key="olir-iso27001-2022").delete()
    html = owner.get(page).content.decode()
    assert "ISO/IEC 27001:2022" not in html
    assert 'href="/frameworks/sp800-53r5/PM-11"' in html  # the others stay

    catalog.Framework.objects.filter(key="sp800-53r5").delete()
    html = owner.get(page).content.decode()
    assert 'href="/frameworks/sp800-53r5/PM-11"' not in html
    assert '<span title="' in html and ">PM-11</span>" in html  # shown, no longer linked
