"""Who may create organizations: an instance setting, ``CSFPILOT_ORG_CREATORS``.

- ``operator`` (default): the operator's accounts (superusers and staff), accounts the
  operator allows (the Django permission ``organizations.add_organization``, granted by
  ``csfpilot manage orgcreators --allow EMAIL``), and the first account of a fresh
  install (the one ``CSFPILOT_ALLOW_SIGNUP=first`` lets in: its administrator);
- ``anyone``: every signed-in account.

Creating an organization makes its creator an owner who can invite people, so on a
shared instance the operator decides who may start tenants. The service itself does
not check: the operator's own commands and the demo set-up call it directly.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission as DjangoPermission
from django.core.exceptions import ImproperlyConfigured

PERMISSION = "organizations.add_organization"
POLICIES = ("operator", "anyone")


def policy() -> str:
    value = str(getattr(settings, "CSFPILOT_ORG_CREATORS", "operator")).strip().lower()
    if value not in POLICIES:
        raise ImproperlyConfigured(
            f"CSFPILOT_ORG_CREATORS must be 'operator' or 'anyone', not {value!r}"
        )
    return value


def may_create(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if policy() == "anyone":
        return True
    return bool(user.is_superuser or user.is_staff or user.has_perm(PERMISSION))


REFUSAL = (
    "On this instance only the operator and the accounts they allow create organizations; "
    "ask an owner of an existing organization to invite you, or the operator to allow you."
)


def allow(user: Any) -> None:
    user.user_permissions.add(_permission())


def disallow(user: Any) -> None:
    user.user_permissions.remove(_permission())


def allowed_accounts() -> Any:
    """Accounts allowed by the permission itself (superusers and staff are allowed anyway)."""
    return get_user_model().objects.filter(user_permissions=_permission()).order_by("email")


def _permission() -> DjangoPermission:
    app, codename = PERMISSION.split(".")
    return DjangoPermission.objects.get(content_type__app_label=app, codename=codename)
