"""Invitations: how a person joins an organization with their consent.

An owner invites an e-mail address with a role. The answer is the same whether
or not an account uses the address, so inviting reveals nothing about who has
an account. The invitee gets a link; the membership exists only once they open
it, signed in with an account whose *verified* e-mail is the invited address,
and accept. Until then nothing of the organization appears anywhere for them.

The link's token is random (32 bytes) and only its SHA-256 is stored. A link
works until it expires (``CSFPILOT_INVITATION_DAYS``) or is accepted, declined
or revoked; an organization sends at most ``CSFPILOT_INVITATIONS_PER_DAY``
invitations in 24 hours.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.organizations.models import Invitation, Membership
from csfpilot.webapp.organizations.permissions import Access, PermissionMissing
from csfpilot.webapp.organizations.roles import Permission, Role

log = logging.getLogger(__name__)


class InvitationLimit(ConflictError):
    """The organization has sent as many invitations as it may in 24 hours."""


class InvitationClosed(Exception):
    """The link is unknown, expired, revoked, declined or already used."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # unknown | expired | revoked | declined | accepted


class WrongAccount(Exception):
    """The signed-in account has no verified e-mail matching the invitation."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invite(
    access: Access,
    email: str,
    role: Role | str,
    *,
    absolute: Callable[[str], str] = lambda path: path,
) -> Invitation:
    """Invite ``email`` with ``role`` and send them the link.

    ``absolute`` turns the link's path into the address put in the e-mail
    (a request's ``build_absolute_uri``). A pending invitation of the same
    address is replaced, so the latest role and link are the ones that count.
    """
    if not access.can(Permission.MANAGE_MEMBERS):
        raise PermissionMissing(Permission.MANAGE_MEMBERS, access.role.value)
    email = (email or "").strip()
    if not email or "@" not in email or len(email) > 254:
        raise InputRefused("Enter the e-mail address of the person to invite.", field="email")
    try:
        role = Role(role)
    except ValueError:
        known = ", ".join(Role.values)
        raise InputRefused(f"Unknown role {role!r}; use one of {known}.", field="role") from None
    org = access.organization
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        # Lock the organization row so that concurrent invitations count one another.
        type(org).objects.select_for_update().filter(pk=org.pk).first()
        limit = settings.CSFPILOT_INVITATIONS_PER_DAY
        sent = Invitation.objects.filter(
            organization=org, created__gte=now - timedelta(hours=24)
        ).count()
        if sent >= limit:
            raise InvitationLimit(
                f"{org.name} has sent {limit} invitations in the last 24 hours, the most "
                "allowed (CSFPILOT_INVITATIONS_PER_DAY); try again later."
            )
        if Membership.objects.filter(organization=org, user__email__iexact=email).exists():
            # Owners see their members anyway: this reveals nothing outside the organization.
            raise ConflictError(f"{email} is already a member of {org.name}.")
        for old in Invitation.objects.select_for_update().filter(
            organization=org,
            email__iexact=email,
            accepted_at=None,
            declined_at=None,
            revoked_at=None,
        ):
            _close(access, old, "revoked_at", now)
        invitation = Invitation.objects.create(
            organization=org,
            email=email,
            role=role,
            invited_by=access.user if getattr(access.user, "pk", None) else None,
            token_hash=digest(token),
            expires=now + timedelta(days=settings.CSFPILOT_INVITATION_DAYS),
        )
        audit.record(
            access,
            "invitation",
            invitation.pk,
            audit.Action.CREATE,
            label=email,
            changes=audit.created(
                {"email": email, "role": role.value, "expires": invitation.expires.isoformat()}
            ),
        )
    link = absolute(reverse("organizations:invitation", args=[token]))
    transaction.on_commit(lambda: _send(invitation, link))
    return invitation


def revoke(access: Access, invitation_id: int) -> Invitation:
    if not access.can(Permission.MANAGE_MEMBERS):
        raise PermissionMissing(Permission.MANAGE_MEMBERS, access.role.value)
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(pk=invitation_id, organization=access.organization)
            .first()
        )
        if invitation is None:
            # Another organization's invitation id is as unknown as a made-up one.
            raise Invitation.DoesNotExist(f"No invitation {invitation_id} in this organization.")
        if invitation.closed:
            raise ConflictError(f"The invitation of {invitation.email} is no longer pending.")
        _close(access, invitation, "revoked_at", timezone.now())
    return invitation


def pending(org: Any) -> Any:
    """The organization's invitations still waiting for an answer, newest first."""
    return Invitation.objects.filter(
        organization=org,
        accepted_at=None,
        declined_at=None,
        revoked_at=None,
        expires__gt=timezone.now(),
    ).select_related("invited_by")


def open_invitation(token: str) -> Invitation:
    """The invitation a link names, if it can still be answered."""
    invitation = (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(token_hash=digest(token or ""))
        .first()
    )
    if invitation is None:
        raise InvitationClosed("unknown")
    if invitation.accepted_at:
        raise InvitationClosed("accepted")
    if invitation.declined_at:
        raise InvitationClosed("declined")
    if invitation.revoked_at:
        raise InvitationClosed("revoked")
    if invitation.expires <= timezone.now():
        raise InvitationClosed("expired")
    return invitation


def matches(user: Any, invitation: Invitation) -> bool:
    """Whether ``user`` has proved they own the invited address (a verified e-mail)."""
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists()


def accept(user: Any, token: str) -> Membership:
    """Make ``user`` a member with the invited role; recorded in the organization's trail."""
    with transaction.atomic():
        invitation = _answerable(user, token)
        org = invitation.organization
        now = timezone.now()
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    user=user, organization=org, role=invitation.role
                )
        except IntegrityError:
            # Already a member (added meanwhile): the invitation is used up, the role kept.
            membership = Membership.objects.get(user=user, organization=org)
        else:
            who = audit.user_actor(user)
            audit.append(
                org,
                who,
                object_type="membership",
                object_id=membership.pk,
                action=audit.Action.CREATE,
                label=user.email or user.get_username(),
                changes=audit.diff(
                    {}, {"user": user.email, "role": invitation.role, "invitation": invitation.pk}
                ),
            )
        invitation.accepted_at = now
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def decline(user: Any, token: str) -> Invitation:
    with transaction.atomic():
        invitation = _answerable(user, token)
        invitation.declined_at = timezone.now()
        invitation.save(update_fields=["declined_at"])
        audit.append(
            invitation.organization,
            audit.user_actor(user),
            object_type="invitation",
            object_id=invitation.pk,
            action=audit.Action.UPDATE,
            label=invitation.email,
            changes=audit.diff({"state": "pending"}, {"state": "declined"}),
        )
    return invitation


def _answerable(user: Any, token: str) -> Invitation:
    invitation = open_invitation(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.closed:  # answered by a concurrent request
        raise InvitationClosed("accepted" if invitation.accepted_at else "revoked")
    if not matches(user, invitation):
        raise WrongAccount(invitation.email)
    return invitation


def _close(access: Access, invitation: Invitation, field: str, when: Any) -> None:
    setattr(invitation, field, when)
    invitation.save(update_fields=[field])
    audit.record(
        access,
        "invitation",
        invitation.pk,
        audit.Action.REVOKE,
        label=invitation.email,
        changes=audit.diff({"state": "pending"}, {"state": "revoked"}),
    )


def _send(invitation: Invitation, link: str) -> None:
    inviter = invitation.invited_by
    context = {
        "organization": invitation.organization,
        "invited_by": getattr(inviter, "email", "") or "csfpilot",
        "role_label": Role(invitation.role).label,
        "link": link,
        "expires": invitation.expires,
    }
    subject = render_to_string("organizations/email/invitation_subject.txt", context)
    body = render_to_string("organizations/email/invitation_message.txt", context)
    try:
        send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
    except Exception:
        # The invitation stands and can be sent again; a mail server being down must not undo it.
        log.exception("Could not send invitation %s", invitation.pk)
