"""The one signer interface, and the primitives exchange signers are built from.

A connector's ``signer.py`` implements `Signer` for its exchange's scheme. `RestClient` hands
it a mutable `SignableRequest` and the exchange-clock time; the signer adds whatever the exchange
asks for (query parameters, headers) in place.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import quote

__all__ = [
    "Credentials",
    "SignableRequest",
    "Signer",
    "ed25519_base64",
    "es256_jwt",
    "hmac_sha256_base64",
    "hmac_sha256_hex",
    "hmac_sha512_base64",
    "hmac_sha512_hex",
    "urlencode",
]


class Credentials:
    """API credentials. The secret and passphrase never appear in ``repr`` or ``str``."""

    __slots__ = ("api_key", "passphrase", "secret")

    def __init__(self, api_key: str, secret: str, passphrase: str | None = None) -> None:
        self.api_key = api_key
        self.secret = secret
        self.passphrase = passphrase

    def __repr__(self) -> str:
        shown = self.api_key[:4] + "…" if len(self.api_key) > 4 else "…"
        return f"Credentials(api_key={shown!r}, secret=<redacted>)"

    __str__ = __repr__


def urlencode(params: list[tuple[str, str]]) -> str:
    """``k=v&k=v`` in the given order, percent-encoding everything but unreserved characters."""
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in params)


class SignableRequest:
    """A request about to be sent: the signer may add params and headers."""

    __slots__ = ("body", "headers", "method", "params", "path")

    def __init__(
        self,
        method: str,
        path: str,
        params: list[tuple[str, str]],
        body: str | None,
        headers: dict[str, str],
    ) -> None:
        self.method = method
        self.path = path
        self.params = params
        self.body = body
        self.headers = headers

    @property
    def query_string(self) -> str:
        return urlencode(self.params)

    @property
    def path_with_query(self) -> str:
        query = self.query_string
        return f"{self.path}?{query}" if query else self.path


class Signer(Protocol):
    """An exchange's authentication scheme."""

    def sign(self, request: SignableRequest, now_ms: int) -> None:
        """Authenticate ``request`` in place, using ``now_ms`` (exchange clock) as its time."""


def hmac_sha256_hex(secret: str | bytes, payload: str | bytes) -> str:
    return _mac(secret, payload, hashlib.sha256).hexdigest()


def hmac_sha256_base64(secret: str | bytes, payload: str | bytes) -> str:
    return base64.b64encode(_mac(secret, payload, hashlib.sha256).digest()).decode()


def hmac_sha512_hex(secret: str | bytes, payload: str | bytes) -> str:
    return _mac(secret, payload, hashlib.sha512).hexdigest()


def hmac_sha512_base64(secret: str | bytes, payload: str | bytes) -> str:
    return base64.b64encode(_mac(secret, payload, hashlib.sha512).digest()).decode()


def _mac(secret: str | bytes, payload: str | bytes, digest: Callable[[], Any]) -> hmac.HMAC:
    key = secret.encode() if isinstance(secret, str) else secret
    data = payload.encode() if isinstance(payload, str) else payload
    return hmac.new(key, data, digest)


def ed25519_base64(private_key_pem: str | bytes, payload: str | bytes) -> str:
    """Ed25519 signature of ``payload`` (PKCS#8 PEM key), base64 (Binance Ed25519 keys)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = _load_private_key(private_key_pem)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    data = payload.encode() if isinstance(payload, str) else payload
    return base64.b64encode(key.sign(data)).decode()


def es256_jwt(private_key_pem: str | bytes, header: dict[str, Any], claims: dict[str, Any]) -> str:
    """A compact JWS signed with ES256 (ECDSA P-256, SHA-256; raw r||s), as Coinbase's CDP keys
    require. ``header`` gets ``alg``/``typ``; the caller supplies ``kid``, ``nonce`` and claims."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    key = _load_private_key(private_key_pem)
    if not isinstance(key, EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError("not a P-256 (secp256r1) private key")
    head = _b64url(json.dumps({"alg": "ES256", "typ": "JWT", **header}, separators=(",", ":")))
    body = _b64url(json.dumps(claims, separators=(",", ":")))
    signing_input = f"{head}.{body}".encode()
    r, s = decode_dss_signature(key.sign(signing_input, ECDSA(hashes.SHA256())))
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return f"{head}.{body}.{_b64url(signature)}"


def _b64url(data: str | bytes) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _load_private_key(pem: str | bytes) -> Any:
    # cryptography is imported only by the key types that need it (HMAC exchanges never do).
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(
        pem.encode() if isinstance(pem, str) else pem, password=None
    )
