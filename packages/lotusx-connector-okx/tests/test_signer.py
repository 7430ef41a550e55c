"""Signing against HMACs computed by hand (openssl) over OKX's documented prehash form."""

from __future__ import annotations

import pytest

from lotusx.connectors.okx.signer import OkxSigner, iso_timestamp, login_args, prehash, sign
from lotusx.core.transport.signing import Credentials, SignableRequest

# The secret of OKX's REST authentication example.
SECRET = "22582BD0CFF14C41EDBF1AB98506286D"
TS_MS = 1607418537715  # 2020-12-08T09:08:57.715Z, the docs' example timestamp
# printf '%s' "$PREHASH" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64
GET_SIGNATURE = "HiZhvSfMtWJA3uUIVXV3a/bSXNPCWvYFXoGCVS8V4zY="
POST_BODY = (
    '{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"2.15","sz":"2"}'
)
POST_SIGNATURE = "iwrdSpN7pm4G4u8+fswZUyH6mOM48+sBF6WvKpj4Dvk="
LOGIN_SIGNATURE = (
    "+LdIr8lkkvhr5hoA3g9TMC0+uQJ849ftAcocA/ouu4M="  # "1538054050GET/users/self/verify"
)


def test_iso_timestamp_has_milliseconds_and_z() -> None:
    assert iso_timestamp(TS_MS) == "2020-12-08T09:08:57.715Z"
    assert iso_timestamp(0) == "1970-01-01T00:00:00.000Z"
    assert iso_timestamp(1_000_001) == "1970-01-01T00:16:40.001Z"


def test_prehash_is_timestamp_method_path_body() -> None:
    assert (
        prehash("2020-12-08T09:08:57.715Z", "get", "/api/v5/account/balance?ccy=BTC", None)
        == "2020-12-08T09:08:57.715ZGET/api/v5/account/balance?ccy=BTC"
    )


def test_documented_get_example() -> None:
    assert (
        sign(SECRET, iso_timestamp(TS_MS), "GET", "/api/v5/account/balance?ccy=BTC", None)
        == GET_SIGNATURE
    )


def test_signer_sets_the_four_headers_over_path_and_query() -> None:
    request = SignableRequest("GET", "/api/v5/account/balance", [("ccy", "BTC")], None, {})
    OkxSigner(Credentials("key", SECRET, "pass")).sign(request, TS_MS)
    assert request.headers == {
        "OK-ACCESS-KEY": "key",
        "OK-ACCESS-SIGN": GET_SIGNATURE,
        "OK-ACCESS-TIMESTAMP": "2020-12-08T09:08:57.715Z",
        "OK-ACCESS-PASSPHRASE": "pass",
    }
    assert request.params == [("ccy", "BTC")]  # nothing added to the query


def test_post_signs_the_raw_body() -> None:
    request = SignableRequest("POST", "/api/v5/trade/order", [], POST_BODY, {})
    OkxSigner(Credentials("key", SECRET, "pass")).sign(request, TS_MS)
    assert request.headers["OK-ACCESS-SIGN"] == POST_SIGNATURE


def test_websocket_login_signs_seconds_and_verify_path() -> None:
    args = login_args(Credentials("key", SECRET, "pass"), 1538054050_123)
    assert args == {
        "apiKey": "key",
        "passphrase": "pass",
        "timestamp": "1538054050",
        "sign": LOGIN_SIGNATURE,
    }


def test_passphrase_is_required_and_secrets_stay_out_of_repr() -> None:
    with pytest.raises(ValueError, match="passphrase"):
        OkxSigner(Credentials("key", SECRET))
    signer = OkxSigner(Credentials("key-12345", SECRET, "hunter2"))
    assert SECRET not in repr(signer) and "hunter2" not in repr(signer)
