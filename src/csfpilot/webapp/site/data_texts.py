"""Texts csfpilot's own importers write into the catalog, in the reader's language.

The importers (:mod:`csfpilot.formats.nist`) name each crosswalk dataset and state
each file's terms of use in English, and those texts are stored with the data. They
are csfpilot's words, not NIST's, so they are translated like the rest of the
interface: each stored text below is a message id, and a page shows its
translation. A stored text that is not listed here (a dataset a user loaded, a
newer importer's wording) is shown as stored, marked as English.

NIST's and other publishers' own texts (framework and element titles, outcome
statements, Implementation Examples, withdrawal reasons, reference titles) are
never translated here: see docs/translation.md.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

# Crosswalk dataset names, as csfpilot.formats.nist names the bundled datasets.
DATASET_NAMES = (
    gettext_noop("CSF 1.1 → SP 800-53 Rev. 5"),
    gettext_noop("CSF elements withdrawn in NIST Cybersecurity Framework 2.0"),
    gettext_noop("CSF 2.0 Subcategories → SP 800-53 Rev. 5.1.1 control families"),
    gettext_noop("CSF 2.0 Categories → SP 800-53 Rev. 5.1.1 control families"),
    gettext_noop("CSF 2.0 ↔ SP 800-53 Rev. 5 (release 5.1.1), NIST OLIR 131"),
    gettext_noop("CSF 2.0 ↔ SP 800-53 Rev. 5 (release 5.2.0), NIST OLIR 186"),
    gettext_noop("CSF 2.0 ↔ CIS Controls v8.0"),
    gettext_noop("CSF 2.0 ↔ CIS Controls v8.1"),
    gettext_noop("CSF 2.0 ↔ ISO/IEC 27001:2022 (identifiers only)"),
    gettext_noop("CSF 2.0 ↔ CSF 1.1, NIST OLIR 119"),
)

# Terms of use, as csfpilot.formats.nist.terms and the importers state them.
TERMS = (
    gettext_noop(
        "A work of the U.S. Government (NIST): not subject to copyright in the United "
        "States (17 U.S.C. §105), so public domain in the US."
    ),
    gettext_noop(
        "Mapping rows developed by the Center for Internet Security for NIST's OLIR "
        "programme and republished by NIST in the CSF 2.0 Reference Tool; they may be "
        "subject to the Center for Internet Security's own terms of use."
    ),
    gettext_noop(
        "Mapping rows developed by the Center for Internet Security for NIST's OLIR "
        "programme and republished by NIST in the CSF 2.0 Reference Tool; they may be "
        "subject to the Center for Internet Security's own terms of use. Only the "
        "Safeguards those rows name are included."
    ),
    gettext_noop(
        "Mapping rows developed by Razilio for NIST's OLIR programme and republished by "
        "NIST in the CSF 2.0 Reference Tool; they may be subject to Razilio's own terms "
        "of use. ISO/IEC text is not included."
    ),
    gettext_noop(
        "Identifiers only. ISO/IEC 27001:2022 is copyrighted by ISO and IEC; its text is "
        "not included. The identifiers come from a third-party OLIR dataset republished "
        "by NIST and may be subject to its developer's terms."
    ),
)

KNOWN = frozenset(DATASET_NAMES + TERMS)


def translated(text: str) -> str | None:
    """The reader's-language version of a stored text csfpilot wrote (some read the same
    in both languages), or None when the text is not one of ours."""
    return gettext(text) if text in KNOWN else None
