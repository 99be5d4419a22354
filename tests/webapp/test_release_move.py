"""Moving a profile to a newer release of its framework: preview, then one transaction."""

from __future__ import annotations

import pytest

from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.formats.nist.reftool import read_reference_tool
from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.catalog.services import load_bundle
from csfpilot.webapp.organizations.models import Organization
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles import operator, release_move, services
from tests.csf_next_release import next_release

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved_world():
    bundle = read_reference_tool(
        next_release(), name="csf-2.1.json", version="2.1", key="csf-2.1", withdrawn_from="csf-2.0"
    )
    # The release and its migration rows; its crosswalks are not under test here.
    bundle.catalogs = [c for c in bundle.catalogs if c.info.key == "csf-2.1"]
    bundle.mapping_sets = [s for s in bundle.mapping_sets if s.info.key.endswith("withdrawals")]
    load_bundle(bundle)

    Organization.objects.create(name="Move Co", slug="move-co")
    access = operator.operator_access("move-co")
    row = services.create_profile(access, name="Main")
    outcomes = {o.code: o for o in row.outcomes.all()}
    for code, current in (
        ("GV.OC-01", "partially"),
        ("GV.OC-05", "largely"),
        ("RC.CO-04", "fully"),
    ):
        services.update_outcome(
            access, row.pk, code, {"current": current}, expected_version=outcomes[code].version
        )
    services.create_action(
        access, row.pk, {"title": "Write it down", "outcomes": ["GV.OC-05", "RC.CO-04"]}
    )
    return access, m.Profile.objects.get(pk=row.pk)


def test_the_preview_names_every_change_and_stores_nothing(moved_world):
    access, row = moved_world
    changes = release_move.preview_move(access, row.pk, "csf-2.1")
    assert [c for c, _, _ in changes.text_changed] == ["GV.OC-01"]
    assert changes.moved == {"GV.OC-05": ("GV.OC-06",)}
    assert changes.withdrawn == ["RC.CO-04"]
    assert changes.added == []
    assert len(changes.same) == 103
    assert m.Profile.objects.get(pk=row.pk).framework.key == "csf-2.0"


def test_moving_carries_the_answers_and_follows_the_plan(moved_world):
    access, row = moved_world
    release_move.move_release(access, row.pk, "csf-2.1", expected_version=row.version)
    row = m.Profile.objects.get(pk=row.pk)
    assert row.framework.key == "csf-2.1"
    outcomes = {o.code: o for o in row.outcomes.select_related("node__framework")}
    assert len(outcomes) == 105
    assert {o.node.framework.key for o in outcomes.values()} == {"csf-2.1"}
    assert (outcomes["GV.OC-01"].current, outcomes["GV.OC-06"].current) == ("partially", "largely")
    assert "GV.OC-05" not in outcomes and "RC.CO-04" not in outcomes
    assert row.actions.get().outcomes == ["GV.OC-06"]
    event = AuditEvent.objects.filter(object_type="profile", object_id=str(row.pk)).latest("seq")
    assert event.changes["framework"] == ["csf-2.0", "csf-2.1"]
    with pytest.raises(InputRefused, match=r"already on csf-2\.1"):
        release_move.preview_move(access, row.pk, "csf-2.1")


def test_a_stale_preview_or_an_older_release_is_refused(moved_world):
    access, row = moved_world
    with pytest.raises(ConflictError):
        release_move.move_release(access, row.pk, "csf-2.1", expected_version=row.version - 1)
    with pytest.raises(InputRefused, match="is not a release of the profile's framework"):
        release_move.preview_move(access, row.pk, "sp800-53r5")
    assert m.Profile.objects.get(pk=row.pk).framework.key == "csf-2.0"


def test_the_command_line_shows_the_move_then_makes_it(moved_world):
    _, row = moved_world
    shown = operator.move_release("move-co", "Main", "csf-2.1", apply=False)
    assert (shown["from"], shown["to"], shown["applied"]) == ("csf-2.0", "csf-2.1", False)
    assert shown["moved"] == {"GV.OC-05": ["GV.OC-06"]}
    assert shown["not_carried"] == ["RC.CO-04"]
    assert m.Profile.objects.get(pk=row.pk).framework.key == "csf-2.0"
    done = operator.move_release("move-co", "Main", "csf-2.1", apply=True)
    assert done["carried"]["GV.OC-05"] == "GV.OC-06"
    assert m.Profile.objects.get(pk=row.pk).framework.key == "csf-2.1"


def test_the_page_previews_then_moves(moved_world, client):
    access, row = moved_world
    from django.contrib.auth import get_user_model

    from csfpilot.webapp.organizations.models import Membership

    owner = get_user_model().objects.create_user("o@move.example", "o@move.example", "x" * 16)
    Membership.objects.create(user=owner, organization=access.organization, role="owner")
    client.force_login(owner)
    url = f"/orgs/move-co/profiles/{row.pk}/move-release/"
    page = client.get(url).content.decode()
    assert '<option value="csf-2.1">csf-2.1 (2.1)</option>' in page
    preview = client.get(url, {"to": "csf-2.1"}).content.decode()
    assert "<code>GV.OC-05</code> → <code>GV.OC-06</code>" in preview
    assert "<dt>Answers not carried</dt><dd><code>RC.CO-04</code></dd>" in preview
    stale = client.post(url, {"to": "csf-2.1", "version": str(row.version - 1)})
    assert stale.status_code == 409
    done = client.post(url, {"to": "csf-2.1", "version": str(row.version)})
    assert done.status_code == 302
    assert m.Profile.objects.get(pk=row.pk).framework.key == "csf-2.1"
