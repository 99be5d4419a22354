"""Organizations are the tenants: every profile, assessment and piece of evidence
belongs to exactly one, and people reach it only through a membership."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from csfpilot.webapp.organizations.roles import Role
from csfpilot.webapp.organizations.sectors import Sector


class Organization(models.Model):
    """A company, agency or business unit that adopts the CSF.

    The slug is its address in URLs and the API and never changes once chosen,
    so links and scripts keep working when the display name does.
    """

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    # Which sector's benchmark the organization takes part in; "" for none.
    sector = models.CharField(
        _("sector"), max_length=40, choices=Sector.choices, blank=True, default=""
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = [Lower("name"), "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sector__in=["", *Sector.values]),
                name="organizations_known_sector",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """One person's role in one organization."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="organizations_one_membership_per_org"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="organizations_known_role"
            ),
        ]
        indexes = [models.Index(fields=["organization", "role"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} as {self.role}"


class Invitation(models.Model):
    """An owner's offer of a role to whoever holds an e-mail address.

    Nothing about the organization is shown to the invitee, and no membership
    exists, until they open the link sent to that address, signed in with an
    account whose verified e-mail is that address, and accept. Only a hash of the
    link's token is stored, so a copy of the database cannot accept invitations.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"), max_length=254)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="organizations_invitation_role"
            ),
        ]
        indexes = [models.Index(fields=["organization", "created"])]

    def __str__(self) -> str:
        return f"{self.email} to {self.organization} as {self.role}"

    @property
    def closed(self) -> bool:
        return bool(self.accepted_at or self.declined_at or self.revoked_at)
