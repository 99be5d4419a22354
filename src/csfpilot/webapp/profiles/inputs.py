"""Checks on values that come in from forms, API bodies and files, before anything is stored.

Each refusal is an :class:`~csfpilot.core.errors.InputRefused` naming the
outcome (``element``) and the field, so a page can put the message next to the
field and the API can say exactly which part of the body was wrong. Limits
keep a hostile body from filling the database: a profile's texts are long
enough for real notes, never for megabytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from csfpilot.core.errors import InputRefused
from csfpilot.webapp.organizations.models import Membership
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.profiles import models as m

NAME_MAX = 200
"""Names, owners, milestones, costs: one line."""
TEXT_MAX = 20_000
"""Rationale, notes, practices: a few pages at most."""
LIST_MAX = 200
ITEM_MAX = 2_000
"""References and evidence: up to 200 entries (ids, links, file names) of up to 2000 characters."""


def text(value: Any, field: str, *, element: str | None = None, limit: int = TEXT_MAX) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputRefused(
            f"expected text, found {type(value).__name__}", element=element, field=field
        )
    if len(value) > limit:
        raise InputRefused(
            f"at most {limit} characters, found {len(value)}", element=element, field=field
        )
    if "\x00" in value:
        raise InputRefused(NUL_MESSAGE, element=element, field=field)
    return value


NUL_MESSAGE = "text cannot contain the NUL character (\\u0000)"
"""PostgreSQL stores no NUL in text, so it is refused everywhere, on every database."""


def storable(document: Any, path: tuple[str | int, ...] = ()) -> None:
    """Refuse a profile document holding text no database can store (NUL characters),
    naming the outcome and the field it is in."""
    if isinstance(document, str):
        if "\x00" in document:
            element = str(path[1]) if len(path) > 1 and path[0] == "outcomes" else None
            rest = path[2:] if element is not None else path
            field = ""
            for part in rest:
                field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else part)
            raise InputRefused(NUL_MESSAGE, element=element, field=field or None)
    elif isinstance(document, dict):
        for key, value in document.items():
            storable(key, path)
            storable(value, (*path, key))
    elif isinstance(document, list):
        for i, value in enumerate(document):
            storable(value, (*path, i))


def text_list(value: Any, field: str, *, element: str | None = None) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise InputRefused("expected a list of text items", element=element, field=field)
    if len(value) > LIST_MAX:
        raise InputRefused(f"at most {LIST_MAX} items", element=element, field=field)
    return [text(v, f"{field}[{i}]", element=element, limit=ITEM_MAX) for i, v in enumerate(value)]


def choice(
    value: Any, enum: Any, field: str, *, element: str | None = None, optional: bool = False
) -> Any:
    """The enum value for ``value`` (as stored), or a refusal listing the options."""
    if value is None and optional:
        return None
    options = [e.value for e in enum]
    if value not in options:
        raise InputRefused(
            f"{value!r} is not one of: {', '.join(options)}", element=element, field=field
        )
    return enum(value).value


def name(value: Any) -> str:
    """A profile name as written (files keep theirs exactly): not blank, 1–200 characters."""
    written = text(value, "name", limit=NAME_MAX)
    if not written.strip():
        raise InputRefused("a profile needs a name", field="name")
    return written


def only(changes: Mapping[str, Any], allowed: tuple[str, ...], element: str | None = None) -> None:
    """Refuse any key that is not ``allowed`` (ids, versions and the tenant are never settable)."""
    for key in changes:
        if key not in allowed:
            raise InputRefused(
                f"{key!r} cannot be set here; allowed: {', '.join(allowed)}",
                element=element,
                field=str(key),
            )


def day(value: Any, field: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        raise InputRefused("expected a date (YYYY-MM-DD), found a date and time", field=field)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InputRefused(f"expected a date as YYYY-MM-DD, found {value!r}", field=field)


def member_id(
    access: Access, user_id: Any, field: str, *, element: str | None = None
) -> int | None:
    """A user id that must belong to a member of the caller's organization."""
    if user_id is None:
        return None
    if isinstance(user_id, bool) or not isinstance(user_id, int):
        raise InputRefused("expected a member's user id", element=element, field=field)
    if not Membership.objects.filter(organization=access.organization, user_id=user_id).exists():
        raise InputRefused(
            f"user {user_id} is not a member of {access.organization.slug}",
            element=element,
            field=field,
        )
    return user_id


class Members:
    """The organization's members by e-mail, read once: how a written owner
    (``ana@example.com``) is recognised as the member an outcome is assigned to."""

    def __init__(self, access: Access) -> None:
        rows = Membership.objects.filter(organization=access.organization).values_list(
            "user_id", "user__email"
        )
        self.by_email = {email.lower(): uid for uid, email in rows if email}
        self.email_of = {uid: email for uid, email in rows if email}

    def id_for(self, written: str) -> int | None:
        return self.by_email.get(written.strip().lower()) if written else None


def assignment(
    values: dict[str, Any], access: Access, members: Members | None = None
) -> dict[str, Any]:
    """Keep the written owner and the assigned member in step.

    Assigning a member (``owner_id``) writes their e-mail as the owner unless a
    name is given too; writing an owner (``owner_name``) that is a member's
    e-mail assigns that member, and any other text (a team, a role) assigns
    nobody.
    """
    if "owner_id" in values and "owner_name" not in values:
        owner_id = values["owner_id"]
        found = (members or Members(access)).email_of.get(owner_id, "") if owner_id else ""
        values["owner_name"] = found
    elif "owner_name" in values and "owner_id" not in values:
        values["owner_id"] = (members or Members(access)).id_for(values["owner_name"])
    return values


def name_taken(access: Access, profile_name: str, *, other_than: int | None = None) -> bool:
    qs = m.Profile.objects.filter(organization=access.organization, name__iexact=profile_name)
    if other_than is not None:
        qs = qs.exclude(pk=other_than)
    return qs.exists()
