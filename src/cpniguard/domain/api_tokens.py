"""Bearer tokens for employees and integrations (DESIGN.md 'HTTP and errors').

Tokens are 256-bit random strings shown once; only their SHA-256 digest is stored. A
slow hash (argon2) would add nothing for secrets of that entropy and would cost every
request a hash; passwords chosen by people are the ones that need argon2id.
"""

from __future__ import annotations

import hashlib

from cpniguard.domain.errors import FieldProblem, InvalidInputError

TOKEN_PREFIX = "cpg_"  # noqa: S105  (a public marker, not a secret)
TOKEN_RANDOM_BYTES = 32
MIN_TOKEN_LENGTH = len(TOKEN_PREFIX) + 40
MAX_TOKEN_LENGTH = 200
MAX_LABEL_CHARACTERS = 120


def token_digest(token: str) -> str:
    """The stored form of a bearer token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def is_well_formed_token(token: str) -> bool:
    """Whether `token` could be one of ours (cheap check before any lookup)."""
    return token.startswith(TOKEN_PREFIX) and MIN_TOKEN_LENGTH <= len(token) <= MAX_TOKEN_LENGTH


def token_label(label: str) -> str:
    """The label a token is stored with: trimmed, 1 to 120 characters, or InvalidInputError."""
    trimmed = label.strip()
    if not trimmed or len(trimmed) > MAX_LABEL_CHARACTERS or not trimmed.isprintable():
        problem = FieldProblem("label", f"give 1 to {MAX_LABEL_CHARACTERS} printable characters")
        raise InvalidInputError("the token label is not valid", (problem,))
    return trimmed
