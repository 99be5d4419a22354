"""Use cases on organizations and their members, each one transaction.

Every function that acts inside an organization takes the caller's
:class:`~csfpilot.webapp.organizations.permissions.Access` (from ``require``)
and checks the permission it needs again, so a service called from a view, an
API endpoint or a command can never do more than the caller's role allows.

An organization always keeps at least one owner: otherwise nobody could manage
its members again. The check locks the owners' rows first, so two owners
demoting each other at the same moment cannot both succeed.
"""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils.text import slugify

from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.organizations.models import Membership, Organization
from csfpilot.webapp.organizations.permissions import Access, PermissionMissing
from csfpilot.webapp.organizations.roles import Permission, Role

log = logging.getLogger(__name__)

NAME_MAX = 200
SLUG_MAX = 60
# Words the URL scheme uses next to organization slugs.
RESERVED_SLUGS = frozenset({"new", "api", "admin", "settings", "accounts"})
_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_BASE_MAX = SLUG_MAX - 5  # room for "-" and a four-character suffix
_SUFFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_SLUG_ATTEMPTS = 20


class LastOwnerError(ConflictError):
    """The change would leave the organization without an owner."""


class MembershipExists(ConflictError):
    """The person is already a member."""


def create_organization(
    user: Any, name: str, slug: str | None = None, *, who: audit.Who | None = None
) -> Organization:
    """Create an organization with ``user`` as its first owner.

    Without a slug one is made from the name (``Example Manufacturing Co.`` →
    ``example-manufacturing-co``). A short name that is taken, chosen or made, gets a
    random suffix (``acme`` → ``acme-k7q2``) instead of a refusal: the answer never says
    which organization holds it, and a numbered suffix would count the tenants sharing it.
    The caller reads the short name given from the organization returned.
    ``who`` names another actor for the audit trail (the command line creating an
    organization for its owner); by default the user does.
    """
    name = clean_name(name)
    base = clean_slug(slug) if slug else _slug_from(name)
    with transaction.atomic():
        for attempt in range(_SLUG_ATTEMPTS):
            wanted = base if attempt == 0 else _variant(base)
            if Organization.objects.filter(slug=wanted).exists():
                continue
            try:
                with transaction.atomic():
                    org = Organization.objects.create(name=name, slug=wanted)
            except IntegrityError:  # a concurrent create took it first
                continue
            break
        else:  # pragma: no cover - 36**4 variants per base
            raise ConflictError("No free short name was found; choose another one.")
        membership = Membership.objects.create(user=user, organization=org, role=Role.OWNER)
        who = who or audit.user_actor(user)
        audit.append(
            org,
            who,
            object_type="organization",
            object_id=org.slug,
            action=audit.Action.CREATE,
            label=org.name,
            changes=audit.created({"name": org.name, "slug": org.slug}),
        )
        _record_member(org, who, membership, audit.Action.CREATE, {}, {"role": Role.OWNER.value})
    return org


def _record_member(
    org: Organization,
    who: audit.Who,
    membership: Membership,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    audit.append(
        org,
        who,
        object_type="membership",
        object_id=membership.pk,
        action=action,
        label=membership.user.email or membership.user.get_username(),
        changes=audit.diff(
            {"user": membership.user.email, **before} if before else {},
            {"user": membership.user.email, **after} if after else {},
        ),
    )


def rename_organization(access: Access, name: str) -> Organization:
    _ensure(access, Permission.EDIT_SETTINGS)
    org = access.organization
    name = clean_name(name)
    with transaction.atomic():
        before = org.name
        org.name = name
        org.save(update_fields=["name"])
        changes = audit.diff({"name": before}, {"name": name})
        if changes:
            audit.record(
                access, "organization", org.slug, audit.Action.UPDATE, label=name, changes=changes
            )
    return org


def add_member(access: Access, email: str, role: Role | str) -> Membership:
    """Give an existing account a role in the organization and tell them by e-mail."""
    _ensure(access, Permission.MANAGE_MEMBERS)
    role = _role(role)
    email = (email or "").strip()
    if not email:
        raise InputRefused("Enter the e-mail address of the person to add.", field="email")
    user = (
        get_user_model().objects.filter(email__iexact=email, is_active=True).order_by("id").first()
    )
    if user is None:
        raise InputRefused(
            f"No account uses {email}. Ask them to sign up (or create their account) first.",
            field="email",
        )
    org = access.organization
    try:
        with transaction.atomic():
            membership = Membership.objects.create(user=user, organization=org, role=role)
            _record_member(
                org,
                audit.actor_of(access),
                membership,
                audit.Action.CREATE,
                {},
                {"role": role.value},
            )
    except IntegrityError as exc:
        raise MembershipExists(f"{email} is already a member of {org.name}.") from exc
    # The instance's operator adds people as nobody in particular.
    added_by = access.user if access.membership.user_id is not None else None
    transaction.on_commit(lambda: _tell_new_member(membership, added_by))
    return membership


def change_role(access: Access, membership_id: int, role: Role | str) -> Membership:
    _ensure(access, Permission.MANAGE_MEMBERS)
    role = _role(role)
    with transaction.atomic():
        membership = _member_locked(access, membership_id)
        if membership.role == Role.OWNER and role != Role.OWNER:
            _keep_an_owner(access.organization, leaving=membership)
        before = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        if before != role:
            _record_member(
                access.organization,
                audit.actor_of(access),
                membership,
                audit.Action.UPDATE,
                {"role": before},
                {"role": role.value},
            )
    return membership


def remove_member(access: Access, membership_id: int) -> Membership:
    _ensure(access, Permission.MANAGE_MEMBERS)
    with transaction.atomic():
        membership = _member_locked(access, membership_id)
        if membership.role == Role.OWNER:
            _keep_an_owner(access.organization, leaving=membership)
        pk, role = membership.pk, membership.role
        membership.delete()
        membership.pk = pk
        _record_member(
            access.organization,
            audit.actor_of(access),
            membership,
            audit.Action.DELETE,
            {"role": role},
            {},
        )
    return membership


def clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InputRefused("The organization needs a name.", field="name")
    if len(name) > NAME_MAX:
        raise InputRefused(f"The name is longer than {NAME_MAX} characters.", field="name")
    return name


def clean_slug(slug: str) -> str:
    slug = (slug or "").strip().lower()
    if not _SLUG_RE.match(slug) or len(slug) > SLUG_MAX:
        raise InputRefused(
            "A short name uses lower-case letters, digits and single hyphens "
            f"(at most {SLUG_MAX} characters), e.g. example-manufacturing.",
            field="slug",
        )
    if slug in RESERVED_SLUGS:
        raise InputRefused(f"{slug!r} is reserved; choose another short name.", field="slug")
    return slug


def _slug_from(name: str) -> str:
    base = slugify(name)[:_BASE_MAX].strip("-") or "organization"
    return f"{base}-org" if base in RESERVED_SLUGS else base


def _variant(base: str) -> str:
    suffix = "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(4))
    return f"{base[:_BASE_MAX].rstrip('-')}-{suffix}"


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        known = ", ".join(Role.values)
        raise InputRefused(f"Unknown role {role!r}; use one of {known}.", field="role") from None


def _ensure(access: Access, permission: Permission) -> None:
    if not access.can(permission):
        raise PermissionMissing(permission, access.role.value)


def _member_locked(access: Access, membership_id: int) -> Membership:
    membership = (
        Membership.objects.select_for_update()
        .select_related("user")
        .filter(pk=membership_id, organization=access.organization)
        .first()
    )
    if membership is None:
        # A member id of another organization is as unknown as a made-up one.
        raise Membership.DoesNotExist(f"No member {membership_id} in this organization.")
    return membership


def _keep_an_owner(org: Organization, *, leaving: Membership) -> None:
    owners = list(
        Membership.objects.select_for_update()
        .filter(organization=org, role=Role.OWNER)
        .values_list("pk", flat=True)
    )
    if [pk for pk in owners if pk != leaving.pk]:
        return
    raise LastOwnerError(
        f"{leaving.user.email} is the last owner of {org.name}; make someone else an owner first."
    )


def _tell_new_member(membership: Membership, added_by: Any) -> None:
    context = {
        "membership": membership,
        "organization": membership.organization,
        "added_by": added_by,
        "role_label": Role(membership.role).label,
    }
    subject = render_to_string("organizations/email/member_added_subject.txt", context)
    body = render_to_string("organizations/email/member_added_message.txt", context)
    try:
        send_mail(
            " ".join(subject.split()),
            body,
            settings.DEFAULT_FROM_EMAIL,
            [membership.user.email],
        )
    except Exception:
        # The membership stands; a mail server being down must not undo it.
        log.exception("Could not send the new-member notice to user %s", membership.user_id)
