"""The report page's upload form: a template file, a logo, two colours."""

from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from csfpilot.reports.branding import DEFAULT_ACCENT, DEFAULT_PRIMARY, MAX_LOGO_BYTES
from csfpilot.reports.render import MAX_TEMPLATE_BYTES


def _size_help(message: str, kb: int) -> str:
    """A help text naming a size limit, translated when the page is shown: formatting a
    lazy text here, when the module loads, would fix it in English."""
    return lazy(lambda: gettext(message) % {"kb": kb}, str)()


class TemplateForm(forms.Form):
    template = forms.FileField(
        label=_("Template (HTML with Jinja2 tags)"),
        required=False,
        help_text=_size_help(
            gettext_noop("At most %(kb)d KB; usually it extends brief.html or workpaper.html."),
            MAX_TEMPLATE_BYTES // 1024,
        ),
    )
    clear_template = forms.BooleanField(label=_("Use csfpilot's own template"), required=False)
    logo = forms.FileField(
        label=_("Logo (PNG or JPEG)"),
        required=False,
        help_text=_size_help(gettext_noop("At most %(kb)d KB."), MAX_LOGO_BYTES // 1024),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    primary = forms.RegexField(
        label=_("Main colour"),
        regex=r"^#[0-9a-fA-F]{6}$",
        initial=DEFAULT_PRIMARY,
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    accent = forms.RegexField(
        label=_("Accent colour"),
        regex=r"^#[0-9a-fA-F]{6}$",
        initial=DEFAULT_ACCENT,
        widget=forms.TextInput(attrs={"type": "color"}),
    )
