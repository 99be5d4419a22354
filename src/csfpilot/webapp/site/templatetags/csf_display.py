"""Template filters that show framework content: Function colours, level and
relationship names in the reader's language, NIST's text or its translation,
and search words marked in results.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from csfpilot.core.catalog.csf2 import FUNCTIONS
from csfpilot.core.catalog.relationships import Relationship
from csfpilot.webapp.site.category_names import category_name
from csfpilot.webapp.site.data_texts import translated

register = template.Library()

# The six CSF 2.0 Functions in the reader's language (Taiwan's usage in zh-Hant).
# NIST's own titles ("GOVERN") stay as published; these name the Function in UI text.
FUNCTION_NAMES = {
    "GV": _("Govern"),
    "ID": _("Identify"),
    "PR": _("Protect"),
    "DE": _("Detect"),
    "RS": _("Respond"),
    "RC": _("Recover"),
}

# Level names importers use, singular and plural, for headings and counts.
LEVEL_NAMES = {
    "function": (pgettext_lazy("framework level", "Function"), _("Functions")),
    "category": (pgettext_lazy("framework level", "Category"), _("Categories")),
    "subcategory": (pgettext_lazy("framework level", "Subcategory"), _("Subcategories")),
    "family": (pgettext_lazy("framework level", "Family"), _("Families")),
    "control": (pgettext_lazy("framework level", "Control"), _("Controls")),
    "enhancement": (pgettext_lazy("framework level", "Control enhancement"), _("Enhancements")),
    "safeguard": (pgettext_lazy("framework level", "Safeguard"), _("Safeguards")),
    "clause": (pgettext_lazy("framework level", "Clause"), _("Clauses")),
    "subclause": (pgettext_lazy("framework level", "Subclause"), _("Subclauses")),
    "provision": (pgettext_lazy("framework level", "Provision"), _("Provisions")),
}

# Crosswalk relationships as verbs. Set relationships arrive already read from the
# shown element's side (``queries.references`` inverts subset/superset), so only the
# migration verbs still need to know whether the element is the row's target.
RELATIONSHIP_NAMES = {
    "equivalent": (_("equivalent to"), _("equivalent to")),
    "subset_of": (_("subset of"), _("subset of")),
    "superset_of": (_("superset of"), _("superset of")),
    "intersects_with": (_("intersects with"), _("intersects with")),
    "related_to": (_("related to"), _("related to")),
    "incorporated_into": (_("incorporated into"), _("incorporates")),
    "moved_to": (_("moved to"), _("moved here from")),
    # Already read from the destination's side (Relationship.inverse of a migration).
    "incorporates": (_("incorporates"), _("incorporates")),
    "received_from": (_("moved here from"), _("moved here from")),
}

BASELINE_ORDER = ("LOW", "MODERATE", "HIGH", "PRIVACY")
BASELINE_NAMES = {
    "LOW": (pgettext_lazy("baseline abbreviation", "L"), _("Low baseline")),
    "MODERATE": (pgettext_lazy("baseline abbreviation", "M"), _("Moderate baseline")),
    "HIGH": (pgettext_lazy("baseline abbreviation", "H"), _("High baseline")),
    "PRIVACY": (pgettext_lazy("baseline abbreviation", "P"), _("Privacy baseline")),
}


@register.filter
def fn_class(code: str, family: str = "csf") -> str:
    """``GV.OC-01`` → ``fn-gv`` (the CSS class carrying that Function's colour)."""
    if family != "csf" or not code:
        return ""
    fn = code.split(".", 1)[0].upper()
    return f"fn-{fn.lower()}" if fn in FUNCTIONS else ""


@register.filter
def function_name(code: str) -> str:
    """The Function's name in the reader's language, '' if ``code`` is not a CSF 2.0 id."""
    fn = (code or "").split(".", 1)[0].upper()
    name = FUNCTION_NAMES.get(fn)
    return str(name) if name is not None else ""


@register.filter
def level_name(level: str, plural: bool = False) -> str:
    names = LEVEL_NAMES.get(level)
    if names is None:
        return level.replace("_", " ").capitalize()
    return str(names[1] if plural else names[0])


@register.filter
def level_plural(level: str) -> str:
    return level_name(level, True)


@register.simple_tag
def relationship_label(relationship: str, inward: bool = False) -> str:
    """The verb for a crosswalk row: ``incorporated into`` from the withdrawn element's
    side, ``incorporates`` (``inward``) from the side of the element that took it in."""
    names = RELATIONSHIP_NAMES.get(relationship)
    if names is None:
        return relationship.replace("_", " ")
    return str(names[1] if inward else names[0])


@register.filter
def baseline_badge(name: str) -> SafeString:
    """One baseline as a short badge (L, M, H, P) that also carries its full name."""
    names = BASELINE_NAMES.get(name)
    if names is None:
        return format_html('<span class="baseline">{}</span>', name)
    short, full = names
    return format_html(
        '<abbr class="baseline baseline-{}" title="{}">{}'
        '<span class="visually-hidden"> ({})</span></abbr>',
        name.lower(),
        full,
        short,
        full,
    )


@register.filter
def baseline_badges(names: list[str] | None) -> SafeString:
    """L/M/H/P badges in that order (other baselines after them, by name)."""
    if not names:
        return mark_safe("")
    ordered = [n for n in BASELINE_ORDER if n in names]
    ordered += sorted(set(names) - set(BASELINE_ORDER))
    return format_html(
        '<span class="baselines">{}</span>',
        format_html_join("", "{}", ((baseline_badge(n),) for n in ordered)),
    )


@register.filter
def baseline_name(key: str) -> str:
    names = BASELINE_NAMES.get(key)
    return str(names[1]) if names else key


def _translation(node: Any, translations: Mapping[int, Any] | None) -> Any:
    if not translations:
        return None
    return translations.get(node.id)


@register.filter
def nist_title(node: Any, translations: Mapping[int, Any] | None = None) -> str:
    """The element's title in the reader's language when NIST's text has a translation."""
    tr = _translation(node, translations)
    return tr.title if tr is not None and tr.title else node.title


@register.filter
def nist_text(node: Any, translations: Mapping[int, Any] | None = None) -> str:
    """The element's text in the reader's language when a translation exists, else NIST's."""
    tr = _translation(node, translations)
    return tr.text if tr is not None and tr.text else node.text


@register.filter
def nist_lang(node: Any, translations: Mapping[int, Any] | None = None) -> str:
    """The language tag of what :func:`nist_text` returns, for the ``lang`` attribute."""
    tr = _translation(node, translations)
    if tr is not None and tr.text:
        return "zh-Hant-TW" if tr.language == "zh-hant" else tr.language
    # Only a framework already fetched with the node is consulted: never a query per element.
    state = getattr(node, "_state", None)
    framework = state.fields_cache.get("framework") if state is not None else None
    return getattr(framework, "language", None) or "en"


@register.filter
def language_name(tag: str) -> str:
    """A stored translation's language, named in the page's language ("French", "法文");
    the tag itself when Django knows no name for it."""
    from django.utils.translation import get_language_info

    for candidate in (tag, tag.split("-", 1)[0]):
        try:
            return str(get_language_info(candidate)["name_translated"])
        except KeyError:
            continue
    return tag


@register.filter
def html_lang(tag: str) -> str:
    """A stored language tag as the ``lang`` attribute writes it."""
    return "zh-Hant-TW" if tag == "zh-hant" else tag


# SP 800-53 statements nest "a." → "1." → "(a)" → "(1)"; NIST's text keeps one item per line.
_ITEM = re.compile(r"^(?:(?P<d1>[a-z])\.|(?P<d2>\d+)\.|\((?P<d3>[a-z])\)|\((?P<d4>\d+)\))\s")


@register.filter
def nist_paragraphs(text: str) -> SafeString:
    """NIST's text as paragraphs, one per line, list items indented by their depth."""
    out: list[str] = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        m = _ITEM.match(line)
        depth = next((i for i in (1, 2, 3, 4) if m and m.group(f"d{i}")), 0)
        css = f' class="item item-{depth}"' if depth else ""
        out.append(f"<p{css}>{escape(line)}</p>")
    return mark_safe("".join(out))  # noqa: S308 - each line is escaped


@register.filter
def highlight(text: str, query: str) -> SafeString:
    """Escape ``text`` and wrap every word of ``query`` it contains in ``<mark>``."""
    text = text or ""
    words = sorted({w for w in (query or "").split() if w}, key=len, reverse=True)
    if not words:
        return escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


@register.filter
def get_item(mapping: Mapping[Any, Any] | None, key: Any) -> Any:
    """``mapping[key]`` for templates, ``None`` when absent."""
    if not mapping:
        return None
    return mapping.get(key)


# Display names of the frameworks csfpilot knows by key, for crosswalk ends whose
# catalog is not loaded (a loaded framework shows its own stored name instead).
FRAMEWORK_LABELS = {
    "csf-2.0": "NIST CSF 2.0",
    "csf-1.1": "NIST CSF 1.1",
    "sp800-53r5": "NIST SP 800-53 Rev. 5",
    "cis-v8.0": "CIS Controls v8.0",
    "cis-v8.1": "CIS Controls v8.1",
    "iso27001-2022": "ISO/IEC 27001:2022",
}


@register.filter
def framework_label(key: str) -> str:
    """``sp800-53r5`` → ``NIST SP 800-53 Rev. 5``; unknown keys are shown as they are."""
    return FRAMEWORK_LABELS.get(key, key)


@register.simple_tag
def row_relationship(relationship: str, reverse: bool = False) -> str:
    """A crosswalk row's verb, read from its source or (``reverse``) from its target."""
    if reverse:
        with contextlib.suppress(ValueError):  # an unknown verb is shown as it is
            relationship = str(Relationship(relationship).inverse())
    return relationship_label(relationship, reverse)


@register.filter
def data_text(text: str) -> SafeString:
    """A dataset name or terms text that csfpilot's importers wrote, in the reader's
    language; one that is not ours (or untranslated) as stored, marked as English."""
    text = text or ""
    out = translated(text)
    if out is not None or not text:
        return escape(out or "")
    return format_html('<span lang="en">{}</span>', text)


@register.filter
def data_text_plain(text: str) -> str:
    """:func:`data_text` for attributes and ``<option>``: the text only, no markup."""
    return translated(text or "") or (text or "")


@register.filter
def category_title(title: str) -> SafeString:
    """A Category's name: NIST's English, or in Traditional Chinese csfpilot's own
    translation (labelled as such) followed by NIST's English name."""
    title = title or ""
    zh = category_name(title)
    if zh is None:
        return format_html('<span lang="en">{}</span>', title)
    return format_html(
        '<span class="project-translation" title="{}">{}</span> '
        '<span class="nist-name" lang="en">{}</span>',
        _("csfpilot's translation; NIST publishes this name in English"),
        zh,
        title,
    )


@register.filter
def category_title_plain(title: str) -> str:
    """:func:`category_title` for attributes and ``<option>``: one name, no markup."""
    return category_name(title or "") or (title or "")


@register.filter
def user_text(value: Any) -> SafeString:
    """What a person typed (a name, a label, a search), marked so that translation tools
    leave it alone; for use inside ``{% blocktranslate with x=value|user_text %}``."""
    return format_html('<span translate="no">{}</span>', "" if value is None else value)


@register.filter
def english(value: Any) -> SafeString:
    """A publisher's English title (a framework's name), marked as English; for use inside
    ``{% blocktranslate with x=value|english %}``."""
    return format_html('<span lang="en">{}</span>', "" if value is None else value)
