"""Binance request security: documented HMAC vectors and the documented error replies."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any
from urllib.parse import parse_qsl

import pytest

from lotusx.sim.dialects.binance.auth import Credential, Security, authenticate, signed_payload
from lotusx.sim.dialects.binance.errors import BinanceError
from lotusx.sim.dialects.binance.params import Params

KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
DOC_QUERY = (
    "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
    "&recvWindow=5000&timestamp=1499827319559"
)
DOC_SIG = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
DOC_MIXED_SIG = "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77"
FUT_SECRET = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9"
FUT_KEY = "dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83"
DOC_TS = 1499827319559


def verify(
    query: str, body: str, now: int = DOC_TS + 10, key: str = KEY, secret: str = SECRET
) -> str | None:
    params = Params(parse_qsl(query), parse_qsl(body))
    return authenticate(
        Security.SIGNED, key, params, query, body, {key: Credential(secret, "main")}, now
    )


def test_documented_vectors_reproduce() -> None:
    def sign(secret: str, payload: str) -> str:
        return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()

    assert sign(SECRET, DOC_QUERY) == DOC_SIG
    q, b = DOC_QUERY.split("&quantity=")
    assert sign(SECRET, signed_payload(q, "quantity=" + b)) == DOC_MIXED_SIG
    fut = (
        "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC"
        "&recvWindow=5000&timestamp=1591702613943"
    )
    assert sign(FUT_SECRET, fut) == (
        "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9"
    )
    fut_q = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
    fut_b = "quantity=1&price=9000&recvWindow=5000&timestamp=1591702613943"
    assert sign(FUT_SECRET, signed_payload(fut_q, fut_b)) == (
        "30baaf0fab549bbeda7f5ef201898b34122da25fd23c646cac2c529aebe670a4"
    )


def test_verifier_accepts_documented_request_query_body_and_mixed() -> None:
    assert verify(f"{DOC_QUERY}&signature={DOC_SIG}", "") == "main"
    assert verify("", f"{DOC_QUERY}&signature={DOC_SIG}") == "main"
    assert verify(f"{DOC_QUERY}&signature={DOC_SIG.upper()}", "") == "main"
    q, b = DOC_QUERY.split("&quantity=")
    assert verify(q, f"quantity={b}&signature={DOC_MIXED_SIG}") == "main"
    fq = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
    fb = (
        "quantity=1&price=9000&recvWindow=5000&timestamp=1591702613943&signature="
        "30baaf0fab549bbeda7f5ef201898b34122da25fd23c646cac2c529aebe670a4"
    )
    assert verify(fq, fb, now=1591702613943, key=FUT_KEY, secret=FUT_SECRET) == "main"


@pytest.mark.parametrize(
    ("query", "now", "code", "msg"),
    [
        (
            f"{DOC_QUERY}&signature={DOC_SIG[:-1]}0",
            DOC_TS + 10,
            -1022,
            "Signature for this request is not valid.",
        ),
        (
            DOC_QUERY,
            DOC_TS + 10,
            -1102,
            "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.",
        ),
        (
            f"{DOC_QUERY}&signature={DOC_SIG}",
            DOC_TS + 5001,
            -1021,
            "Timestamp for this request is outside of the recvWindow.",
        ),
        (
            f"{DOC_QUERY}&signature={DOC_SIG}",
            DOC_TS - 1000,
            -1021,
            "Timestamp for this request was 1000ms ahead of the server's time.",
        ),
    ],
)
def test_verifier_rejections(query: str, now: int, code: int, msg: str) -> None:
    with pytest.raises(BinanceError) as exc:
        verify(query, "", now=now)
    assert (exc.value.code, exc.value.msg, exc.value.status) == (code, msg, 400)


def test_recv_window_bounds() -> None:
    assert verify(f"{DOC_QUERY}&signature={DOC_SIG}", "", now=DOC_TS + 5000) == "main"
    assert verify(f"{DOC_QUERY}&signature={DOC_SIG}", "", now=DOC_TS + 999 - 1000 + 2) == "main"


async def test_http_error_bodies(api: Any) -> None:
    order = {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.001",
        "price": "50000",
    }
    r = await api.get("/api/v3/account", {"timestamp": api.venue.now_ms(), "signature": "x"})
    assert (r.status, r.body) == (401, {"code": -2014, "msg": "API-key format invalid."})
    r = await api.get("/api/v3/account", signed=True, key="A" * 64)
    assert (r.status, r.body) == (
        401,
        {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."},
    )
    r = await api.call(
        "POST",
        "/api/v3/order",
        {**order, "timestamp": api.venue.now_ms(), "signature": "00" * 32},
        key=True,
    )
    assert (r.status, r.body) == (
        400,
        {"code": -1022, "msg": "Signature for this request is not valid."},
    )
    r = await api.post("/api/v3/order", order, signed=True, timestamp=api.venue.now_ms() - 6000)
    assert (r.status, r.body["code"]) == (400, -1021)
    assert r.body["msg"] == "Timestamp for this request is outside of the recvWindow."
    r = await api.post("/api/v3/order", order, signed=True, timestamp=api.venue.now_ms() + 3000)
    assert r.body == {
        "code": -1021,
        "msg": "Timestamp for this request was 1000ms ahead of the server's time.",
    }
    r = await api.post(
        "/api/v3/order",
        {**order, "recvWindow": 10000},
        signed=True,
        timestamp=api.venue.now_ms() - 6000,
    )
    assert r.status == 200 and r.body["status"] == "NEW"
    r = await api.post(
        "/api/v3/order", {**order, "newClientOrderId": "body1"}, signed=True, body=True
    )
    assert r.status == 200 and r.body["clientOrderId"] == "body1"
    assert r.headers["X-MBX-USED-WEIGHT-1M"]


async def test_futures_host_uses_same_scheme(api: Any) -> None:
    r = await api.get("/fapi/v2/balance", signed=True)
    assert r.status == 200
    r = await api.get(
        "/fapi/v2/balance", {"timestamp": api.venue.now_ms(), "signature": "ab" * 32}, key=True
    )
    assert (r.status, r.body["code"]) == (400, -1022)
