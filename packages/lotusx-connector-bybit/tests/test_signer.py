"""Bybit v5 signing against the documented plaintext example (guide.mdx), computed by hand."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from lotusx.connectors.bybit.signer import BybitSigner, signature_payload, ws_auth_args
from lotusx.core.transport.signing import Credentials, SignableRequest

# docs/v5/guide.mdx: timestamp, key and window, then the query string of the GET request.
DOC_PLAINTEXT = "1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C"
SECRET = "test-secret-do-not-use"


def _by_hand(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def test_payload_of_the_documented_get_example() -> None:
    query = "category=option&symbol=BTC-29JUL22-25000-C"
    assert signature_payload(1658384314791, "XXXXXXXXXX", 5000, "GET", query, None) == (
        DOC_PLAINTEXT
    )


def test_get_request_is_signed_over_the_query_string() -> None:
    signer = BybitSigner(Credentials("XXXXXXXXXX", SECRET), recv_window=5000)
    request = SignableRequest(
        "GET",
        "/v5/market/instruments-info",
        [("category", "option"), ("symbol", "BTC-29JUL22-25000-C")],
        None,
        {},
    )
    signer.sign(request, 1658384314791)
    assert request.headers == {
        "X-BAPI-API-KEY": "XXXXXXXXXX",
        "X-BAPI-TIMESTAMP": "1658384314791",
        "X-BAPI-RECV-WINDOW": "5000",
        "X-BAPI-SIGN": _by_hand(SECRET, DOC_PLAINTEXT),
    }
    assert request.query_string == "category=option&symbol=BTC-29JUL22-25000-C"  # untouched


def test_post_request_is_signed_over_the_raw_body() -> None:
    body = '{"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Market","qty":"1"}'
    signer = BybitSigner(Credentials("key123", SECRET), recv_window=20000)
    request = SignableRequest("POST", "/v5/order/create", [], body, {})
    signer.sign(request, 1672211928338)
    expected = _by_hand(SECRET, "1672211928338key12320000" + body)
    assert request.headers["X-BAPI-SIGN"] == expected
    assert request.headers["X-BAPI-RECV-WINDOW"] == "20000"
    assert request.body == body and request.params == []


def test_ws_auth_signs_get_realtime_and_expiry() -> None:
    args = ws_auth_args(Credentials("key123", SECRET), 1662350400000)
    assert args == ["key123", 1662350400000, _by_hand(SECRET, "GET/realtime1662350400000")]


def test_secret_never_in_repr_and_window_bounds() -> None:
    signer = BybitSigner(Credentials("key123456", SECRET))
    assert SECRET not in repr(signer)
    for bad in (0, 60_001):
        with pytest.raises(ValueError):
            BybitSigner(Credentials("k", "s"), recv_window=bad)
