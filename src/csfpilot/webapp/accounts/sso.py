"""Single sign-on with OpenID Connect, configured entirely from the environment.

Set ``CSFPILOT_OIDC_SERVER_URL`` (the issuer, e.g. ``https://login.example.com/realms/acme``),
``CSFPILOT_OIDC_CLIENT_ID`` and ``CSFPILOT_OIDC_CLIENT_SECRET``; the sign-in page then
offers a button for it. Nothing is configured by default. The provider's redirect URI is
``<site>/accounts/oidc/<CSFPILOT_OIDC_PROVIDER_ID>/login/callback/``.

This module is read by the settings, before Django is set up: standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

_PROVIDER_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def oidc_providers(environ: Mapping[str, str]) -> dict[str, Any]:
    """The ``SOCIALACCOUNT_PROVIDERS`` setting for the OpenID Connect provider, if any."""
    server_url = environ.get("CSFPILOT_OIDC_SERVER_URL", "").strip()
    if not server_url:
        return {}
    parsed = urlparse(server_url)
    insecure_ok = parsed.hostname in {"localhost", "127.0.0.1", "::1"}
    if parsed.scheme != "https" and not (parsed.scheme == "http" and insecure_ok):
        raise ImproperlyConfigured(
            f"CSFPILOT_OIDC_SERVER_URL must be an https:// URL, not {server_url!r}."
        )
    client_id = environ.get("CSFPILOT_OIDC_CLIENT_ID", "").strip()
    if not client_id:
        raise ImproperlyConfigured(
            "CSFPILOT_OIDC_SERVER_URL is set but CSFPILOT_OIDC_CLIENT_ID is missing."
        )
    provider_id = environ.get("CSFPILOT_OIDC_PROVIDER_ID", "sso").strip().lower()
    if not _PROVIDER_ID.match(provider_id):
        raise ImproperlyConfigured(
            "CSFPILOT_OIDC_PROVIDER_ID must be lower-case letters, digits and hyphens, "
            f"not {provider_id!r}."
        )
    app = {
        "provider_id": provider_id,
        "name": environ.get("CSFPILOT_OIDC_NAME", "").strip() or "Single sign-on",
        "client_id": client_id,
        "secret": environ.get("CSFPILOT_OIDC_CLIENT_SECRET", ""),
        "settings": {"server_url": server_url},
    }
    return {
        "openid_connect": {
            "APPS": [app],
            # PKCE protects the authorization code even from a public client.
            "OAUTH_PKCE_ENABLED": True,
        }
    }
