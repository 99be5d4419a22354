"""``/api/organizations/{slug}/evidence…``: the evidence library over the REST API."""

from __future__ import annotations

from ninja import Router

from csfpilot.webapp.accounts.api_auth import api_auth

router = Router(tags=["evidence"], auth=api_auth)
