"""django-allauth's texts that csfpilot translates itself.

allauth ships a Traditional Chinese catalog, but some of its pages are not translated
there (a newer text) or leave English words in the translation ("authenticator",
"token"). Listing the message ids here puts them in csfpilot's own catalog, which
Django consults before allauth's (LOCALE_PATHS first), so the pages read in Taiwan's
usage. The ids must stay exactly allauth's: tests/webapp/test_zh_hant_pages.py renders
those pages.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

OVERRIDDEN = (
    gettext_noop("Bad Token"),
    gettext_noop("An authenticator app is not active."),
    gettext_noop(
        "You can store this secret and use it to reinstall your authenticator app at a later time."
    ),
    gettext_noop(
        "You are about to deactivate authenticator app based authentication. Are you sure?"
    ),
)
