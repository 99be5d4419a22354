"""Invitations (issue #14, item 5): an owner invites an e-mail address; the person joins
only by accepting, signed in with an account whose verified e-mail is that address."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.organizations import invitations, services
from csfpilot.webapp.organizations.models import Invitation, Membership
from tests.webapp.test_organizations import make_user, owner_access, signed_in

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/invitations/[A-Za-z0-9_-]{43}/)")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def ana():
    return make_user("ana@example.com", "Ana", "Silva")


@pytest.fixture
def acme(ana):
    return services.create_organization(ana, "Acme Corp")


def verified(email: str):
    user = make_user(email)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def invite_by_page(client, ana, email, role="assessor", capture=None):
    signed_in(client, ana)
    with capture(execute=True):
        response = client.post("/orgs/acme-corp/members/add/", {"email": email, "role": role})
    return response


def link_in(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


# --- the finding: enumeration and adding without consent ----------------------------------------


def test_inviting_answers_the_same_whether_or_not_an_account_uses_the_address(
    client, ana, acme, django_capture_on_commit_callbacks
):
    """Before: 201 with the member for a real address, 400 "No account uses …" otherwise."""
    make_user("bob@example.com")
    signed_in(client, ana)
    answers = []
    for email in ("bob@example.com", "nobody@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/api/organizations/acme-corp/members",
                json.dumps({"email": email, "role": "viewer"}),
                content_type="application/json",
            )
        body = response.json()
        answers.append((response.status_code, sorted(body), body["email"], body["role"]))
    assert answers == [
        (202, ["created", "email", "expires", "id", "invited_by", "role"], e, "viewer")
        for e in ("bob@example.com", "nobody@example.com")
    ]
    # Nobody was added: the account holder has no membership until they accept.
    assert not Membership.objects.filter(user__email="bob@example.com").exists()
    assert [m.to for m in mail.outbox] == [["bob@example.com"], ["nobody@example.com"]]


def test_the_members_page_answers_the_same_for_both(
    client, ana, acme, django_capture_on_commit_callbacks
):
    make_user("bob@example.com")
    for email in ("bob@example.com", "nobody@example.com"):
        response = invite_by_page(client, ana, email, capture=django_capture_on_commit_callbacks)
        assert response.status_code == 302
    page = client.get("/orgs/acme-corp/members/").content.decode()
    assert "bob@example.com" in page and "nobody@example.com" in page
    assert "Pending invitations" in page
    assert Membership.objects.filter(organization=acme).count() == 1


def test_nothing_is_visible_to_the_invitee_before_accepting(
    client, ana, acme, django_capture_on_commit_callbacks
):
    bob = verified("bob@example.com")
    invite_by_page(client, ana, "bob@example.com", capture=django_capture_on_commit_callbacks)
    signed_in(client, bob)
    assert "Acme Corp" not in client.get("/orgs/").content.decode()
    assert client.get("/orgs/acme-corp/").status_code == 404
    assert client.get("/api/organizations").json() == []


# --- answering ---------------------------------------------------------------------------------


def test_the_invitation_email_and_accepting(client, ana, acme, django_capture_on_commit_callbacks):
    bob = verified("bob@example.com")
    invite_by_page(client, ana, "bob@example.com", capture=django_capture_on_commit_callbacks)
    message = mail.outbox[0]
    assert message.subject == "[csfpilot] Invitation to join Acme Corp"
    assert (
        "ana@example.com invites you to join Acme Corp on csfpilot with the role Assessor."
        in message.body
    )
    link = link_in(message)
    stored = Invitation.objects.get()
    assert link.split("/")[2] not in stored.token_hash  # only the hash is kept
    assert stored.token_hash == invitations.digest(link.split("/")[2])

    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert "Acme Corp" not in page.content.decode()  # nothing shown before signing in
    assert f"/accounts/login/?next={link}" in page.content.decode()
    # Signing in on that page leads back to the invitation.
    response = client.post(
        f"/accounts/login/?next={link}", {"login": "bob@example.com", "password": "unused"}
    )
    assert response.status_code == 302 and response["Location"] == link
    page = client.get(link).content.decode()
    assert "Join Acme Corp?" in page and "Assessor" in page
    response = client.post(link, {"answer": "accept"})
    assert response.status_code == 302 and response["Location"] == "/orgs/acme-corp/"
    assert Membership.objects.get(user=bob).role == "assessor"
    event = (
        AuditEvent.objects.filter(organization=acme, object_type="membership")
        .order_by("seq")
        .last()
    )
    assert (event.action, event.actor_name, event.object_label) == (
        "create",
        "bob@example.com",
        "bob@example.com",
    )
    # Used: the link is refused from now on, with a page that says so.
    again = client.get(link)
    assert again.status_code == 410
    assert "already been accepted" in again.content.decode()


def test_declining(client, ana, acme, django_capture_on_commit_callbacks):
    bob = verified("bob@example.com")
    invite_by_page(client, ana, "bob@example.com", capture=django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    signed_in(client, bob)
    assert client.post(link, {"answer": "decline"}).status_code == 302
    assert not Membership.objects.filter(user=bob).exists()
    assert Invitation.objects.get().declined_at is not None
    assert client.get(link).status_code == 410


def test_another_account_or_an_unverified_address_cannot_accept(
    client, ana, acme, django_capture_on_commit_callbacks
):
    invite_by_page(client, ana, "bob@example.com", capture=django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    mallory = verified("mallory@example.com")
    unverified_bob = make_user("bob@example.com")
    for who in (mallory, unverified_bob):
        signed_in(client, who)
        page = client.get(link)
        assert page.status_code == 403
        assert "Acme Corp" not in page.content.decode()
        assert client.post(link, {"answer": "accept"}).status_code == 403
    assert Membership.objects.filter(organization=acme).count() == 1


def test_expired_revoked_and_unknown_links_are_refused(
    client, ana, acme, django_capture_on_commit_callbacks
):
    bob = verified("bob@example.com")
    invite_by_page(client, ana, "bob@example.com", capture=django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    signed_in(client, bob)
    Invitation.objects.update(expires=timezone.now() - timedelta(seconds=1))
    page = client.get(link)
    assert page.status_code == 410 and "has expired" in page.content.decode()
    assert client.post(link, {"answer": "accept"}).status_code == 410

    invite_by_page(client, ana, "bob@example.com", capture=django_capture_on_commit_callbacks)
    fresh = link_in(mail.outbox[-1])
    pending = invitations.pending(acme).get()
    assert client.post(f"/orgs/acme-corp/invitations/{pending.pk}/revoke/").status_code == 302
    signed_in(client, bob)
    page = client.get(fresh)
    assert page.status_code == 410 and "withdrawn" in page.content.decode()
    assert client.get("/invitations/" + "x" * 43 + "/").status_code == 410
    assert not Membership.objects.filter(user=bob).exists()


def test_inviting_again_replaces_the_pending_invitation(ana, acme):
    access = owner_access(ana)
    first = invitations.invite(access, "bob@example.com", "viewer")
    second = invitations.invite(access, "BOB@example.com", "auditor")
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert list(invitations.pending(acme)) == [second]


def test_inviting_a_member_is_refused(client, ana, acme):
    signed_in(client, ana)
    response = client.post(
        "/orgs/acme-corp/members/add/", {"email": "ana@example.com", "role": "viewer"}
    )
    assert response.status_code == 400
    assert "ana@example.com is already a member of Acme Corp." in response.content.decode()


@override_settings(CSFPILOT_INVITATIONS_PER_DAY=2)
def test_an_organization_sends_at_most_the_daily_number(client, ana, acme):
    signed_in(client, ana)
    codes = [
        client.post(
            "/api/organizations/acme-corp/members",
            json.dumps({"email": f"p{i}@example.com", "role": "viewer"}),
            content_type="application/json",
        ).status_code
        for i in range(3)
    ]
    assert codes == [202, 202, 429]
    response = client.post(
        "/orgs/acme-corp/members/add/", {"email": "p9@example.com", "role": "viewer"}
    )
    assert response.status_code == 429
    assert "sent 2 invitations in the last 24 hours" in response.content.decode()
    assert Invitation.objects.count() == 2


def test_the_api_lists_and_revokes_invitations(client, ana, acme):
    signed_in(client, ana)
    made = client.post(
        "/api/organizations/acme-corp/members",
        json.dumps({"email": "bob@example.com", "role": "viewer"}),
        content_type="application/json",
    ).json()
    listed = client.get("/api/organizations/acme-corp/invitations").json()
    assert [(i["id"], i["email"], i["invited_by"]) for i in listed] == [
        (made["id"], "bob@example.com", "ana@example.com")
    ]
    url = f"/api/organizations/acme-corp/invitations/{made['id']}"
    assert client.delete(url).status_code == 204
    assert client.delete(url).status_code == 409
    assert client.get("/api/organizations/acme-corp/invitations").json() == []
    kinds = list(
        AuditEvent.objects.filter(organization=acme, object_type="invitation")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert kinds == ["create", "revoke"]


@override_settings(CSFPILOT_SIGNUP="closed")
def test_signed_out_with_sign_up_closed_the_page_offers_only_sign_in(client, ana, acme):
    invitation_link = "/invitations/" + "y" * 43 + "/"
    page = client.get(invitation_link).content.decode()
    assert "/accounts/login/?next=" in page
    assert "/accounts/signup/" not in page


@override_settings(CSFPILOT_SIGNUP="open")
def test_signed_out_with_sign_up_open_the_page_offers_both(client, ana, acme):
    invitation_link = "/invitations/" + "y" * 43 + "/"
    page = client.get(invitation_link).content.decode()
    assert f"/accounts/login/?next={invitation_link}" in page
    assert f"/accounts/signup/?next={invitation_link}" in page
