"""CDP API-key authentication: `Authorization: Bearer <JWT>` signed ES256 (or EdDSA).

Checked as "Creating a JWT" (docs.cdp.coinbase.com, Advanced Trade authentication) describes:
header `alg` ES256|EdDSA, `kid` = key name, `nonce`; claims `sub` = key name, `iss` = "cdp",
`nbf`, `exp` (lifetime at most 120 s) and, for REST, `uri` = "METHOD host/path". WebSocket JWTs
carry no `uri`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from lotusx.sim.dialects.coinbase.errors import CoinbaseError, unauthenticated

MAX_LIFETIME_S = 120
PublicKey = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey


@dataclass(frozen=True, slots=True)
class Credential:
    """A CDP key: its name, the verifying public key and the portfolio it may act on."""

    name: str
    public: PublicKey
    account: str


def new_key_name(org: uuid.UUID | None = None, key: uuid.UUID | None = None) -> str:
    return f"organizations/{org or uuid.uuid4()}/apiKeys/{key or uuid.uuid4()}"


def pem_of(private: ec.EllipticCurvePrivateKey) -> str:
    """SEC1 PEM (`-----BEGIN EC PRIVATE KEY-----`), the form CDP hands out."""
    return private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


def derived_ec_key(seed: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 key derived from `seed` (stable sub-portfolio keys across runs)."""
    n = int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big")
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    return ec.derive_private_key(n % (order - 1) + 1, ec.SECP256R1())


def public_key(secret: str) -> PublicKey:
    """The public half of a CDP secret: PEM EC key, or base64 Ed25519 (seed + public)."""
    text = secret.replace("\\n", "\n").strip()
    if text.startswith("-----BEGIN"):
        private = serialization.load_pem_private_key(text.encode(), password=None)
        if isinstance(private, ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey):
            return private.public_key()
        raise ValueError("unsupported key type")
    raw = base64.b64decode(text)
    if len(raw) not in (32, 64):
        raise ValueError("unsupported key type")
    return ed25519.Ed25519PrivateKey.from_private_bytes(raw[:32]).public_key()


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _verify(cred: Credential, alg: str, signing_input: bytes, sig: bytes) -> bool:
    try:
        if alg == "ES256" and isinstance(cred.public, ec.EllipticCurvePublicKey):
            if len(sig) != 64:
                return False
            der = encode_dss_signature(
                int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")
            )
            cred.public.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
            return True
        if alg == "EdDSA" and isinstance(cred.public, ed25519.Ed25519PublicKey):
            cred.public.verify(sig, signing_input)
            return True
    except InvalidSignature:
        return False
    return False


def verify_jwt(
    token: str, keys: Mapping[str, Credential], now_s: float, uri: str | None
) -> Credential:
    """Check a JWT; `uri` is "METHOD host/path" for REST, None for the WebSocket."""
    parts = token.split(".")
    if len(parts) != 3:
        raise unauthenticated()
    try:
        header: Any = json.loads(_b64(parts[0]))
        claims: Any = json.loads(_b64(parts[1]))
        sig = _b64(parts[2])
    except (ValueError, binascii.Error):
        raise unauthenticated() from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise unauthenticated()
    cred = keys.get(str(header.get("kid", "")))
    if cred is None or not header.get("nonce"):
        raise unauthenticated()
    signing_input = f"{parts[0]}.{parts[1]}".encode()
    if not _verify(cred, str(header.get("alg", "")), signing_input, sig):
        raise unauthenticated()
    _check_claims(claims, cred, now_s, uri)
    return cred


def _check_claims(claims: dict[str, Any], cred: Credential, now_s: float, uri: str | None) -> None:
    nbf, exp = claims.get("nbf"), claims.get("exp")
    if claims.get("sub") != cred.name or claims.get("iss") != "cdp":
        raise unauthenticated()
    if not isinstance(nbf, int | float) or not isinstance(exp, int | float):
        raise unauthenticated()
    if isinstance(nbf, bool) or isinstance(exp, bool):
        raise unauthenticated()
    if nbf > now_s or exp <= now_s or exp - nbf > MAX_LIFETIME_S:
        raise unauthenticated()
    if uri is None:
        return
    sent = claims.get("uri")
    listed = claims.get("uris")
    if sent == uri or (isinstance(listed, list) and listed == [uri]):
        return
    raise unauthenticated()


def bearer(headers: Mapping[str, str]) -> str:
    raw = headers.get("Authorization", "")
    scheme, _, token = raw.partition(" ")
    if scheme != "Bearer" or not token.strip():
        raise unauthenticated()
    return token.strip()


def authenticate(
    headers: Mapping[str, str], method: str, path: str, keys: Mapping[str, Credential], now_s: float
) -> Credential:
    """A REST request's key; the `uri` claim must name this method, Host header and path."""
    host = headers.get("Host", "")
    if not host:
        raise CoinbaseError("UNAUTHENTICATED", "Unauthorized")
    return verify_jwt(bearer(headers), keys, now_s, f"{method} {host}{path}")
