"""The 22 CSF 2.0 Category names in Traditional Chinese: csfpilot's own translation.

NIST has published no Traditional Chinese CSF 2.0, so there is no official name to
show. Category names are short titles that readers navigate by (like the Function
names, which are translated too), so csfpilot translates them itself, in Taiwan's
usage, and every page that shows one labels it as csfpilot's translation and shows
NIST's English name beside it. Outcome statements (Subcategories), Implementation
Examples and references are NIST's text and stay in English. See docs/translation.md.

Names are looked up by NIST's English title, so a release that renames a Category
shows NIST's new name in English until it is translated here.
"""

from __future__ import annotations

from django.utils.translation import get_language, pgettext_lazy

# NIST's English title → csfpilot's translation ("CSF 2.0 Category" context in the .po).
NAMES = {
    "Organizational Context": pgettext_lazy("CSF 2.0 Category", "Organizational Context"),
    "Risk Management Strategy": pgettext_lazy("CSF 2.0 Category", "Risk Management Strategy"),
    "Roles, Responsibilities, and Authorities": pgettext_lazy(
        "CSF 2.0 Category", "Roles, Responsibilities, and Authorities"
    ),
    "Policy": pgettext_lazy("CSF 2.0 Category", "Policy"),
    "Oversight": pgettext_lazy("CSF 2.0 Category", "Oversight"),
    "Cybersecurity Supply Chain Risk Management": pgettext_lazy(
        "CSF 2.0 Category", "Cybersecurity Supply Chain Risk Management"
    ),
    "Asset Management": pgettext_lazy("CSF 2.0 Category", "Asset Management"),
    "Risk Assessment": pgettext_lazy("CSF 2.0 Category", "Risk Assessment"),
    "Improvement": pgettext_lazy("CSF 2.0 Category", "Improvement"),
    "Identity Management, Authentication, and Access Control": pgettext_lazy(
        "CSF 2.0 Category", "Identity Management, Authentication, and Access Control"
    ),
    "Awareness and Training": pgettext_lazy("CSF 2.0 Category", "Awareness and Training"),
    "Data Security": pgettext_lazy("CSF 2.0 Category", "Data Security"),
    "Platform Security": pgettext_lazy("CSF 2.0 Category", "Platform Security"),
    "Technology Infrastructure Resilience": pgettext_lazy(
        "CSF 2.0 Category", "Technology Infrastructure Resilience"
    ),
    "Continuous Monitoring": pgettext_lazy("CSF 2.0 Category", "Continuous Monitoring"),
    "Adverse Event Analysis": pgettext_lazy("CSF 2.0 Category", "Adverse Event Analysis"),
    "Incident Management": pgettext_lazy("CSF 2.0 Category", "Incident Management"),
    "Incident Analysis": pgettext_lazy("CSF 2.0 Category", "Incident Analysis"),
    "Incident Response Reporting and Communication": pgettext_lazy(
        "CSF 2.0 Category", "Incident Response Reporting and Communication"
    ),
    "Incident Mitigation": pgettext_lazy("CSF 2.0 Category", "Incident Mitigation"),
    "Incident Recovery Plan Execution": pgettext_lazy(
        "CSF 2.0 Category", "Incident Recovery Plan Execution"
    ),
    "Incident Recovery Communication": pgettext_lazy(
        "CSF 2.0 Category", "Incident Recovery Communication"
    ),
}


def category_name(english: str) -> str | None:
    """csfpilot's translation of a CSF 2.0 Category name in the active language, or
    None in English, for a name not listed, or where no translation exists yet."""
    name = NAMES.get(english)
    if name is None or (get_language() or "en").startswith("en"):
        return None
    out = str(name)
    return out if out != english else None
