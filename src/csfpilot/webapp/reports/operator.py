"""``csfpilot report ... --org``: a report on a stored profile, made by the instance's operator.

Like ``csfpilot profile export`` (see :mod:`csfpilot.webapp.profiles.operator`)
this runs on the machine that holds the database, with an owner's rights; the
organization's own template and look apply as on the web page.
"""

from __future__ import annotations

from django.utils import translation

from csfpilot.reports.model import Report
from csfpilot.webapp.profiles import lookups
from csfpilot.webapp.profiles.operator import operator_access
from csfpilot.webapp.reports import queries


def report(org_slug: str, profile_ref: str, kind: str, language: str) -> tuple[Report, str | None]:
    """The report and the organization's stored template (None: csfpilot's own)."""
    access = operator_access(org_slug)
    row = lookups.profile_by_ref(access, profile_ref)
    with translation.override(language.lower()):
        built = queries.report(access, row.pk, kind)
    return built, queries.look(access).template
