"""The API token form: the organization and role lists hold only what the person may choose."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from csfpilot.webapp.accounts.services import DEFAULT_DAYS, MAX_DAYS, NAME_MAX
from csfpilot.webapp.organizations.queries import memberships_of
from csfpilot.webapp.organizations.roles import ROLE_ORDER

EXPIRY_CHOICES = [
    (7, _("7 days")),
    (30, _("30 days")),
    (DEFAULT_DAYS, _("90 days")),
    (180, _("180 days")),
    (MAX_DAYS, _("1 year")),
]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=NAME_MAX,
        help_text=_("Where the token is used, e.g. “nightly export job”."),
    )
    organization = forms.ChoiceField(
        label=_("Organization"), widget=forms.Select(attrs={"translate": "no"})
    )
    role = forms.ChoiceField(
        label=_("Role"),
        help_text=_("The most the token may do. It can never do more than your own role."),
    )
    days = forms.TypedChoiceField(
        label=_("Expires after"), choices=EXPIRY_CHOICES, coerce=int, initial=DEFAULT_DAYS
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        memberships = list(memberships_of(user))
        self.fields["organization"].choices = [
            (m.organization.slug, m.organization.name) for m in memberships
        ]
        # The service enforces "no higher than your role" per organization; the list
        # offers every role once, and a refused choice comes back as a field error.
        self.fields["role"].choices = [(r.value, r.label) for r in ROLE_ORDER]
        self.fields["role"].initial = "viewer"
