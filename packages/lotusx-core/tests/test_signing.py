import base64
import json

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from lotusx.core.transport.signing import (
    ed25519_base64,
    es256_jwt,
    hmac_sha256_base64,
    hmac_sha256_hex,
    hmac_sha512_hex,
    urlencode,
)


def _pem(key: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def test_hmac_documented_binance_vector() -> None:
    secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
    payload = (
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
        "&recvWindow=5000&timestamp=1499827319559"
    )
    assert (
        hmac_sha256_hex(secret, payload)
        == "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
    )
    assert base64.b64decode(hmac_sha256_base64(secret, payload)).hex() == hmac_sha256_hex(
        secret, payload
    )
    assert len(hmac_sha512_hex("k", "m")) == 128


def test_urlencode_keeps_order_and_escapes() -> None:
    assert urlencode([("b", "1"), ("a", "x y/:@")]) == "b=1&a=x%20y%2F%3A%40"


def test_ed25519_signature_verifies() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    signature = base64.b64decode(ed25519_base64(_pem(key), "symbol=BTCUSDT&timestamp=1"))
    assert len(signature) == 64
    key.public_key().verify(signature, b"symbol=BTCUSDT&timestamp=1")
    with pytest.raises(ValueError, match="Ed25519"):
        ed25519_base64(_pem(ec.generate_private_key(ec.SECP256R1())), "x")


def test_es256_jwt_verifies() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    token = es256_jwt(_pem(key), {"kid": "organizations/o/apiKeys/k", "nonce": "ab"}, {"sub": "k"})
    head, body, sig = token.split(".")

    def unb64(part: str) -> bytes:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))

    assert json.loads(unb64(head)) == {
        "alg": "ES256",
        "typ": "JWT",
        "kid": "organizations/o/apiKeys/k",
        "nonce": "ab",
    }
    assert json.loads(unb64(body)) == {"sub": "k"}
    raw = unb64(sig)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key.public_key().verify(der, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
