"""People and their API tokens.

The user model is csfpilot's own (a plain extension of Django's) so that the
project can grow it without a painful swap later; people sign in by e-mail,
and the e-mail address is unique regardless of letter case.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from csfpilot.webapp.organizations.roles import Role


class User(AbstractUser):
    email = models.EmailField(_("e-mail address"))

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_unique_ci",
                condition=~models.Q(email=""),
            )
        ]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email or self.get_username()


class ApiToken(models.Model):
    """A personal access token for the REST API, limited to one organization and a role.

    Only the SHA-256 digest of the token is stored: the token has 256 random
    bits, so a digest cannot be reversed or guessed, and a stolen database does
    not yield working tokens. The token itself is shown once, when created.
    ``prefix`` (the first characters) lets a person recognise a token in lists
    and in a leaked log without exposing it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="api_tokens"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField(_("expires"))
    revoked = models.DateTimeField(null=True, blank=True)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["user", "-created"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="accounts_token_known_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def state(self, now: timezone.datetime | None = None) -> str:
        """``active``, ``expired`` or ``revoked``."""
        now = now or timezone.now()
        if self.revoked is not None:
            return "revoked"
        if self.expires <= now:
            return "expired"
        return "active"


class IdentityGeneration(models.Model):
    """One row whose value database triggers replace on every change of who may do what.

    See ``identity_cache.py``: sessions, users, API tokens, organizations and memberships
    are cached under this value, so a change anywhere is seen by the next request.
    """

    id = models.PositiveSmallIntegerField(primary_key=True)
    value = models.CharField(max_length=64)

    class Meta:
        db_table = "csfpilot_identity_generation"

    def __str__(self) -> str:
        return self.value
