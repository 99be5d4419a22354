"""Forms of the profile pages. They read what a person typed; the rules live in services.

Each form turns posted text into the values the services expect (level keys
of the profile's scale, priorities, Tiers, dates, lists) and back. Refusals
from a service (:class:`~csfpilot.core.errors.InputRefused`) are put on the
field they name with :func:`~csfpilot.webapp.organizations.forms.refuse`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from csfpilot.core.profiles import (
    BUILTIN_SCALES,
    ProfileKind,
    Scale,
    ScopeType,
    Tier,
)
from csfpilot.webapp.profiles.labels import (
    KIND_LABELS,
    PRIORITY_LABELS,
    SCALE_LABELS,
    SCOPE_LABELS,
    STATUS_LABELS,
    level_label,
)

NAME_MAX = 200
TEXT_MAX = 20_000
EVIDENCE_MAX = 200


def level_choices(scale: Scale) -> list[tuple[str, str]]:
    """Radio choices for a side: every level of the scale, keys as posted text."""
    return [(str(level.key), level_label(scale, level.key)) for level in scale.levels]


def level_key(scale: Scale, posted: str) -> Any:
    """The scale's own key for posted text (``"3"`` → ``3`` on the maturity scale)."""
    if posted in ("", None):
        return None
    for level in scale.levels:
        if str(level.key) == posted:
            return level.key
    return posted  # the service refuses it, naming the valid keys


def _optional_choices(labels: dict[Any, Any], blank: Any) -> list[tuple[str, Any]]:
    return [("", blank), *((k.value, v) for k, v in labels.items())]


def _lines(text: str) -> list[str]:
    """One item per non-empty line (evidence links, file names)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# -- profiles -----------------------------------------------------------------------------


class ProfileForm(forms.Form):
    """Start a profile: what it covers, which framework and scale it uses, and where from."""

    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k.value, v) for k, v in KIND_LABELS.items()],
        initial=ProfileKind.ORGANIZATIONAL.value,
        widget=forms.RadioSelect,
        help_text=_(
            "An Organizational Profile has a Current and a Target side. A Community Profile "
            "holds shared targets only, for a sector or a supply chain to start from."
        ),
    )
    scope_type = forms.ChoiceField(
        label=_("Scope"),
        choices=[(k.value, v) for k, v in SCOPE_LABELS.items()],
        initial=ScopeType.ORGANIZATION.value,
    )
    scope_name = forms.CharField(
        label=_("Which one"),
        max_length=NAME_MAX,
        required=False,
        help_text=_("The business unit, system or product, e.g. Payroll."),
    )
    framework = forms.ChoiceField(
        label=_("Framework"), widget=forms.Select(attrs={"translate": "no"})
    )
    scale = forms.ChoiceField(
        label=_("Rating scale"),
        choices=[(key, SCALE_LABELS.get(key, s.name)) for key, s in BUILTIN_SCALES.items()],
        initial="status",
        widget=forms.RadioSelect,
    )
    start = forms.ChoiceField(
        label=_("Start from"),
        required=False,
        widget=forms.Select(attrs={"translate": "no"}),
        help_text=_(
            "Starting from a Community Profile copies its targets, priorities and target "
            "details onto the new profile, which then uses that profile's framework and scale."
        ),
    )
    description = forms.CharField(
        label=_("Description"), max_length=TEXT_MAX, required=False, widget=forms.Textarea
    )
    assumptions = forms.CharField(
        label=_("Assumptions"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea,
        help_text=_("What the profile takes as given, e.g. the threats and regulations in scope."),
    )

    def __init__(
        self,
        *args: Any,
        frameworks: list[tuple[str, str]],
        communities: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["framework"].choices = frameworks
        if frameworks:
            self.fields["framework"].initial = frameworks[0][0]
        self.fields["start"].choices = [("", _("A blank profile")), *communities]
        for name in ("description", "assumptions"):
            self.fields[name].widget.attrs["rows"] = 3


class ProfileSettingsForm(forms.Form):
    """What can change about a profile once it exists (its framework, kind and scale stay)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    scope_type = forms.ChoiceField(
        label=_("Scope"), choices=[(k.value, v) for k, v in SCOPE_LABELS.items()]
    )
    scope_name = forms.CharField(label=_("Which one"), max_length=NAME_MAX, required=False)
    description = forms.CharField(
        label=_("Description"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    assumptions = forms.CharField(
        label=_("Assumptions"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    FIELDS = ("name", "scope_type", "scope_name", "description", "assumptions")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("description", "assumptions"):
            if isinstance(data.get(name), str):
                data[name] = data[name].replace("\r\n", "\n")
        return data


class DeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that the profile, its action plan and its snapshots are deleted"),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Profile file (YAML or JSON)"),
        help_text=_("A csfpilot profile file, e.g. a Community Profile your sector publishes."),
    )
    name = forms.CharField(
        label=_("Name (optional)"),
        max_length=NAME_MAX,
        required=False,
        help_text=_("Leave empty to use the name written in the file."),
    )
    replace = forms.BooleanField(
        label=_("Replace the content of a profile with the same name"), required=False
    )


class DeriveForm(forms.Form):
    community = forms.ChoiceField(
        label=_("Community Profile"), widget=forms.Select(attrs={"translate": "no"})
    )

    def __init__(self, *args: Any, communities: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = communities


# -- the questionnaire --------------------------------------------------------------------


class OutcomeForm(forms.Form):
    """One outcome's answer: both ratings, priority, owner and the notes behind them.

    Field names are the service's (``current_practices``...), so the changed
    values go to :func:`~csfpilot.webapp.profiles.services.update_outcome` as
    they are. ``version`` is the outcome version the page was showing.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    current = forms.ChoiceField(label=_("Current"), required=False, widget=forms.RadioSelect)
    target = forms.ChoiceField(label=_("Target"), required=False, widget=forms.RadioSelect)
    priority = forms.ChoiceField(
        label=_("Priority"),
        required=False,
        choices=_optional_choices(PRIORITY_LABELS, pgettext_lazy("priority", "Not set")),
    )
    owner_name = forms.CharField(
        label=pgettext_lazy("person responsible", "Owner"),
        max_length=NAME_MAX,
        required=False,
        help_text=_(
            "A member's e-mail assigns the outcome to them; a team or role name also works."
        ),
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this target and this priority."),
    )
    current_practices = forms.CharField(
        label=_("Internal practices"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What is done today to achieve the outcome."),
    )
    current_evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Links, documents or artifacts; one per line."),
    )
    notes = forms.CharField(
        label=_("Notes"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    EDIT_FIELDS = (
        "current",
        "target",
        "priority",
        "owner_name",
        "rationale",
        "current_practices",
        "current_evidence",
        "notes",
    )

    def __init__(
        self,
        *args: Any,
        scale: Scale,
        code: str,
        community: bool = False,
        can_assign: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.scale = scale
        self.community = community
        self.can_assign = can_assign
        choices = [("", _("Not assessed")), *level_choices(scale)]
        self.fields["current"].choices = choices
        self.fields["target"].choices = choices
        # Ids carry the outcome so that a Category page with many forms keeps them unique.
        self.auto_id = f"o-{code.replace('.', '-')}-%s"
        if community:
            for name in ("current", "current_practices", "current_evidence"):
                del self.fields[name]
        self.fields["owner_name"].widget.attrs.update(
            {"list": "member-emails", "autocomplete": "off"}
        )
        if not can_assign:
            self.fields["owner_name"].disabled = True
        for name in ("rationale", "current_practices", "notes"):
            if name in self.fields:
                self.fields[name].widget.attrs["rows"] = 3

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # Browsers send text areas with CRLF line ends; store one form so re-saves compare equal.
        for name in ("rationale", "current_practices", "notes"):
            if isinstance(data.get(name), str):
                data[name] = data[name].replace("\r\n", "\n")
        return data

    def clean_current_evidence(self) -> list[str]:
        items = _lines(self.cleaned_data.get("current_evidence", ""))
        if len(items) > EVIDENCE_MAX:
            raise forms.ValidationError(_("At most %(n)d evidence entries.") % {"n": EVIDENCE_MAX})
        return items

    def values(self) -> dict[str, Any]:
        """The posted answer as service values (level keys, a priority or None, lists)."""
        out: dict[str, Any] = {}
        for name in self.EDIT_FIELDS:
            if name not in self.fields or self.fields[name].disabled:
                continue
            value = self.cleaned_data.get(name)
            if name in ("current", "target"):
                value = level_key(self.scale, value or "")
            elif name == "priority":
                value = value or None
            out[name] = value
        return out

    @staticmethod
    def initial_from(values: dict[str, Any], version: int) -> dict[str, Any]:
        """Form initial data from an outcome's stored values."""
        return {
            "version": version,
            "current": "" if values.get("current") is None else str(values["current"]),
            "target": "" if values.get("target") is None else str(values["target"]),
            "priority": values.get("priority") or "",
            "owner_name": values.get("owner_name", ""),
            "rationale": values.get("rationale", ""),
            "current_practices": values.get("current_practices", ""),
            "current_evidence": "\n".join(values.get("current_evidence") or []),
            "notes": values.get("notes", ""),
        }


# -- Tiers --------------------------------------------------------------------------------

TIER_CHOICES = [("", _("Not set"))] + [(str(int(t)), str(int(t))) for t in Tier]


class TiersForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    governance_current = forms.TypedChoiceField(
        choices=TIER_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    governance_target = forms.TypedChoiceField(
        choices=TIER_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    management_current = forms.TypedChoiceField(
        choices=TIER_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    management_target = forms.TypedChoiceField(
        choices=TIER_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    governance_current_rationale = forms.CharField(
        label=_("Why this Tier today"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    governance_target_rationale = forms.CharField(
        label=_("Why this target Tier"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    management_current_rationale = forms.CharField(
        label=_("Why this Tier today"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    management_target_rationale = forms.CharField(
        label=_("Why this target Tier"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, community: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.community = community
        if community:
            for aspect in ("governance", "management"):
                del self.fields[f"{aspect}_current"]
                del self.fields[f"{aspect}_current_rationale"]

    def tiers(self) -> dict[str, dict[str, Any]]:
        """The mapping :func:`~csfpilot.webapp.profiles.services.set_tiers` takes."""
        out: dict[str, dict[str, Any]] = {}
        for aspect in ("governance", "management"):
            doc: dict[str, Any] = {}
            for side in ("current", "target"):
                if f"{aspect}_{side}" in self.fields:
                    doc[side] = self.cleaned_data.get(f"{aspect}_{side}")
                    doc[f"{side}_rationale"] = self.cleaned_data.get(
                        f"{aspect}_{side}_rationale", ""
                    )
            out[aspect] = doc
        return out


# -- action plan --------------------------------------------------------------------------


class ActionForm(forms.Form):
    """One line of the plan as edited in place."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    title = forms.CharField(label=_("Action"), max_length=TEXT_MAX)
    owner_name = forms.CharField(
        label=pgettext_lazy("person responsible", "Owner"), max_length=NAME_MAX, required=False
    )
    due = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    milestone = forms.CharField(label=_("Milestone"), max_length=NAME_MAX, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[(k.value, v) for k, v in STATUS_LABELS.items()]
    )
    cost = forms.CharField(
        label=_("Effort"),
        max_length=NAME_MAX,
        required=False,
        help_text=_("e.g. 2 person-weeks"),
    )

    FIELDS = ("title", "owner_name", "due", "milestone", "status", "cost")

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.FIELDS}


class GenerateForm(forms.Form):
    due = forms.DateField(
        label=_("Due date for the new actions (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    milestone = forms.CharField(
        label=_("Milestone (optional)"), max_length=NAME_MAX, required=False
    )


# -- history ------------------------------------------------------------------------------


class SnapshotForm(forms.Form):
    label = forms.CharField(
        label=_("Label"),
        max_length=NAME_MAX,
        required=False,
        help_text=_("e.g. Q3 review with the board"),
    )


class GapFilterForm(forms.Form):
    """The dashboard's gap list filters; every field is optional."""

    function = forms.ChoiceField(label=_("Function"), required=False)
    priority = forms.ChoiceField(
        label=_("Priority"),
        required=False,
        choices=_optional_choices(PRIORITY_LABELS, _("Any priority")),
    )
    owner = forms.ChoiceField(
        label=pgettext_lazy("person responsible", "Owner"),
        required=False,
        widget=forms.Select(attrs={"translate": "no"}),
    )

    def __init__(
        self,
        *args: Any,
        functions: list[tuple[str, str]],
        owners: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["function"].choices = [("", _("All Functions")), *functions]
        self.fields["owner"].choices = [
            ("", _("Anyone")),
            ("-", _("Nobody yet")),
            *((o, o) for o in owners),
        ]


class NewActionForm(forms.Form):
    """A line added to the plan by hand (generated ones come from the gaps)."""

    title = forms.CharField(label=_("Action"), max_length=TEXT_MAX)
    outcomes = forms.CharField(
        label=_("Outcomes"),
        max_length=2000,
        help_text=_("Outcome ids, separated by spaces or commas, e.g. PR.AA-01 PR.AA-03"),
    )
    owner_name = forms.CharField(
        label=pgettext_lazy("person responsible", "Owner"), max_length=NAME_MAX, required=False
    )
    due = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
