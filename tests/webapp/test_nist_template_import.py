"""NIST's template, filled by people, imported through the page: choices shown, changed, applied."""

from __future__ import annotations

import io

import pytest

from csfpilot.webapp.profiles import exchange_formats, lookups
from csfpilot.webapp.profiles import models as m
from tests.formats.nist_template_helpers import blank_template, fill
from tests.webapp.profiles_world import World, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def _upload(data: bytes, name: str = "consultant.xlsx") -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def _url(row: m.Profile) -> str:
    return f"/orgs/acme/profiles/{row.pk}/exchange/import/"


def _stored(row: m.Profile) -> dict[str, tuple]:
    return {
        o.code: (o.included, o.current, o.priority)
        for o in m.ProfileOutcome.objects.filter(profile=row)
        if o.current or o.priority
    }


def test_the_preview_shows_each_free_text_value_and_applies_the_person_s_choices(
    client, world: World
):
    row = world.profile("Consultant's assessment", description="Kept as it is")
    client.force_login(world.users["assessor"])
    preview = client.post(_url(row), {"file": _upload(fill(blank_template()))})
    assert preview.status_code == 200
    rows = preview.context["choices"]
    assert [(c["text"], c["chosen"]) for c in rows] == [
        ("1", "high"),
        ("In progress", "partially"),
        ("x", "yes"),
        ("Implemented", "fully"),
        ("H", "high"),
        ("2", "medium"),
        ("N/A", "na"),
        ("Not started", "not"),
    ]
    html = preview.content.decode()
    assert 'data-text="In progress"' in html and "Current and Target Profile!F67" in html
    # Change two proposals, see the preview again, then apply.
    form = {"upload": preview.context["upload_token"], "action": "update"}
    for c in rows:
        form[f"choice-key-{c['index']}"] = c["key"]
        form[f"choice-{c['index']}"] = c["chosen"]
    form["choice-1"] = "largely"  # In progress
    form["choice-4"] = "medium"  # H
    again = client.post(_url(row), form)
    assert again.status_code == 200
    assert [(c["text"], c["chosen"]) for c in again.context["choices"]][1] == (
        "In progress",
        "largely",
    )
    assert _stored(row) == {}  # nothing stored yet
    form["action"] = "apply"
    applied = client.post(_url(row), form)
    assert applied.status_code == 302
    assert _stored(row) == {
        "GV.OC-01": (True, "largely", "high"),
        "GV.OC-02": (True, "fully", "medium"),
        "GV.RM-01": (True, "partially", ""),
        "ID.AM-01": (True, "na", ""),
        "PR.AA-01": (True, "largely", ""),
        "RS.MA-01": (True, "not", ""),
    }
    row.refresh_from_db()
    # A bare NIST template holds only outcomes (and Tiers): the rest stays, and so do
    # the outcomes on its blank rows; DE.AE marked "No" takes its Subcategories out.
    assert m.ProfileOutcome.objects.filter(profile=row).count() == 106
    assert not m.ProfileOutcome.objects.get(profile=row, code="DE.AE-02").included
    assert (row.name, row.description) == ("Consultant's assessment", "Kept as it is")
    profile = lookups.domain_profile(row)
    assert (profile.tiers.governance.target, profile.tiers.management.target) == (3, 2)


def test_a_value_without_a_proposal_waits_for_a_choice_in_the_preview(client, world: World):
    row = world.profile("Whole company")
    client.force_login(world.users["owner"])
    data = fill(
        blank_template(), {"GV.OC-01": {"Included in Profile?": "Yes", "Current Status": "ask Bob"}}
    )
    preview = client.post(_url(row), {"file": _upload(data)})
    assert preview.status_code == 200
    (choice,) = preview.context["choices"]
    assert (choice["text"], choice["proposed"], choice["chosen"]) == ("ask Bob", None, "")
    assert "no proposal: choose" in preview.content.decode()


def test_a_filled_template_starts_a_new_profile_with_the_choices_reported(world: World):
    result = exchange_formats.import_exchange_new(
        world.access("owner"), fill(blank_template()), filename="consultant.xlsx", name="Q3"
    )
    assert result.profile.name == "Q3"
    assert "'In progress' read as partially (level; Current and Target Profile!F4, " in "\n".join(
        result.warnings
    )


def test_the_api_lists_the_choices_and_takes_mappings(client, world: World):
    row = world.profile("Through the API")
    client.force_login(world.users["owner"])
    url = f"/api/organizations/acme/profiles/{row.pk}/exchange/"
    data = fill(blank_template())
    preview = client.post(url + "preview", {"file": _upload(data)}).json()
    by_text = {c["text"]: c for c in preview["choices"]}
    assert by_text["In progress"] == {
        "kind": "level",
        "text": "In progress",
        "proposed": "partially",
        "chosen": "partially",
        "cells": ["Current and Target Profile!F4", "Current and Target Profile!F67"],
    }
    applied = client.post(
        url + "apply",
        {
            "file": _upload(data),
            "version": preview["version"],
            "map": ["In progress=largely", "priority:H=low"],
        },
    )
    assert applied.status_code == 200, applied.content
    assert _stored(row)["GV.OC-01"] == (True, "largely", "high")
    assert _stored(row)["GV.OC-02"] == (True, "fully", "low")
    wrong = client.post(url + "preview", {"file": _upload(data), "map": ["no equals sign"]})
    assert wrong.status_code == 400


def test_a_large_workbook_shows_its_choices_and_applies_the_proposals(
    client, world: World, monkeypatch
):
    from csfpilot.webapp.profiles import exchange_views

    monkeypatch.setattr(exchange_views, "EDITABLE_MAX", 1000)
    row = world.profile("Large workbook")
    client.force_login(world.users["owner"])
    preview = client.post(_url(row), {"file": _upload(fill(blank_template()))})
    assert preview.status_code == 200 and preview.context["upload_token"] == ""
    assert "too large to change these values here" in preview.content.decode()
    applied = client.post(_url(row), {"preview": preview.context["token"]})
    assert applied.status_code == 302
    assert _stored(row)["GV.OC-01"] == (True, "partially", "high")
