"""argon2id hashing for secrets people choose (STYLE.md 'Privacy data')."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


class Argon2PasswordHasher:
    """PasswordHasher port over argon2-cffi with its recommended (RFC 9106) parameters."""

    def hash(self, secret: str) -> str:
        """The argon2id hash of `secret`."""
        return _hasher.hash(secret)

    def verify(self, stored_hash: str, secret: str) -> bool:
        """Whether `secret` matches `stored_hash`."""
        try:
            return _hasher.verify(stored_hash, secret)
        except (VerificationError, InvalidHashError):
            return False
