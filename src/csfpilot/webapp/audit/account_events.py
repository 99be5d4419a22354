"""Account events in the audit trail: sign-in, failed sign-in, password and MFA changes,
accounts created.

These happen to a person, not to an organization's data, and Django, django-allauth and
``csfpilot manage`` tell of them through signals, so they are recorded from there rather
than by the services. Each is written to the trail of every organization the person is a
member of (an organization's auditor sees its members' sign-ins and second-factor changes),
and to the instance chain when no organization applies: a person with no membership, a
failed sign-in naming no known account, an account being created.

Nothing secret is recorded: no password, code or key; the sign-in name that was typed
(for a failed sign-in), the kind of second factor, and the client's address.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from csfpilot.webapp.audit import services as audit

ACCOUNT = "account"
CREDENTIAL = "password"  # the object type of password changes
MFA = "mfa"


def _client(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))


def record_for_person(
    user: Any, object_type: str, action: str, changes: dict[str, Any], *, label: str = ""
) -> None:
    """One event per organization ``user`` belongs to, or one in the instance chain."""
    from csfpilot.webapp.organizations.models import Organization

    who = audit.user_actor(user)
    label = label or who.name
    with transaction.atomic():
        orgs = list(Organization.objects.filter(memberships__user=user).order_by("pk").distinct())
        for org in orgs or [None]:  # no organization: the instance chain
            audit.append(
                org,
                who,
                object_type=object_type,
                object_id=user.pk,
                action=action,
                label=label,
                changes=changes,
            )


def signed_in(sender: Any, request: HttpRequest | None = None, user: Any = None, **_: Any) -> None:
    if user is None or not getattr(user, "pk", None):
        return
    record_for_person(user, ACCOUNT, audit.Action.SIGN_IN, {"client": _client(request)})


def sign_in_failed(
    sender: Any, credentials: dict[str, Any] | None = None, request: Any = None, **_: Any
) -> None:
    from django.contrib.auth import get_user_model

    given = ""
    for key in ("email", "username", "login"):
        value = (credentials or {}).get(key)
        if isinstance(value, str) and value:
            given = value.strip()[:254]
            break
    changes = {
        "login": given,
        "client": _client(request if isinstance(request, HttpRequest) else None),
    }
    model = get_user_model()
    user = (
        model.objects.filter(email__iexact=given).first()
        or model.objects.filter(username__iexact=given).first()
        if given
        else None
    )
    if user is not None:
        record_for_person(user, ACCOUNT, audit.Action.SIGN_IN_FAILED, changes)
        return
    with transaction.atomic():
        audit.append(
            None,
            audit.SYSTEM,
            object_type=ACCOUNT,
            object_id="",
            action=audit.Action.SIGN_IN_FAILED,
            label=given,
            changes=changes,
        )


def second_factor_failed(
    sender: Any, request: HttpRequest | None = None, user: Any = None, **_: Any
) -> None:
    if user is not None and getattr(user, "pk", None):
        record_for_person(
            user,
            ACCOUNT,
            audit.Action.SIGN_IN_FAILED,
            {"step": "second factor", "client": _client(request)},
        )


def password_changed(
    sender: Any, request: HttpRequest | None = None, user: Any = None, **_: Any
) -> None:
    if user is not None:
        record_for_person(user, CREDENTIAL, audit.Action.UPDATE, {"client": _client(request)})


def password_reset(
    sender: Any, request: HttpRequest | None = None, user: Any = None, **_: Any
) -> None:
    if user is not None:
        record_for_person(
            user, CREDENTIAL, audit.Action.UPDATE, {"how": "reset", "client": _client(request)}
        )


def _kind(authenticator: Any) -> str:
    return str(getattr(authenticator, "type", "") or "")


def mfa_added(
    sender: Any, request: Any = None, user: Any = None, authenticator: Any = None, **_: Any
) -> None:
    if user is not None:
        record_for_person(user, MFA, audit.Action.CREATE, {"type": _kind(authenticator)})


def mfa_removed(
    sender: Any, request: Any = None, user: Any = None, authenticator: Any = None, **_: Any
) -> None:
    if user is not None:
        record_for_person(user, MFA, audit.Action.DELETE, {"type": _kind(authenticator)})


def mfa_reset(
    sender: Any, request: Any = None, user: Any = None, authenticator: Any = None, **_: Any
) -> None:
    if user is not None:
        record_for_person(
            user, MFA, audit.Action.UPDATE, {"type": _kind(authenticator), "how": "regenerated"}
        )


def account_created(sender: Any, instance: Any = None, created: bool = False, **kw: Any) -> None:
    if not created or kw.get("raw") or getattr(instance, "creation_audited", False):
        # Loaded from a fixture, or made by a service that records it with who acted.
        return
    with transaction.atomic():
        audit.append(
            None,
            audit.SYSTEM,
            object_type=ACCOUNT,
            object_id=instance.pk,
            action=audit.Action.CREATE,
            label=getattr(instance, "email", "") or instance.get_username(),
            changes=audit.created(
                {
                    "email": getattr(instance, "email", ""),
                    "is_staff": instance.is_staff,
                    "is_superuser": instance.is_superuser,
                }
            ),
        )


def connect() -> None:
    from allauth.account import signals as account_signals
    from allauth.mfa import signals as mfa_signals
    from django.contrib.auth import get_user_model
    from django.contrib.auth import signals as auth_signals
    from django.db.models.signals import post_save

    uid = "csfpilot-audit"
    auth_signals.user_logged_in.connect(signed_in, dispatch_uid=f"{uid}-login")
    auth_signals.user_login_failed.connect(sign_in_failed, dispatch_uid=f"{uid}-login-failed")
    mfa_signals.authentication_failed.connect(second_factor_failed, dispatch_uid=f"{uid}-2fa")
    account_signals.password_changed.connect(password_changed, dispatch_uid=f"{uid}-pw")
    account_signals.password_set.connect(password_changed, dispatch_uid=f"{uid}-pw-set")
    account_signals.password_reset.connect(password_reset, dispatch_uid=f"{uid}-pw-reset")
    mfa_signals.authenticator_added.connect(mfa_added, dispatch_uid=f"{uid}-mfa-add")
    mfa_signals.authenticator_removed.connect(mfa_removed, dispatch_uid=f"{uid}-mfa-remove")
    mfa_signals.authenticator_reset.connect(mfa_reset, dispatch_uid=f"{uid}-mfa-reset")
    post_save.connect(account_created, sender=get_user_model(), dispatch_uid=f"{uid}-account")
