"""The operator's restore page: upload, check (as ``csfpilot restore`` checks), confirm, audit.

Real uploads through the test client (multipart, streamed through Django's
upload handlers), real archives made by ``make_backup``, the real data directory
(a temporary one). A refused archive, an unconfirmed check and an oversized
upload store nothing.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.audit.queries import verify_chains
from csfpilot.webapp.backup import uploads
from csfpilot.webapp.backup.services import make_backup
from csfpilot.webapp.organizations.models import Organization
from tests.webapp.profiles_world import World, make_user, world_fixture  # noqa: F401
from tests.webapp.test_backup import busy, counts

pytestmark = pytest.mark.django_db

PAGE = "/instance/restore/"
CONFIRM = "/instance/restore/confirm/"


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def _operator() -> Client:
    user = make_user("operator@example.test")
    user.is_superuser = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def _upload(client: Client, data: bytes, name: str = "acme-backup.zip"):
    return client.post(PAGE, {"file": SimpleUploadedFile(name, data, "application/zip")})


def _kept(data_dir) -> list:
    folder = data_dir / "restore-uploads"
    return sorted(folder.glob("*")) if folder.exists() else []


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, name
    return found.group(1)


def test_the_operator_checks_an_archive_sees_what_it_holds_and_restores_it(world: World, data_dir):
    busy(world)
    backup = make_backup("acme")
    Organization.objects.filter(slug="acme").delete()
    operator = _operator()
    before = counts()

    page = operator.get(PAGE)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()

    checked = _upload(operator, backup.data)
    assert checked.status_code == 200
    html = checked.content.decode()
    held = checked.context["checked"]
    assert (held.scope, held.organizations, held.profiles) == ("organization", ("acme",), 2)
    assert [(o.name, o.members, o.profiles) for o in held.held] == [("Acme Corp", 5, 2)]
    assert held.audit_events > 0 and held.frameworks == ("csf-2.0",)
    assert backup.sha256 in html and "Acme Corp" in html
    # Checked, not stored: nothing of the archive is in the database, nothing recorded.
    assert counts() == before
    assert not AuditEvent.objects.filter(organization=None, action="restore").exists()
    assert len(_kept(data_dir)) == 1

    fields = {n: _hidden(html, n) for n in ("token", "sha256", "name")}
    assert fields["sha256"] == backup.sha256
    unticked = operator.post(CONFIRM, fields)
    assert unticked.status_code == 400
    assert "Tick the box" in unticked.content.decode()
    assert counts() == before

    done = operator.post(CONFIRM, {**fields, "confirm": "on"})
    assert done.status_code == 302 and done["Location"] == PAGE
    assert make_backup("acme").data == backup.data  # exactly what was saved
    event = AuditEvent.objects.get(organization=None, action="restore")
    assert (event.actor_name, event.org_slug) == ("operator@example.test", "acme")
    assert event.changes["sha256"] == backup.sha256
    assert dict(verify_chains())["(instance)"].ok
    assert _kept(data_dir) == []
    assert "Restored acme" in operator.get(PAGE).content.decode()

    again = operator.post(CONFIRM, {**fields, "confirm": "on"})
    assert again.status_code == 400
    assert "upload the archive again" in again.content.decode()


def test_the_confirmation_restores_only_the_archive_that_was_checked(world: World, data_dir):
    busy(world)
    backup = make_backup("acme")
    Organization.objects.filter(slug="acme").delete()
    operator = _operator()
    before = counts()
    html = _upload(operator, backup.data).content.decode()
    fields = {n: _hidden(html, n) for n in ("token", "sha256", "name")}
    _kept(data_dir)[0].write_bytes(make_backup("globex").data)  # swapped on disk meanwhile
    response = operator.post(CONFIRM, {**fields, "confirm": "on"})
    assert response.status_code == 400
    assert "no longer the archive that was checked" in response.content.decode()
    assert counts() == before
    forged = operator.post(CONFIRM, {**fields, "token": "../../secret_key", "confirm": "on"})
    assert forged.status_code == 400


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: b"PK\x03\x04 not really a zip", "not a zip archive"),
        (lambda: make_backup("globex").data, "organization 'globex' already exists here"),
        (lambda: make_backup().data, "a whole-instance backup restores into an empty database"),
    ],
)
def test_a_refused_archive_says_why_and_stores_nothing(world: World, data_dir, make, reason):
    busy(world)
    data = make()
    Organization.objects.filter(slug="acme").delete()
    operator = _operator()
    before = counts()
    response = _upload(operator, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert reason in html.replace("&#x27;", "'")
    assert "Nothing was stored." in html
    assert counts() == before
    assert _kept(data_dir) == []


def test_a_late_bad_row_is_found_by_the_check(world: World, data_dir):
    """The check is the restore itself, rolled back: a row it would refuse is named."""
    import json

    from tests.webapp.test_backup import _edited

    busy(world)
    data = make_backup("acme").data
    Organization.objects.filter(slug="acme").delete()

    def bad(manifest, members):
        doc = json.loads(members["organizations/acme.json"])
        doc["profiles"][1]["outcomes"][0]["code"] = "XX.YY-99"
        members["organizations/acme.json"] = uploads_canonical(doc)

    response = _upload(_operator(), _edited(data, bad))
    assert response.status_code == 400
    assert "outcome &#x27;XX.YY-99&#x27; is not in csf-2.0" in response.content.decode()
    assert not Organization.objects.filter(slug="acme").exists()


def uploads_canonical(doc) -> bytes:
    from csfpilot.formats import backup_archive as fmt

    return fmt.canonical(doc)


def test_an_oversized_upload_is_refused_by_its_size_and_never_kept(
    world: World, data_dir, monkeypatch
):
    monkeypatch.setattr(uploads, "MAX_BYTES", 4096)
    response = _upload(_operator(), b"PK" + b"\0" * 10_000)
    assert response.status_code == 413
    assert "more than 4096 bytes" in response.content.decode()
    assert _kept(data_dir) == []


def test_only_the_instance_operator_may_restore(world: World):
    for role, user in world.users.items():
        client = Client()
        client.force_login(user)
        assert client.get(PAGE).status_code == 403, role
        assert _upload(client, b"x").status_code == 403, role
        assert client.post(CONFIRM, {"token": "0" * 32}).status_code == 403, role
    staff = make_user("staff@example.test")
    staff.is_staff = True
    staff.save()
    client = Client()
    client.force_login(staff)
    assert client.get(PAGE).status_code == 403
    anonymous = Client().get(PAGE)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    # The menu offers the page to the operator only.
    assert PAGE in _operator().get("/orgs/").content.decode()
    assert PAGE not in client.get("/orgs/").content.decode()
    assert get_user_model().objects.filter(is_superuser=True).count() == 1


def test_the_upload_and_the_confirmation_need_the_csrf_token(world: World, data_dir):
    operator = _operator()
    guarded = Client(enforce_csrf_checks=True)
    guarded.cookies = operator.cookies
    upload = SimpleUploadedFile("b.zip", make_backup("acme").data, "application/zip")
    assert guarded.post(PAGE, {"file": upload}).status_code == 403
    assert guarded.post(CONFIRM, {"token": "0" * 32, "confirm": "on"}).status_code == 403
    assert _kept(data_dir) == []
