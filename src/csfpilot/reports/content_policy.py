"""The Content-Security-Policy every report carries, in its page and in its HTTP answer.

Kept apart from :mod:`csfpilot.reports.safety` so that the web app can name the policy
in its headers without loading the HTML5 parser that checks pages.
"""

from __future__ import annotations

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:"
POLICY_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
