"""Coinbase CDP JWT authentication over raw HTTP, plus a property test of the `uri` claim."""

from __future__ import annotations

import time
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from lotusx.sim import Venue
from lotusx.sim.dialects.coinbase import CoinbaseDialect
from lotusx.sim.dialects.coinbase.auth import pem_of, verify_jwt
from lotusx.sim.dialects.coinbase.errors import CoinbaseError

from .conftest import RawCoinbase, cdp_jwt

UNAUTHORIZED = {"error": "UNAUTHENTICATED", "code": 16, "message": "Unauthorized", "details": []}


def test_minted_credentials_are_a_cdp_key_name_and_a_sec1_pem() -> None:
    name, pem = CoinbaseDialect().new_credentials()
    parts = name.split("/")
    assert parts[0] == "organizations" and parts[2] == "apiKeys" and len(parts) == 4
    assert pem.startswith("-----BEGIN EC PRIVATE KEY-----")


async def test_a_secret_that_is_no_cdp_key_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="CDP key"):
        await Venue.create("coinbase", api_key="k", secret="0123abcd" * 8, tick_interval=3600)


async def test_ed25519_keys_sign_with_eddsa(coinbase_for: Any) -> None:
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    private = ed25519.Ed25519PrivateKey.generate()
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    secret = base64.b64encode(raw + public).decode()
    name = "organizations/o/apiKeys/ed"
    async with Venue.start("coinbase", api_key=name, secret=secret, tick_interval=3600) as v:
        c = coinbase_for(v)
        uri = f"GET {c.host}/api/v3/brokerage/accounts"
        token = cdp_jwt_eddsa(name, private, uri)
        assert (await c.get("/accounts", token=token)).status == 200
        other = cdp_jwt_eddsa(name, ed25519.Ed25519PrivateKey.generate(), uri)
        assert (await c.get("/accounts", token=other)).status == 401


def cdp_jwt_eddsa(name: str, private: Any, uri: str) -> str:
    import base64
    import json
    import secrets

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    t = int(time.time())
    header = {"alg": "EdDSA", "kid": name, "nonce": secrets.token_hex(16), "typ": "JWT"}
    claims = {"sub": name, "iss": "cdp", "nbf": t, "exp": t + 120, "uri": uri}
    signing = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
    return signing + "." + b64(private.sign(signing.encode()))


async def test_signed_request_is_accepted(coinbase: RawCoinbase) -> None:
    r = await coinbase.get("/accounts")
    assert r.status == 200
    assert sorted(a["currency"] for a in r.body["accounts"]) == ["BTC", "ETH", "USD"]


async def test_public_time_needs_no_jwt(coinbase: RawCoinbase) -> None:
    r = await coinbase.get("/time", private=False)
    assert r.status == 200
    assert abs(int(r.body["epochMillis"]) - int(time.time() * 1000)) < 5000
    assert int(r.body["epochSeconds"]) == int(r.body["epochMillis"]) // 1000


def _token(c: RawCoinbase, case: str) -> str | None:
    path = "/api/v3/brokerage/accounts"
    uri = f"GET {c.host}{path}"
    other = pem_of(ec.generate_private_key(ec.SECP256R1()))
    tokens: dict[str, Any] = {
        "missing": None,
        "bad_signature": cdp_jwt(c.key, other, uri),
        "expired": cdp_jwt(c.key, c.secret, uri, now=time.time() - 300),
        "not_yet_valid": cdp_jwt(c.key, c.secret, uri, nbf_offset=30),
        "too_long": cdp_jwt(c.key, c.secret, uri, lifetime=300),
        "wrong_path": cdp_jwt(c.key, c.secret, f"GET {c.host}/api/v3/brokerage/portfolios"),
        "wrong_method": cdp_jwt(c.key, c.secret, f"POST {c.host}{path}"),
        "wrong_host": cdp_jwt(c.key, c.secret, f"GET api.coinbase.com{path}"),
        "query_in_uri": cdp_jwt(c.key, c.secret, uri + "?limit=1"),
        "no_uri": cdp_jwt(c.key, c.secret, None),
        "wrong_iss": cdp_jwt(c.key, c.secret, uri, claims={"iss": "coinbase-cloud"}),
        "wrong_sub": cdp_jwt(c.key, c.secret, uri, claims={"sub": "someone"}),
        "garbage": "not.a.jwt",
    }
    return tokens[case]


@pytest.mark.parametrize(
    "case",
    [
        "missing",
        "bad_signature",
        "expired",
        "not_yet_valid",
        "too_long",
        "wrong_path",
        "wrong_method",
        "wrong_host",
        "query_in_uri",
        "no_uri",
        "wrong_iss",
        "wrong_sub",
        "garbage",
    ],
)
async def test_bad_jwt_is_401_with_the_error_body(coinbase: RawCoinbase, case: str) -> None:
    token = _token(coinbase, case)
    if token is None:
        r = await coinbase.get("/accounts", private=False)
    else:
        r = await coinbase.get("/accounts", token=token)
    assert r.status == 401
    assert r.body == UNAUTHORIZED


async def test_query_string_is_not_part_of_the_uri_claim(coinbase: RawCoinbase) -> None:
    r = await coinbase.get("/accounts", {"limit": 1})
    assert r.status == 200 and len(r.body["accounts"]) == 1


async def test_venue_clock_skew_expires_a_fresh_token(
    coinbase_venue: Venue, coinbase: RawCoinbase
) -> None:
    coinbase_venue.faults.skew_clock(200_000)
    r = await coinbase.get("/accounts")
    assert r.status == 401
    coinbase_venue.faults.skew_clock(0)
    assert (await coinbase.get("/accounts")).status == 200


KEY = CoinbaseDialect().new_credentials()
KEYS = CoinbaseDialect.credentials(*KEY)
segment = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_/0123456789", min_size=1, max_size=20)


@settings(max_examples=40, deadline=None)
@given(
    signed=st.tuples(st.sampled_from(["GET", "POST", "DELETE"]), segment),
    sent=st.tuples(st.sampled_from(["GET", "POST", "DELETE"]), segment),
)
def test_uri_claim_must_match_method_host_and_path(
    signed: tuple[str, str], sent: tuple[str, str]
) -> None:
    host = "127.0.0.1:8080"
    token = cdp_jwt(KEY[0], KEY[1], f"{signed[0]} {host}/{signed[1]}")
    expected = f"{sent[0]} {host}/{sent[1]}"
    if signed == sent:
        assert verify_jwt(token, KEYS, time.time(), expected).name == KEY[0]
    else:
        with pytest.raises(CoinbaseError) as info:
            verify_jwt(token, KEYS, time.time(), expected)
        assert info.value.status == 401
