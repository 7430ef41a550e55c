"""The CDP JWT: header, exact claims, and a signature the public key verifies."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from lotusx.connectors.coinbase.signer import CoinbaseSigner, load_key
from lotusx.core.errors import ConfigurationError
from lotusx.core.transport.signing import Credentials, SignableRequest

KEY_NAME = "organizations/org-1/apiKeys/key-1"


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _parts(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    head, body, sig = token.split(".")
    return json.loads(_b64(head)), json.loads(_b64(body)), _b64(sig), f"{head}.{body}".encode()


def _ec_pem(fmt: serialization.PrivateFormat) -> tuple[str, ec.EllipticCurvePublicKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption())
    return pem.decode(), key.public_key()


@pytest.mark.parametrize(
    "fmt", [serialization.PrivateFormat.TraditionalOpenSSL, serialization.PrivateFormat.PKCS8]
)
def test_es256_request_jwt(fmt: serialization.PrivateFormat) -> None:
    pem, public = _ec_pem(fmt)
    signer = CoinbaseSigner(Credentials(KEY_NAME, pem), "https://api.coinbase.com")
    request = SignableRequest("GET", "/api/v3/brokerage/accounts", [("limit", "250")], None, {})
    signer.sign(request, 1_700_000_000_999)
    scheme, token = request.headers["Authorization"].split(" ")
    assert scheme == "Bearer"
    header, claims, sig, signed = _parts(token)
    assert header["alg"] == "ES256" and header["typ"] == "JWT" and header["kid"] == KEY_NAME
    assert len(header["nonce"]) == 32 and int(header["nonce"], 16) >= 0
    assert claims == {
        "sub": KEY_NAME,
        "iss": "cdp",
        "nbf": 1_699_999_999,  # back-dated one second (server clock slightly behind)
        "exp": 1_700_000_119,
        "uri": "GET api.coinbase.com/api/v3/brokerage/accounts",
    }
    assert len(sig) == 64
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    public.verify(der, signed, ec.ECDSA(hashes.SHA256()))


def test_uri_uses_the_configured_host_and_no_query() -> None:
    pem, _ = _ec_pem(serialization.PrivateFormat.PKCS8)
    signer = CoinbaseSigner(Credentials(KEY_NAME, pem), "http://127.0.0.1:8080")
    request = SignableRequest("POST", "/api/v3/brokerage/orders", [], "{}", {})
    signer.sign(request, 0)
    _, claims, _, _ = _parts(request.headers["Authorization"][7:])
    assert claims["uri"] == "POST 127.0.0.1:8080/api/v3/brokerage/orders"


def test_nonce_differs_per_token() -> None:
    pem, _ = _ec_pem(serialization.PrivateFormat.PKCS8)
    signer = CoinbaseSigner(Credentials(KEY_NAME, pem), "https://api.coinbase.com")
    nonces = {_parts(signer.jwt(1))[0]["nonce"] for _ in range(5)}
    assert len(nonces) == 5


def test_websocket_jwt_has_no_uri() -> None:
    pem, _ = _ec_pem(serialization.PrivateFormat.PKCS8)
    signer = CoinbaseSigner(Credentials(KEY_NAME, pem), "https://api.coinbase.com")
    _, claims, _, _ = _parts(signer.jwt(100))
    assert claims == {"sub": KEY_NAME, "iss": "cdp", "nbf": 99, "exp": 219}


def test_pem_with_literal_newline_escapes() -> None:
    pem, _ = _ec_pem(serialization.PrivateFormat.TraditionalOpenSSL)
    assert isinstance(load_key(pem.replace("\n", "\\n")), ec.EllipticCurvePrivateKey)


@pytest.mark.parametrize("form", ["pem", "base64_64", "base64_32"])
def test_ed25519_keys_sign_eddsa(form: str) -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    seed = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    public = key.public_key()
    raw_public = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    if form == "pem":
        secret = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
    elif form == "base64_64":
        secret = base64.b64encode(seed + raw_public).decode()
    else:
        secret = base64.b64encode(seed).decode()
    signer = CoinbaseSigner(Credentials(KEY_NAME, secret), "https://api.coinbase.com")
    header, claims, sig, signed = _parts(signer.jwt(5, "GET api.coinbase.com/x"))
    assert header["alg"] == "EdDSA"
    assert claims["uri"] == "GET api.coinbase.com/x"
    public.verify(sig, signed)


@pytest.mark.parametrize(
    "secret", ["not a key", "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----"]
)
def test_unusable_secret_is_a_configuration_error(secret: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        load_key(secret)
    assert secret not in str(info.value)


def test_a_64_byte_ed25519_secret_must_end_with_its_public_key() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    seed = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    other = ed25519.Ed25519PrivateKey.generate().public_key()
    wrong = other.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    with pytest.raises(ConfigurationError, match="public key"):
        load_key(base64.b64encode(seed + wrong).decode())


def test_other_curves_refused() -> None:
    key = ec.generate_private_key(ec.SECP384R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    with pytest.raises(ConfigurationError, match="P-256"):
        load_key(pem)


def test_repr_hides_the_key() -> None:
    pem, _ = _ec_pem(serialization.PrivateFormat.PKCS8)
    signer = CoinbaseSigner(Credentials(KEY_NAME, pem), "https://api.coinbase.com")
    assert "PRIVATE" not in repr(signer) and "redacted" in repr(signer)
