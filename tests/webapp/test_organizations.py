"""Organizations as tenants: creating them, their pages, members and the API."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache

from csfpilot.core.errors import InputRefused
from csfpilot.webapp.organizations import creators, services
from csfpilot.webapp.organizations.models import Invitation, Membership, Organization
from csfpilot.webapp.organizations.permissions import PermissionMissing, require
from csfpilot.webapp.organizations.roles import Permission

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def make_user(email: str, first: str = "", last: str = ""):
    return get_user_model().objects.create_user(
        username=email.replace("@", "-"),
        email=email,
        password="unused",
        first_name=first,
        last_name=last,
    )


@pytest.fixture
def ana():
    return make_user("ana@example.com", "Ana", "Silva")


@pytest.fixture
def acme(ana):
    return services.create_organization(ana, "Acme Corp")


def signed_in(client, user):
    client.force_login(user)
    return client


def owner_access(user, slug="acme-corp"):
    return require(user, slug, Permission.MANAGE_MEMBERS)


# --- creating ---------------------------------------------------------------------------------


def test_the_creator_becomes_the_owner(ana):
    org = services.create_organization(ana, "  Example   Manufacturing Co. ")
    assert (org.name, org.slug) == ("Example Manufacturing Co.", "example-manufacturing-co")
    assert list(org.memberships.values_list("user__email", "role")) == [
        ("ana@example.com", "owner")
    ]


def test_a_taken_short_name_gets_a_random_suffix_chosen_or_made(ana):
    assert services.create_organization(ana, "Acme").slug == "acme"
    variants = [
        services.create_organization(ana, "ACME").slug,
        services.create_organization(ana, "Acme!").slug,
        services.create_organization(ana, "Other", slug="acme").slug,
    ]
    assert all(re.fullmatch(r"acme-[a-z0-9]{4}", v) for v in variants), variants
    assert len(set(variants)) == 3
    long = "x" * 60
    assert services.create_organization(ana, "Long", slug=long).slug == long
    assert re.fullmatch(
        r"x{55}-[a-z0-9]{4}", services.create_organization(ana, "L", slug=long).slug
    )
    assert services.create_organization(ana, "台灣電力").slug == "organization"
    assert services.create_organization(ana, "New").slug == "new-org"


@pytest.mark.parametrize(
    ("name", "slug", "field", "message"),
    [
        ("", None, "name", "needs a name"),
        ("x" * 201, None, "name", "longer than 200"),
        ("Fine", "Bad Slug", "slug", "lower-case letters"),
        ("Fine", "-edge", "slug", "lower-case letters"),
        ("Fine", "new", "slug", "reserved"),
        ("Fine", "a" * 61, "slug", "at most 60"),
    ],
)
def test_bad_names_and_slugs_are_refused_and_nothing_is_stored(ana, name, slug, field, message):
    with pytest.raises(InputRefused, match=message) as refused:
        services.create_organization(ana, name, slug)
    assert refused.value.field == field
    assert not Organization.objects.exists()
    assert not Membership.objects.exists()


def test_create_page(client, ana):
    creators.allow(ana)
    signed_in(client, ana)
    response = client.post("/orgs/new/", {"name": "Acme Corp", "slug": ""})
    assert response.status_code == 302
    assert response["Location"] == "/orgs/acme-corp/"
    page = client.get("/orgs/acme-corp/").content.decode()
    assert "Acme Corp is created; you are its owner." in page

    response = client.post("/orgs/new/", {"name": "Acme again", "slug": "acme-corp"})
    assert response.status_code == 302
    again = Organization.objects.get(name="Acme again")
    assert response["Location"] == f"/orgs/{again.slug}/"
    assert f"Its short name is {again.slug}." in client.get(response["Location"]).content.decode()


# --- pages ------------------------------------------------------------------------------------


def test_the_list_shows_only_my_organizations_with_my_role(client, ana, acme):
    bob = make_user("bob@example.com")
    globex = services.create_organization(bob, "Globex")
    services.add_member(
        require(bob, "globex", Permission.MANAGE_MEMBERS), "ana@example.com", "auditor"
    )
    services.create_organization(bob, "Initech")
    html = signed_in(client, ana).get("/orgs/").content.decode()
    assert "Acme Corp" in html and "Globex" in html
    assert "Initech" not in html
    memberships = client.get("/orgs/").context["memberships"]
    assert [(m.organization.slug, m.role, m.member_count) for m in memberships] == [
        ("acme-corp", "owner", 1),
        (globex.slug, "auditor", 2),
    ]


def test_the_list_costs_the_same_queries_for_many_organizations(
    client, ana, django_assert_max_num_queries
):
    signed_in(client, ana)
    for i in range(3):
        services.create_organization(ana, f"Org {i}")
    with django_assert_max_num_queries(8) as few:
        client.get("/orgs/")
    for i in range(3, 40):
        services.create_organization(ana, f"Org {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/orgs/")
    assert len(response.context["memberships"]) == 40


def test_an_empty_list_says_what_to_do(client, ana):
    html = signed_in(client, ana).get("/orgs/").content.decode()
    assert "You are not a member of any organization yet." in html
    assert "ana@example.com" in html


def test_home_shows_members_roles_and_what_i_may_do(client, ana, acme):
    access = owner_access(ana)
    make_user("cy@example.com", "Cy", "Young")
    services.add_member(access, "cy@example.com", "contributor")
    html = signed_in(client, ana).get("/orgs/acme-corp/").content.decode()
    assert '<h1><span translate="no">Acme Corp</span></h1>' in html
    assert "You: Owner" in html
    assert "2 — 1 owner, 1 contributor" in html
    assert "Ana Silva" in html and "Cy Young" in html
    assert "Add members, change their roles, remove them" in html
    assert "Manage members" in html
    assert "You have 0 active API tokens for this organization." in html
    # What the viewer sees: the same organization, fewer rights.
    dee = make_user("dee@example.com")
    services.add_member(access, "dee@example.com", "viewer")
    html = signed_in(client, dee).get("/orgs/acme-corp/").content.decode()
    assert "You: Viewer" in html
    assert "See the organization, its members and its profiles" in html
    assert "Add members, change their roles, remove them" not in html
    assert "/orgs/acme-corp/settings/" not in html


def test_the_current_organization_is_remembered_for_the_menu(client, ana, acme):
    signed_in(client, ana)
    assert client.get("/orgs/").context["current_organization"] == None  # noqa: E711
    client.get("/orgs/acme-corp/")
    assert client.get("/orgs/").context["current_organization"] == acme
    # Removed from it: the menu forgets it.
    bob = make_user("bob@example.com")
    services.add_member(owner_access(ana), "bob@example.com", "owner")
    signed_in(client, bob).get("/orgs/acme-corp/")
    services.remove_member(owner_access(ana), Membership.objects.get(user=bob).pk)
    assert client.get("/orgs/").context["current_organization"] == None  # noqa: E711


# --- members ----------------------------------------------------------------------------------


def test_owner_invites_by_page_and_nobody_is_added_until_they_accept(client, ana, acme):
    make_user("bob@example.com")
    signed_in(client, ana)
    response = client.post(
        "/orgs/acme-corp/members/add/", {"email": "BOB@example.com", "role": "assessor"}
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(user__email="bob@example.com").exists()
    assert Invitation.objects.get().role == "assessor"
    assert len(mail.outbox) == 0  # sent when the transaction commits


def test_the_operators_direct_add_tells_the_member_by_email(
    ana, acme, django_capture_on_commit_callbacks
):
    make_user("bob@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.add_member(owner_access(ana), "bob@example.com", "auditor")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["bob@example.com"]
    assert message.subject == "[csfpilot] You were added to Acme Corp"
    assert (
        "ana@example.com added you to Acme Corp on csfpilot with the role Auditor." in message.body
    )


def test_inviting_refusals(client, ana, acme):
    signed_in(client, ana)
    response = client.post(
        "/orgs/acme-corp/members/add/", {"email": "ana@example.com", "role": "viewer"}
    )
    assert response.status_code == 400
    assert "ana@example.com is already a member of Acme Corp." in response.content.decode()
    response = client.post(
        "/orgs/acme-corp/members/add/", {"email": "not-an-address", "role": "viewer"}
    )
    assert response.status_code == 400
    response = client.post(
        "/orgs/acme-corp/members/add/", {"email": "bob@example.com", "role": "admin"}
    )
    assert response.status_code == 400
    assert Membership.objects.count() == 1
    assert Invitation.objects.count() == 0


def test_the_last_owner_cannot_leave_or_be_demoted(client, ana, acme):
    mine = Membership.objects.get(user=ana)
    with pytest.raises(services.LastOwnerError, match="last owner of Acme Corp"):
        services.change_role(owner_access(ana), mine.pk, "viewer")
    with pytest.raises(services.LastOwnerError):
        services.remove_member(owner_access(ana), mine.pk)
    signed_in(client, ana)
    response = client.post(f"/orgs/acme-corp/members/{mine.pk}/remove/", follow=True)
    assert "is the last owner of Acme Corp" in response.content.decode()
    assert Membership.objects.filter(pk=mine.pk, role="owner").exists()


def test_with_a_second_owner_the_first_may_step_down_and_leave(client, ana, acme):
    make_user("bob@example.com")
    bob = services.add_member(owner_access(ana), "bob@example.com", "owner")
    mine = Membership.objects.get(user=ana)
    signed_in(client, ana)
    response = client.post(f"/orgs/acme-corp/members/{mine.pk}/role/", {"role": "assessor"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.role == "assessor"
    # Now bob is the last owner.
    with pytest.raises(services.LastOwnerError):
        services.change_role(
            require(bob.user, "acme-corp", Permission.MANAGE_MEMBERS), bob.pk, "viewer"
        )
    # ana, no longer an owner, cannot manage members.
    with pytest.raises(PermissionMissing):
        services.remove_member(require(ana, "acme-corp", Permission.VIEW), bob.pk)


def test_owner_leaving_lands_on_the_list(client, ana, acme):
    make_user("bob@example.com")
    services.add_member(owner_access(ana), "bob@example.com", "owner")
    mine = Membership.objects.get(user=ana)
    response = signed_in(client, ana).post(f"/orgs/acme-corp/members/{mine.pk}/remove/")
    assert response["Location"] == "/orgs/"
    assert client.get("/orgs/acme-corp/").status_code == 404


def test_a_member_of_another_organization_is_unknown_here(client, ana, acme):
    bob = make_user("bob@example.com")
    services.create_organization(bob, "Globex")
    foreign = Membership.objects.get(user=bob)
    signed_in(client, ana)
    assert client.post(f"/orgs/acme-corp/members/{foreign.pk}/remove/").status_code == 404
    assert (
        client.post(f"/orgs/acme-corp/members/{foreign.pk}/role/", {"role": "viewer"}).status_code
        == 404
    )
    assert Membership.objects.filter(pk=foreign.pk, role="owner").exists()


def test_members_page_for_owner_and_for_viewer(client, ana, acme):
    dee = make_user("dee@example.com")
    services.add_member(owner_access(ana), "dee@example.com", "viewer")
    html = signed_in(client, ana).get("/orgs/acme-corp/members/").content.decode()
    assert "Invite a member" in html and "Pending invitations" in html
    assert html.count('name="role"') == 3  # a role picker per member, and the invite form
    html = signed_in(client, dee).get("/orgs/acme-corp/members/").content.decode()
    assert "Invite a member" not in html and "Pending invitations" not in html
    assert 'name="role"' not in html
    assert "ana@example.com" in html


# --- settings ---------------------------------------------------------------------------------


def test_owner_renames_the_organization_and_the_slug_stays(client, ana, acme):
    signed_in(client, ana)
    response = client.post("/orgs/acme-corp/settings/", {"name": "Acme Holdings"})
    assert response.status_code == 302
    acme.refresh_from_db()
    assert (acme.name, acme.slug) == ("Acme Holdings", "acme-corp")
    response = client.post("/orgs/acme-corp/settings/", {"name": "   "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


# --- API --------------------------------------------------------------------------------------


def test_api_create_and_read(client, ana):
    creators.allow(ana)
    signed_in(client, ana)
    response = client.post(
        "/api/organizations", {"name": "Acme Corp", "slug": "acme"}, content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    created = body.pop("created")
    assert body == {
        "slug": "acme",
        "name": "Acme Corp",
        "role": "owner",
        "member_count": 1,
        "permissions": sorted(p.value for p in Permission),
    }
    assert created.startswith(str(Organization.objects.get().created.year))
    assert [o["slug"] for o in client.get("/api/organizations").json()] == ["acme"]
    assert client.get("/api/organizations/acme").json()["name"] == "Acme Corp"

    again = client.post(
        "/api/organizations", {"name": "Other", "slug": "acme"}, content_type="application/json"
    )
    assert again.status_code == 201
    assert re.fullmatch(r"acme-[a-z0-9]{4}", again.json()["slug"])
    bad = client.post(
        "/api/organizations",
        {"name": "Other", "slug": "Not A Slug"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["detail"].startswith("field slug: A short name uses lower-case letters")


def test_api_members(client, ana, acme):
    make_user("bob@example.com", "Bob", "Stone")
    signed_in(client, ana)
    invited = client.post(
        "/api/organizations/acme-corp/members",
        {"email": "bob@example.com", "role": "contributor"},
        content_type="application/json",
    )
    assert invited.status_code == 202
    assert (invited.json()["email"], invited.json()["role"]) == ("bob@example.com", "contributor")
    assert len(client.get("/api/organizations/acme-corp/members").json()) == 1
    services.add_member(owner_access(ana), "bob@example.com", "contributor")
    bob = client.get("/api/organizations/acme-corp/members").json()[1]
    assert (bob["email"], bob["name"], bob["role"]) == (
        "bob@example.com",
        "Bob Stone",
        "contributor",
    )
    members = client.get("/api/organizations/acme-corp/members").json()
    assert [(m["email"], m["role"]) for m in members] == [
        ("ana@example.com", "owner"),
        ("bob@example.com", "contributor"),
    ]
    changed = client.patch(
        f"/api/organizations/acme-corp/members/{bob['id']}",
        {"role": "auditor"},
        content_type="application/json",
    )
    assert changed.json()["role"] == "auditor"
    unknown_role = client.patch(
        f"/api/organizations/acme-corp/members/{bob['id']}",
        {"role": "admin"},
        content_type="application/json",
    )
    assert unknown_role.status_code == 422
    ana_id = members[0]["id"]
    last = client.delete(f"/api/organizations/acme-corp/members/{ana_id}")
    assert last.status_code == 409
    assert "last owner" in last.json()["detail"]
    assert client.delete(f"/api/organizations/acme-corp/members/{bob['id']}").status_code == 204
    assert client.delete(f"/api/organizations/acme-corp/members/{bob['id']}").status_code == 404
    assert [m["email"] for m in client.get("/api/organizations/acme-corp/members").json()] == [
        "ana@example.com"
    ]


def test_api_lists_are_a_fixed_number_of_queries(client, ana, acme, django_assert_max_num_queries):
    signed_in(client, ana)
    access = owner_access(ana)
    for i in range(30):
        make_user(f"m{i}@example.com")
        services.add_member(access, f"m{i}@example.com", "viewer")
        services.create_organization(ana, f"Org {i}")
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/organizations/acme-corp/members").json()) == 31
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/organizations").json()) == 31
