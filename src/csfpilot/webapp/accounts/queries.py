"""Reads about a person's API tokens."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from csfpilot.webapp.accounts.models import ApiToken


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    """All the user's tokens, newest first, with their organizations (one query)."""
    return ApiToken.objects.filter(user=user).select_related("organization")
