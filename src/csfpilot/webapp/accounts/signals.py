"""Keep tokens in step with memberships and credentials.

- Leaving an organization ends the tokens for it.
- A new password (changed, reset, set by an administrator or a command) ends every token
  of the account: whoever changes a password because it may be known to someone else
  expects that nothing made with the old one still works.
- Adding or removing a second factor ends them too: a token made before the account had
  its factor was made by a sign-in that never proved it (see ``token_policy.py``).
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from csfpilot.webapp.accounts import identity_cache
from csfpilot.webapp.accounts.models import ApiToken
from csfpilot.webapp.accounts.services import revoke_tokens_of
from csfpilot.webapp.organizations.models import Membership, Organization


@receiver(post_delete, sender=Membership, dispatch_uid="accounts.revoke_tokens_on_leave")
def _revoke_tokens_on_leave(sender: type, instance: Membership, **kwargs: Any) -> None:
    # Deleting the whole organization deletes its tokens (and its audit trail) anyway.
    if isinstance(kwargs.get("origin"), Organization):
        return
    revoke_tokens_of(instance.user_id, instance.organization_id)


@receiver(
    post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts.revoke_on_new_password"
)
def _revoke_tokens_on_new_password(sender: type, instance: Any, created: bool, **_: Any) -> None:
    # set_password() keeps the new raw password until save() has run the validators'
    # password_changed hooks; Django clears it for a mere hash upgrade at sign-in, so a
    # sign-in that re-hashes the same password with Argon2id ends nothing.
    if not created and getattr(instance, "_password", None) is not None:
        revoke_tokens_of(instance.pk)


@receiver(post_save, sender=Authenticator, dispatch_uid="accounts.revoke_on_factor_added")
def _revoke_tokens_on_factor_added(
    sender: type, instance: Authenticator, created: bool, **_: Any
) -> None:
    if created:
        revoke_tokens_of(instance.user_id)


@receiver(post_delete, sender=Authenticator, dispatch_uid="accounts.revoke_on_factor_removed")
def _revoke_tokens_on_factor_removed(sender: type, instance: Authenticator, **_: Any) -> None:
    revoke_tokens_of(instance.user_id)


def _identity_changed(sender: type, **_: Any) -> None:
    # The database's triggers have moved the generation already; this request, which read
    # it before its own change, reads it again at its next lookup (identity_cache.py).
    identity_cache.changed()


for _model in (Membership, Organization, ApiToken, settings.AUTH_USER_MODEL):
    for _signal in (post_save, post_delete):
        _signal.connect(
            _identity_changed, sender=_model, dispatch_uid=f"accounts.identity.{_model}.{_signal}"
        )
