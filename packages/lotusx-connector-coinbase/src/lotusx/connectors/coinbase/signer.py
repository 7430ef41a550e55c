"""Coinbase CDP API-key authentication: a fresh JWT per request, ``Authorization: Bearer``.

Header ``{"alg","typ":"JWT","kid":<key name>,"nonce":<random hex>}``; claims ``sub`` = key name,
``iss`` = ``"cdp"``, ``nbf`` = now − 1 s (exchange clock, seconds), ``exp`` = ``nbf`` + 120 and, for
REST, ``uri`` = ``"<METHOD> <host><path>"`` (the host of the configured base URL, the path
without its query). The WebSocket JWT has no ``uri``.

The secret is the key's private key: an EC P-256 key in PEM (SEC1 ``EC PRIVATE KEY`` or PKCS#8)
signs with ES256 (raw ``r||s``); an Ed25519 key, PEM or the base64 of its 64 bytes (seed then
public key, as the CDP portal hands it out), signs with EdDSA. Literal ``\\n`` escapes (a key
pasted from the downloaded JSON) are accepted. The key is parsed once, never logged.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from lotusx.core.errors import ConfigurationError
from lotusx.core.transport.signing import Credentials, SignableRequest

__all__ = [
    "AUTH_HEADER",
    "ISSUER",
    "LIFETIME_S",
    "CoinbaseSigner",
    "load_key",
]

AUTH_HEADER = "Authorization"
ISSUER = "cdp"
LIFETIME_S = 120
# ``nbf`` is set this many seconds in the past: a server clock a little behind ours (the skew
# `sync_time` cannot measure below a second) must not find the token "not yet valid". The docs
# name no leeway; the token's life stays LIFETIME_S.
NBF_BACKDATE_S = 1

SigningKey = EllipticCurvePrivateKey | Ed25519PrivateKey


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def load_key(secret: str) -> SigningKey:
    """The private key in ``secret``; `ConfigurationError` (never echoing it) when unusable."""
    text = secret.strip().replace("\\n", "\n")
    key: Any
    if "-----BEGIN" in text:
        try:
            key = serialization.load_pem_private_key(text.encode(), password=None)
        except (ValueError, TypeError) as exc:
            raise ConfigurationError(
                "coinbase: the secret is not a readable PEM private key"
            ) from exc
    else:
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ConfigurationError(
                "coinbase: the secret is neither a PEM key nor a base64 Ed25519 key"
            ) from exc
        if len(raw) not in (32, 64):
            raise ConfigurationError("coinbase: a base64 Ed25519 secret holds 32 or 64 bytes")
        key = Ed25519PrivateKey.from_private_bytes(raw[:32])
        public = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        if len(raw) == 64 and raw[32:] != public:
            # the 64-byte form is the seed then its public key: a mismatch is a damaged secret
            raise ConfigurationError(
                "coinbase: the 64-byte Ed25519 secret's last 32 bytes are not its public key"
            )
    if isinstance(key, EllipticCurvePrivateKey):
        if key.curve.name != "secp256r1":
            raise ConfigurationError("coinbase: EC keys must be on P-256 (secp256r1)")
        return key
    if isinstance(key, Ed25519PrivateKey):
        return key
    raise ConfigurationError("coinbase: the secret must be an EC P-256 or an Ed25519 private key")


class CoinbaseSigner:
    """Signs each REST request with a JWT naming its method, host and path."""

    __slots__ = ("_alg", "_key", "_key_name", "host")

    def __init__(self, credentials: Credentials, rest_url: str) -> None:
        self._key_name = credentials.api_key
        self._key = load_key(credentials.secret)
        self._alg = "EdDSA" if isinstance(self._key, Ed25519PrivateKey) else "ES256"
        host = urlsplit(rest_url).netloc
        if not host:
            raise ConfigurationError(f"coinbase: no host in the REST URL {rest_url!r}")
        self.host = host

    def __repr__(self) -> str:
        return f"CoinbaseSigner(alg={self._alg}, host={self.host!r}, key=<redacted>)"

    def uri(self, method: str, path: str) -> str:
        return f"{method} {self.host}{path}"

    def jwt(self, now_s: int, uri: str | None = None) -> str:
        """A JWT valid from ``now_s`` for 120 s; with ``uri`` for REST, without for WebSocket."""
        header = {"alg": self._alg, "typ": "JWT", "kid": self._key_name}
        header["nonce"] = secrets.token_hex(16)
        claims: dict[str, Any] = {
            "sub": self._key_name,
            "iss": ISSUER,
            "nbf": now_s - NBF_BACKDATE_S,
            "exp": now_s - NBF_BACKDATE_S + LIFETIME_S,
        }
        if uri is not None:
            claims["uri"] = uri
        head = _b64url(json.dumps(header, separators=(",", ":")).encode())
        body = _b64url(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = f"{head}.{body}".encode()
        key = self._key
        if isinstance(key, Ed25519PrivateKey):
            signature = key.sign(signing_input)
        else:
            r, s = decode_dss_signature(key.sign(signing_input, ECDSA(hashes.SHA256())))
            signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return f"{head}.{body}.{_b64url(signature)}"

    def sign(self, request: SignableRequest, now_ms: int) -> None:
        token = self.jwt(now_ms // 1000, self.uri(request.method, request.path))
        request.headers[AUTH_HEADER] = f"Bearer {token}"
