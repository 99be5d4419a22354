"""Settings of a real ``csfpilot serve`` for the evidence upload tests: the product's own,
with the test-only upload and download routes of evidence_upload_urls.py added."""

from csfpilot.webapp.config.settings import *  # noqa: F403

ROOT_URLCONF = "tests.security.evidence_upload_urls"
