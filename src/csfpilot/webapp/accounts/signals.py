"""Keep tokens in step with memberships: leaving an organization ends its tokens."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from csfpilot.webapp.accounts.services import revoke_tokens_of
from csfpilot.webapp.organizations.models import Membership, Organization


@receiver(post_delete, sender=Membership, dispatch_uid="accounts.revoke_tokens_on_leave")
def _revoke_tokens_on_leave(sender: type, instance: Membership, **kwargs: Any) -> None:
    # Deleting the whole organization deletes its tokens (and its audit trail) anyway.
    if isinstance(kwargs.get("origin"), Organization):
        return
    revoke_tokens_of(instance.user_id, instance.organization_id)
