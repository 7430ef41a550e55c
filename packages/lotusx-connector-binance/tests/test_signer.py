"""Binance HMAC signing against the documented vectors (docs/exchanges/binance-wire.md §1.3)."""

from __future__ import annotations

import pytest

from lotusx.connectors.binance.signer import BinanceSigner, signature_payload
from lotusx.core.transport.signing import Credentials, SignableRequest, hmac_sha256_hex

SPOT_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SPOT_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
FUT_KEY = "dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83"
FUT_SECRET = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9"


def _request(params: list[tuple[str, str]]) -> SignableRequest:
    return SignableRequest("POST", "/api/v3/order", params, None, {})


def test_spot_vector() -> None:
    request = _request(
        [
            ("symbol", "LTCBTC"),
            ("side", "BUY"),
            ("type", "LIMIT"),
            ("timeInForce", "GTC"),
            ("quantity", "1"),
            ("price", "0.1"),
        ]
    )
    BinanceSigner(Credentials(SPOT_KEY, SPOT_SECRET), recv_window=5000).sign(request, 1499827319559)
    assert request.params[-3:-1] == [("recvWindow", "5000"), ("timestamp", "1499827319559")]
    assert request.params[-1] == (
        "signature",
        "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71",
    )
    assert request.headers == {"X-MBX-APIKEY": SPOT_KEY}
    assert request.path_with_query.endswith(
        "timestamp=1499827319559&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
    )


def test_futures_vector() -> None:
    request = _request(
        [
            ("symbol", "BTCUSDT"),
            ("side", "BUY"),
            ("type", "LIMIT"),
            ("quantity", "1"),
            ("price", "9000"),
            ("timeInForce", "GTC"),
        ]
    )
    BinanceSigner(Credentials(FUT_KEY, FUT_SECRET)).sign(request, 1591702613943)
    assert request.params[-1][1] == (
        "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9"
    )


@pytest.mark.parametrize(
    ("secret", "query", "body", "expected"),
    [
        (
            SPOT_SECRET,
            "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC",
            "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
            "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77",
        ),
        (
            FUT_SECRET,
            "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC",
            "quantity=1&price=9000&recvWindow=5000&timestamp=1591702613943",
            "30baaf0fab549bbeda7f5ef201898b34122da25fd23c646cac2c529aebe670a4",
        ),
    ],
)
def test_query_and_body_are_concatenated_without_separator(
    secret: str, query: str, body: str, expected: str
) -> None:
    assert hmac_sha256_hex(secret, signature_payload(query, body)) == expected


def test_body_is_signed_when_present() -> None:
    request = SignableRequest("POST", "/x", [("a", "1")], "b=2", {})
    BinanceSigner(Credentials("k", "s"), recv_window=1000).sign(request, 7)
    payload = "a=1&recvWindow=1000&timestamp=7b=2"
    assert request.params[-1] == ("signature", hmac_sha256_hex("s", payload))


def test_recv_window_bounds_and_secret_never_shown() -> None:
    with pytest.raises(ValueError):
        BinanceSigner(Credentials("k", "s"), recv_window=60_001)
    signer = BinanceSigner(Credentials("abcdefgh", "topsecret"))
    assert "topsecret" not in repr(signer)
