"""Forms of the spreadsheet wizards: an upload, then which sheet and columns hold what.

Column fields offer the header texts of the chosen sheet, so a person picks
rather than types; the mapping they build is the same
:class:`~csfpilot.formats.community_workbook.CommunitySpec` a mapping file
gives the command line.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from csfpilot.core.profiles import BUILTIN_SCALES
from csfpilot.formats.community_workbook import CommunitySpec, spec_from_dict
from csfpilot.formats.community_workbook.sheets import Workbook
from csfpilot.formats.csf11_assessment import AssessmentColumns
from csfpilot.webapp.profiles.labels import SCALE_LABELS

NAME_MAX = 200
NONE = ("", "—")


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Workbook (.xlsx)"))


class AssessmentUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSF 1.1 assessment"),
        help_text=_(
            "A spreadsheet (.xlsx) with one row per CSF 1.1 Subcategory, or a csfpilot profile "
            "file (YAML or JSON) written for csf-1.1."
        ),
    )


def _scale_choices() -> list[tuple[str, Any]]:
    return [(key, SCALE_LABELS.get(key, key)) for key in BUILTIN_SCALES]


def _headers(workbook: Workbook, sheet: str) -> list[tuple[str, str]]:
    if sheet not in workbook.tables:
        return []
    # One line each: a header's line breaks are spacing, and header matching ignores them.
    flat = (" ".join(h.split()) for h in workbook.tables[sheet].headers())
    return [(h, h) for h in flat]


class SheetForm(forms.Form):
    """Which sheet holds the rows (and, for a Community Profile, which maps statements)."""

    sheet = forms.ChoiceField(label=_("Sheet with one row per outcome or statement"))
    mapping_sheet = forms.ChoiceField(
        label=_("Sheet that maps the statements to CSF 2.0 Subcategories"),
        required=False,
        help_text=_("Only when the rows are the sector's own statements rather than CSF ids."),
    )

    def __init__(self, *args: Any, workbook: Workbook, mapping: bool = True, **kwargs: Any):
        super().__init__(*args, **kwargs)
        sheets = [(name, name) for name in workbook.tables]
        self.fields["sheet"].choices = sheets
        if mapping:
            self.fields["mapping_sheet"].choices = [NONE, *sheets]
        else:
            del self.fields["mapping_sheet"]


class CommunityMappingForm(forms.Form):
    """The columns of the chosen sheet, and who published the profile."""

    sheet = forms.CharField(widget=forms.HiddenInput)
    mapping_sheet = forms.CharField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name of the Community Profile"), max_length=NAME_MAX)
    publisher = forms.CharField(label=_("Publisher"), max_length=200, required=False)
    version = forms.CharField(label=_("Version"), max_length=64, required=False)
    terms = forms.CharField(
        label=_("Terms of use"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    scale = forms.ChoiceField(label=_("Scale the targets are read onto"))
    id = forms.ChoiceField(label=_("Outcome or statement id"))
    included = forms.ChoiceField(label=_("Included in the profile"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    target = forms.ChoiceField(label=_("Target level"), required=False)
    rationale = forms.ChoiceField(label=_("Rationale"), required=False)
    text = forms.ChoiceField(label=_("Statement text"), required=False)
    parent = forms.ChoiceField(label=_("Parent statement"), required=False)
    extra = forms.MultipleChoiceField(
        label=_("Extra text to keep"), required=False, widget=forms.CheckboxSelectMultiple
    )
    statement = forms.ChoiceField(label=_("Statement id (mapping sheet)"), required=False)
    subcategory = forms.ChoiceField(
        label=_("CSF 2.0 Subcategories (mapping sheet)"), required=False
    )

    OPTIONAL = ("included", "priority", "target", "rationale", "text", "parent")

    def __init__(self, *args: Any, workbook: Workbook, sheet: str, mapping_sheet: str, **kwargs):
        super().__init__(*args, **kwargs)
        headers = _headers(workbook, sheet)
        self.fields["scale"].choices = _scale_choices()
        self.fields["id"].choices = headers
        for role in self.OPTIONAL:
            self.fields[role].choices = [NONE, *headers]
        self.fields["extra"].choices = headers
        mapping_headers = _headers(workbook, mapping_sheet) if mapping_sheet else []
        self.has_mapping = bool(mapping_sheet)
        for role in ("statement", "subcategory"):
            self.fields[role].choices = [NONE, *mapping_headers]
            self.fields[role].required = bool(mapping_sheet)

    def spec(self, values: dict[str, Any] | None = None) -> CommunitySpec:
        data = self.cleaned_data
        doc: dict[str, Any] = {
            "name": data["name"],
            "publisher": data["publisher"],
            "version": data["version"],
            "terms": data["terms"],
            "scale": data["scale"],
            "sheet": data["sheet"],
            "columns": {
                "id": data["id"],
                **{r: data[r] for r in self.OPTIONAL if data.get(r)},
                "extra": list(data["extra"]),
            },
            "values": values or {},
        }
        if data.get("mapping_sheet"):
            doc["mapping"] = {
                "sheet": data["mapping_sheet"],
                "statement": data["statement"],
                "subcategory": data["subcategory"],
            }
        return spec_from_dict(doc)


class AssessmentColumnsForm(forms.Form):
    """Where a CSF 1.1 assessment spreadsheet keeps its ids and ratings."""

    sheet = forms.CharField(widget=forms.HiddenInput)
    scale = forms.ChoiceField(label=_("Scale the ratings are read onto"))
    id = forms.ChoiceField(label=_("CSF 1.1 Subcategory id"))
    current = forms.ChoiceField(label=_("Current rating"), required=False)
    target = forms.ChoiceField(label=_("Target rating"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False)

    def __init__(self, *args: Any, workbook: Workbook, sheet: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        headers = _headers(workbook, sheet)
        self.fields["scale"].choices = _scale_choices()
        self.fields["id"].choices = headers
        for role in ("current", "target", "priority"):
            self.fields[role].choices = [NONE, *headers]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("current") and not data.get("target"):
            raise forms.ValidationError(_("Choose the column of the current or the target rating."))
        return data

    def columns(self) -> AssessmentColumns:
        d = self.cleaned_data
        return AssessmentColumns(
            sheet=d["sheet"],
            id=d["id"],
            current=d.get("current") or "",
            target=d.get("target") or "",
            priority=d.get("priority") or "",
            scale=d["scale"],
        )


class MigrationNameForm(forms.Form):
    name = forms.CharField(label=_("Name of the new CSF 2.0 profile"), max_length=NAME_MAX)
