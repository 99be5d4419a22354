"""Private keys at rest: sealed with AES-256-GCM under a key kept outside the database.

The sealing key is ``CSFPILOT_PACKAGE_KEY`` when set (at least 32 characters,
so that it can be kept apart from, and survive a rotation of, the secret key),
otherwise derived from the secret key (HMAC-SHA256 with a fixed label). A
database copied without that setting holds no usable private key. The
organization key's fingerprint is the associated data, so a sealed key moved
to another row does not open.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from csfpilot.core.errors import CsfpilotError

# cryptography (about 8 MB resident) is imported where a key is sealed or opened, which
# few web workers ever do, not when the web app starts.

_LABEL = b"csfpilot package signing keys v1"
_NONCE = 12


def _sealing_key() -> bytes:
    explicit = getattr(settings, "CSFPILOT_PACKAGE_KEY", "")
    if explicit:
        if len(explicit) < 32:
            raise ImproperlyConfigured("CSFPILOT_PACKAGE_KEY needs at least 32 characters")
        secret = explicit.encode()
    else:
        secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, _LABEL, hashlib.sha256).digest()


def seal(raw_private: bytes, fingerprint: str) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(_NONCE)
    return nonce + AESGCM(_sealing_key()).encrypt(nonce, raw_private, fingerprint.encode())


def unseal(sealed: bytes, fingerprint: str) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(_sealing_key()).decrypt(
            bytes(sealed[:_NONCE]), bytes(sealed[_NONCE:]), fingerprint.encode()
        )
    except InvalidTag:
        raise CsfpilotError(
            "the organization's signing key cannot be opened: CSFPILOT_PACKAGE_KEY (or the "
            "secret key) is not the one it was sealed with"
        ) from None
