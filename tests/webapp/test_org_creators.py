"""Who may create organizations (issue #14, item 5): CSFPILOT_ORG_CREATORS."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import override_settings

from csfpilot.webapp.organizations import creators, services
from csfpilot.webapp.organizations.models import Organization
from tests.webapp.test_organizations import make_user, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def create_by_api(client, name="Initech"):
    return client.post(
        "/api/organizations", json.dumps({"name": name}), content_type="application/json"
    )


def test_an_ordinary_account_may_not_create_organizations_by_default(client):
    """Before: any signed-in account created organizations (and could then invite anyone)."""
    eve = make_user("eve@example.com")
    signed_in(client, eve)
    response = create_by_api(client)
    assert response.status_code == 403
    assert "only the operator and the accounts they allow" in response.json()["detail"]
    page = client.post("/orgs/new/", {"name": "Initech"})
    assert page.status_code == 403
    assert "You cannot create organizations here" in page.content.decode()
    assert client.get("/orgs/new/").status_code == 403
    listing = client.get("/orgs/").content.decode()
    assert "/orgs/new/" not in listing
    assert "Ask an owner of an existing organization to invite you" in listing
    assert not Organization.objects.exists()


def test_the_operator_and_allowed_accounts_may(client):
    staff = make_user("ops@example.com")
    staff.is_staff = True
    staff.save()
    signed_in(client, staff)
    assert create_by_api(client, "By staff").status_code == 201
    lee = make_user("lee@example.com")
    call_command("orgcreators", "--allow", "LEE@example.com")
    lee = get_user_model().objects.get(pk=lee.pk)  # a fresh permission cache
    signed_in(client, lee)
    assert "/orgs/new/" in client.get("/orgs/").content.decode()
    assert client.post("/orgs/new/", {"name": "By Lee"}).status_code == 302
    call_command("orgcreators", "--disallow", "lee@example.com")
    lee = get_user_model().objects.get(pk=lee.pk)
    signed_in(client, lee)
    assert create_by_api(client, "Again").status_code == 403
    assert sorted(Organization.objects.values_list("name", flat=True)) == ["By Lee", "By staff"]


def test_the_command_lists_and_refuses_unknown_accounts(capsys):
    lee = make_user("lee@example.com")
    creators.allow(lee)
    call_command("orgcreators")
    out = capsys.readouterr().out
    assert "CSFPILOT_ORG_CREATORS=operator" in out
    assert "lee@example.com\tallowed" in out
    with pytest.raises(CommandError, match=r"No account uses nobody@example\.com"):
        call_command("orgcreators", "--allow", "nobody@example.com")


@override_settings(CSFPILOT_ORG_CREATORS="anyone")
def test_anyone_when_the_operator_says_so(client):
    signed_in(client, make_user("eve@example.com"))
    assert create_by_api(client).status_code == 201


def test_the_service_used_by_the_operators_commands_is_not_limited():
    org = services.create_organization(make_user("eve@example.com"), "Set up by the operator")
    assert org.pk


@override_settings(CSFPILOT_SIGNUP="first")
def test_the_first_account_of_a_fresh_install_may_create(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "admin@example.com",
            "password1": "a long pass phrase 42",
            "password2": "a long pass phrase 42",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    admin = get_user_model().objects.get(email="admin@example.com")
    assert creators.may_create(admin)


def test_a_taken_short_name_does_not_reveal_the_other_tenant(client):
    """Before: 409 "The short name 'globex' is taken." for a tenant that GET answers 404 for."""
    owner = make_user("owner@globex.test")
    services.create_organization(owner, "Globex Secret Projects", slug="globex")
    eve = make_user("eve@example.com")
    creators.allow(eve)
    signed_in(client, eve)
    assert client.get("/api/organizations/globex").status_code == 404
    taken = client.post(
        "/api/organizations",
        json.dumps({"name": "Mine", "slug": "globex"}),
        content_type="application/json",
    )
    free = client.post(
        "/api/organizations",
        json.dumps({"name": "Mine too", "slug": "initech"}),
        content_type="application/json",
    )
    assert (taken.status_code, sorted(taken.json())) == (free.status_code, sorted(free.json()))
    assert taken.status_code == 201
    body = taken.text
    assert "taken" not in body and "Globex Secret" not in body
    assert taken.json()["slug"] != "globex" and taken.json()["slug"].startswith("globex-")
    assert taken.json()["member_count"] == 1
    page = client.post("/orgs/new/", {"name": "Page one", "slug": "globex"})
    assert page.status_code == 302
    assert "Globex Secret" not in client.get(page["Location"]).content.decode()
