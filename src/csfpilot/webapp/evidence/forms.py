"""Forms of the evidence pages; the rules themselves live in :mod:`.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from csfpilot.core.evidence import Confidentiality, EvidenceKind, ReviewState
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.evidence import services
from csfpilot.webapp.evidence.labels import (
    CONFIDENTIALITY_LABELS,
    KIND_LABELS,
    REVIEW_LABELS,
    SIDE_LABELS,
)

TEXT_MAX = 10_000


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def member_choices(members: list[tuple[int, str]], empty: str) -> list[tuple[str, str]]:
    return [("", empty), *((str(pk), label) for pk, label in members)]


class ItemForm(forms.Form):
    """What describes an item, whatever its form (file, link or written attestation)."""

    title = forms.CharField(label=_("Title"), max_length=services.MAX_TITLE)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[(k.value, KIND_LABELS[k]) for k in EvidenceKind]
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    source_kind = forms.ChoiceField(
        label=_("Source"),
        choices=m.SourceKind.choices,
        initial=m.SourceKind.PERSON,
        widget=forms.RadioSelect,
    )
    source = forms.CharField(
        label=_("Who or what produced it"),
        required=False,
        max_length=300,
        help_text=_("A person's name, or the tool and its version (e.g. OpenSCAP 1.3.7)."),
    )
    collected_on = forms.DateField(label=_("Collected on"), required=False, widget=DateInput())
    effective_from = forms.DateField(label=_("Effective from"), required=False, widget=DateInput())
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "Leave empty and give a review interval instead, or neither if it never expires."
        ),
    )
    review_interval_days = forms.IntegerField(
        label=_("Review interval (days)"),
        required=False,
        min_value=1,
        max_value=3660,
        help_text=_("Counted from the day it takes effect: 365 for a yearly review."),
    )
    owner = forms.ChoiceField(label=_("Owner (a member)"), required=False)
    owner_name = forms.CharField(
        label=_("Owner (anyone else)"),
        required=False,
        max_length=200,
        help_text=_("A team or person outside csfpilot, when no member owns it."),
    )
    confidentiality = forms.ChoiceField(
        label=_("Confidentiality label"),
        choices=[(c.value, CONFIDENTIALITY_LABELS[c]) for c in Confidentiality],
        initial=Confidentiality.INTERNAL.value,
    )

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = member_choices(members, str(_("— nobody —")))
        self.fields["owner"].widget.attrs["translate"] = "no"

    def item_fields(self) -> services.ItemFields:
        d = self.cleaned_data
        return services.ItemFields(
            title=d["title"],
            description=d["description"],
            kind=d["kind"],
            source_kind=d["source_kind"],
            source=d["source"],
            collected_on=d["collected_on"],
            effective_from=d["effective_from"],
            valid_until=d["valid_until"],
            review_interval_days=d["review_interval_days"],
            owner_id=int(d["owner"]) if d["owner"] else None,
            owner_name=d["owner_name"],
            confidentiality=d["confidentiality"],
        )

    @staticmethod
    def initial_of(row: m.EvidenceItem) -> dict[str, Any]:
        return {
            "title": row.title,
            "kind": row.kind,
            "description": row.description,
            "source_kind": row.source_kind,
            "source": row.source,
            "collected_on": row.collected_on,
            "effective_from": row.effective_from,
            "valid_until": row.valid_until,
            "review_interval_days": row.review_interval_days,
            "owner": str(row.owner_id or ""),
            "owner_name": row.owner_name,
            "confidentiality": row.confidentiality,
            "version": row.version,
        }


class EditForm(ItemForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class NoteField(forms.CharField):
    def __init__(self) -> None:
        super().__init__(
            label=_("Note on this version"),
            required=False,
            max_length=2000,
            help_text=_("What changed, or where it came from."),
        )


class LinkContentForm(forms.Form):
    url = forms.URLField(label=_("Address (https://…)"), max_length=2000, assume_scheme="https")
    note = NoteField()


class AttestationContentForm(forms.Form):
    statement = forms.CharField(
        label=_("Written attestation"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What you attest, in your own words; it is kept as written, with your name."),
    )
    note = NoteField()


class FileContentForm(forms.Form):
    """The note only: the file itself is received by ``uploads.spool_upload``."""

    note = NoteField()


class LinkOutcomesForm(forms.Form):
    profile = forms.ChoiceField(label=_("Profile"))
    outcomes = forms.CharField(
        label=_("Outcomes"),
        max_length=2000,
        help_text=_(
            "One or more outcome ids, separated by spaces or commas (e.g. GV.PO-01 GV.PO-02)."
        ),
    )
    side = forms.ChoiceField(
        label=_("Side"),
        choices=list(SIDE_LABELS.items()),
        initial="current",
        widget=forms.RadioSelect,
        help_text=_(
            "Current: it shows the outcome is in place. "
            "Target: the evidence expected once the target is met."
        ),
    )
    statement = forms.CharField(
        label=_("What it shows for these outcomes"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, profiles: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = [(str(pk), name) for pk, name in profiles]
        self.fields["profile"].widget.attrs["translate"] = "no"

    def codes(self) -> list[str]:
        return split_codes(self.cleaned_data["outcomes"])


def split_codes(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for part in text.replace(",", " ").split():
        seen[part.strip().upper()] = None
    return list(seen)


class ReviewForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Review"),
        choices=[(s.value, REVIEW_LABELS[s]) for s in ReviewState if s is not ReviewState.PENDING],
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)


class RequestForm(forms.Form):
    profile = forms.ChoiceField(label=_("Profile"))
    outcomes = forms.CharField(
        label=_("Outcomes"),
        max_length=2000,
        help_text=_("One or more outcome ids, separated by spaces or commas."),
    )
    assignee = forms.ChoiceField(label=_("Ask"))
    due = forms.DateField(label=_("Due"), widget=DateInput())
    note = forms.CharField(
        label=pgettext_lazy("a written note", "Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you need to see, and why."),
    )

    def __init__(
        self,
        *args: Any,
        profiles: list[tuple[int, str]],
        members: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = [(str(pk), name) for pk, name in profiles]
        self.fields["profile"].widget.attrs["translate"] = "no"
        self.fields["assignee"].choices = [(str(pk), label) for pk, label in members]
        self.fields["assignee"].widget.attrs["translate"] = "no"

    def codes(self) -> list[str]:
        return split_codes(self.cleaned_data["outcomes"])


class SubmitForm(forms.Form):
    items = forms.MultipleChoiceField(
        label=_("Evidence items from the library"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    title = forms.CharField(
        label=_("Title of the uploaded file"),
        required=False,
        max_length=services.MAX_TITLE,
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k.value, KIND_LABELS[k]) for k in EvidenceKind],
        initial=EvidenceKind.OTHER.value,
    )
    response = forms.CharField(
        label=_("Message to the assessor"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, items: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(str(pk), title) for pk, title in items]


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)
