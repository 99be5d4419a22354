"""Settings for the test suite: the real settings, in a throw-away data folder."""

import os
import tempfile

os.environ.setdefault("CSFPILOT_DATA_DIR", tempfile.mkdtemp(prefix="csfpilot-test-"))
os.environ.setdefault("CSFPILOT_SECRET_KEY", "test-only-not-a-secret")

from csfpilot.webapp.config.settings import *  # noqa: F403

# The single sign-on tests configure a provider per test (override_settings), so the
# provider's app is installed as it is when CSFPILOT_OIDC_SERVER_URL is set.
if "allauth.socialaccount.providers.openid_connect" not in INSTALLED_APPS:  # noqa: F405
    INSTALLED_APPS = [*INSTALLED_APPS, "allauth.socialaccount.providers.openid_connect"]  # noqa: F405

# Hashing strength is tested where it matters; elsewhere it only slows the suite.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# WhiteNoise indexes STATIC_ROOT when the app starts and warns when it is missing.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# Reports are laid out in the test process itself; the report processes have tests of
# their own (tests/webapp/test_report_processes.py) and run in every `csfpilot serve`.
CSFPILOT_REPORT_PROCESSES = 0
# Kept per process and emptied before each test (tests/conftest.py); the file-based cache
# that `csfpilot serve` uses has its own test.
CACHES = {
    **CACHES,  # noqa: F405
    "reports": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "reports"},
}
