"""Client secrets and resume tokens: HMAC-SHA256 signed tokens bound to a session id and an
expiry.

Format: ``cks_<base64url(JSON payload)>.<base64url(HMAC)>``. The payload holds the session id,
the expiry (Unix seconds) and a random nonce, so every secret is unique and unguessable without
the key. Verification is constant-time and checks the signature before trusting anything else.

A secret never outlives its session: `issue` caps the expiry at the session's end (``not_after``,
its creation time plus ``--session-max-age``), so refreshing cannot extend a session.

A resume token (`resume_signer`, prefix ``ckr_``) has the same format under its own prefix and
its own HMAC domain, so neither kind of token verifies as the other even though both are signed
with the one key: a resume token can only be traded for a client secret of its session at
``POST /api/chatkit/session`` (docs/backend-security.md, "Resume tokens").

The key comes from ``CHATKIT_SIGNING_KEY`` or from ``<data-dir>/signing.key`` (32 random bytes,
hex, mode 0600, created once even when several processes start together: `private.create_once`).
Rotating the key invalidates every outstanding secret.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import hmac
import json
import logging
import math
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from .private import create_once, private_dir, private_file

log = logging.getLogger("backend.tokens")

PREFIX = "cks_"
_DOMAIN = b"chatkit-widget client secret v1|"
RESUME_PREFIX = "ckr_"
_RESUME_DOMAIN = b"chatkit-widget resume token v1|"
MAX_TOKEN_CHARS = 512
KEY_FILE = "signing.key"


class TokenError(Exception):
    """The token is malformed, forged, or too old; the message is safe to show."""


@dataclasses.dataclass(frozen=True)
class Claims:
    session_id: str
    expires_at: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SecretSigner:
    """Issues and verifies one kind of token: ``prefix`` and ``domain`` tell the kinds apart
    (the domain is part of what the HMAC signs)."""

    def __init__(
        self,
        key: bytes,
        *,
        clock: Callable[[], float] = time.time,
        prefix: str = PREFIX,
        domain: bytes = _DOMAIN,
        noun: str = "client secret",
    ) -> None:
        if len(key) < 16:
            raise ValueError("signing key must be at least 16 bytes")
        self._key = key
        self._clock = clock
        self.prefix = prefix
        self._domain = domain
        self._noun = noun

    def _mac(self, body: str) -> bytes:
        return hmac.new(self._key, self._domain + body.encode("ascii"), hashlib.sha256).digest()

    def issue(self, session_id: str, ttl: float, not_after: float = math.inf) -> tuple[str, int]:
        """A fresh secret for ``session_id`` and its expiry (Unix seconds): ``ttl`` from now,
        but never after ``not_after``, the end of the session."""
        expires_at = int(min(self._clock() + ttl, not_after))
        payload = {"sid": session_id, "exp": expires_at, "n": _b64(secrets.token_bytes(12))}
        body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
        return f"{self.prefix}{body}.{_b64(self._mac(body))}", expires_at

    def verify(self, token: str, *, grace: float = 0.0) -> Claims:
        """The claims of a genuine token that expired no more than ``grace`` seconds ago."""
        # Length and ASCII first: the MAC below encodes the text as ASCII.
        if (
            len(token) > MAX_TOKEN_CHARS
            or not token.isascii()
            or not token.startswith(self.prefix)
            or token.count(".") != 1
        ):
            raise TokenError(f"malformed {self._noun}")
        body, _, sig = token[len(self.prefix) :].partition(".")
        try:
            given = _unb64(sig)
        except (binascii.Error, ValueError):
            raise TokenError(f"malformed {self._noun}") from None
        # Compare the canonical text too: base64's unused trailing bits would otherwise let
        # several spellings of one signature verify (a forged-looking secret that works).
        if not hmac.compare_digest(given, self._mac(body)) or _b64(given) != sig:
            raise TokenError(f"invalid {self._noun}")
        try:
            payload = json.loads(_unb64(body))
            claims = Claims(session_id=str(payload["sid"]), expires_at=int(payload["exp"]))
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise TokenError(f"malformed {self._noun}") from None
        if self._clock() > claims.expires_at + grace:
            raise TokenError(f"the {self._noun} has expired")
        return claims


def resume_signer(key: bytes, *, clock: Callable[[], float] = time.time) -> SecretSigner:
    """The signer of resume tokens: same key, own prefix and HMAC domain."""
    return SecretSigner(
        key, clock=clock, prefix=RESUME_PREFIX, domain=_RESUME_DOMAIN, noun="resume token"
    )


def load_signing_key(data_dir: Path, env_key: str | None) -> bytes:
    """The key from the environment, else the one kept in the data dir (created on first use)."""
    if env_key:
        if len(env_key) < 32:
            log.warning(
                "CHATKIT_SIGNING_KEY is shorter than 32 characters; use a long random value"
            )
        return env_key.encode("utf-8")
    path = private_dir(data_dir) / KEY_FILE
    if not path.exists() and create_once(path, (secrets.token_hex(32) + "\n").encode("ascii")):
        log.info("created a new signing key in %s", path)
    private_file(path)  # narrows a key file someone made readable by others
    text = path.read_text().strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise ValueError(f"{path} does not hold a hex key; delete it to make a new one") from None
    if len(key) < 16:
        raise ValueError(f"{path} holds a key shorter than 16 bytes; delete it to make a new one")
    return key
