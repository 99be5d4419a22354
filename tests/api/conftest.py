"""The API tests use the Django test client, plus the real server for one socket test."""

from tests.e2e.conftest import server_url  # noqa: F401  (the real `csfpilot serve`)
