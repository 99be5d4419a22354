"""Ed25519 keys of package producers: signing, fingerprints and how people read them.

A key's **fingerprint** is the first 20 bytes of the SHA-256 of its raw
32-byte public key, in lower-case hex (40 digits). People compare it in
groups of four (``ab12 cd34 ...``), read aloud over the phone or side by side
on two screens, before they trust a partner's key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from csfpilot.core.errors import InputRefused

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

# cryptography (about 8 MB resident) is imported by the functions that sign or verify,
# not with this module, which every web worker and command loads for fingerprints.

FINGERPRINT_BYTES = 20
PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64
_HEX = re.compile(r"^[0-9a-f]{40}$")


def fingerprint_of(public_key: bytes) -> str:
    """The fingerprint of a raw 32-byte Ed25519 public key."""
    return hashlib.sha256(public_key).hexdigest()[: FINGERPRINT_BYTES * 2]


def grouped(fingerprint: str) -> str:
    """``ab12cd34...`` as ``ab12 cd34 ...``, the form people compare.

    >>> grouped("ab12cd34ef56")
    'ab12 cd34 ef56'
    """
    return " ".join(fingerprint[i : i + 4] for i in range(0, len(fingerprint), 4))


def normalize_fingerprint(text: str) -> str:
    """A fingerprint as typed or pasted (spaces, colons, upper case) in its stored form.

    >>> normalize_fingerprint("AB12 CD34:ef56 0000 1111 2222 3333 4444 5555 6666")
    'ab12cd34ef560000111122223333444455556666'
    """
    cleaned = re.sub(r"[\s:-]", "", text).lower()
    if not _HEX.match(cleaned):
        raise InputRefused(
            f"{text.strip()[:60]!r} is not a key fingerprint: a fingerprint is "
            f"{FINGERPRINT_BYTES * 2} hexadecimal digits (spaces allowed)",
            field="fingerprint",
        )
    return cleaned


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: object, *, what: str, size: int | None = None) -> bytes:
    """Strict standard base64 (padding required), refused with ``what`` named otherwise."""
    if not isinstance(text, str):
        raise InputRefused(f"{what} is not a base64 text")
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise InputRefused(f"{what} is not valid base64") from None
    if b64(data) != text:
        raise InputRefused(f"{what} is not in canonical base64")
    if size is not None and len(data) != size:
        raise InputRefused(f"{what} has {len(data)} bytes; it must have {size}")
    return data


@dataclass(frozen=True)
class Signer:
    """An organization's signing key, with the name packages give as their producer."""

    private_key: Ed25519PrivateKey
    organization: str

    @classmethod
    def generate(cls, organization: str) -> Signer:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return cls(Ed25519PrivateKey.generate(), organization)

    @classmethod
    def from_raw(cls, raw: bytes, organization: str) -> Signer:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return cls(Ed25519PrivateKey.from_private_bytes(raw), organization)

    @property
    def public_key(self) -> bytes:
        return public_bytes(self.private_key.public_key())

    @property
    def fingerprint(self) -> str:
        return fingerprint_of(self.public_key)

    def raw_private(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.private_key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)


def public_bytes(key: Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def verify(public_key: bytes, signature: bytes, data: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def public_key_pem(public_key: bytes) -> str:
    """The public key as a PEM text, the form ``--key FILE`` and the API accept."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = Ed25519PublicKey.from_public_bytes(public_key)
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def read_public_key(data: bytes, *, name: str) -> bytes:
    """A raw public key from a PEM file or a base64 text of the 32 raw bytes."""
    text = data.strip()
    if text.startswith(b"-----BEGIN"):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            key = serialization.load_pem_public_key(text)
        except (ValueError, TypeError) as exc:
            raise InputRefused(f"not a PEM public key: {exc}", file=name) from None
        if not isinstance(key, Ed25519PublicKey):
            raise InputRefused("the PEM key is not an Ed25519 key", file=name)
        return public_bytes(key)
    try:
        return unb64(text.decode("ascii"), what="the key", size=PUBLIC_KEY_BYTES)
    except (InputRefused, UnicodeDecodeError) as exc:
        raise InputRefused(
            f"not an Ed25519 public key (PEM, or base64 of 32 bytes): {exc}", file=name
        ) from None
