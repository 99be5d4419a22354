"""The shape of an API token: how one is made and how it is recognised.

A token is ``csfp_`` followed by 43 URL-safe characters (32 random bytes).
The fixed prefix lets secret scanners and people spot a leaked csfpilot token.
"""

from __future__ import annotations

import hashlib
import re
import secrets

PREFIX = "csfp_"
_SHAPE = re.compile(r"^csfp_[A-Za-z0-9_-]{43}$")
SHOWN_PREFIX_LENGTH = len(PREFIX) + 6


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """The stored form of a token: its SHA-256, hex-encoded."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def well_formed(token: str) -> bool:
    return bool(_SHAPE.match(token))


def shown_prefix(token: str) -> str:
    return token[:SHOWN_PREFIX_LENGTH]
