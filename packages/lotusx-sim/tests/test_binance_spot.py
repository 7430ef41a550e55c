"""Every spot `/api/v3` route, called with raw documented requests."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

D = Decimal

LIMIT = {
    "symbol": "BTCUSDT",
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "quantity": "0.01000",
    "price": "60000.00",
}


def best(api: Any, side: str, market: str = "spot") -> D:
    book = api.venue.view.book("BTCUSDT", market, 1)
    price: D = (book.bids if side == "bid" else book.asks)[0][0]
    return price


async def test_general_and_market_data(api: Any) -> None:
    assert (await api.get("/api/v3/ping")).body == {}
    t = (await api.get("/api/v3/time")).body["serverTime"]
    assert abs(t - api.venue.now_ms()) < 1000
    info = (await api.get("/api/v3/exchangeInfo")).body
    assert info["rateLimits"] == [
        {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
        {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 50},
        {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 160000},
    ]
    btc = next(s for s in info["symbols"] if s["symbol"] == "BTCUSDT")
    filters = {f["filterType"]: f for f in btc["filters"]}
    assert filters["PRICE_FILTER"]["tickSize"] == "0.01000000"
    assert filters["LOT_SIZE"]["stepSize"] == "0.00001000"
    assert filters["NOTIONAL"]["minNotional"] == "5.00000000"
    one = (await api.get("/api/v3/exchangeInfo", {"symbol": "ETHUSDT"})).body
    assert [s["symbol"] for s in one["symbols"]] == ["ETHUSDT"]
    two = (
        await api.get("/api/v3/exchangeInfo", {"symbols": json.dumps(["BTCUSDT", "ETHUSDT"])})
    ).body
    assert len(two["symbols"]) == 2
    bad = await api.get("/api/v3/exchangeInfo", {"symbol": "NOPE"})
    assert (bad.status, bad.body) == (400, {"code": -1121, "msg": "Invalid symbol."})

    r = await api.get("/api/v3/depth", {"symbol": "BTCUSDT", "limit": 5})
    view = api.venue.view.book("BTCUSDT", "spot", 5)
    assert r.body["lastUpdateId"] == view.update_id
    assert [[D(p), D(q)] for p, q in r.body["bids"]] == [[p, q] for p, q in view.bids]
    assert r.body["asks"][0][0] == f"{view.asks[0][0]:.8f}"
    used = int(r.headers["X-MBX-USED-WEIGHT-1M"])
    r = await api.get("/api/v3/depth", {"symbol": "BTCUSDT", "limit": 5000})
    assert int(r.headers["X-MBX-USED-WEIGHT-1M"]) == used + 250
    assert len(r.body["bids"]) == len(api.venue.view.book("BTCUSDT").bids)
    r = await api.get("/api/v3/depth", {"symbol": "BTCUSDT"})
    assert len(r.body["bids"]) == 50  # default limit 100, book has 50 levels

    await api.post(
        "/api/v3/order",
        {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.01"},
        signed=True,
    )
    trades = (await api.get("/api/v3/trades", {"symbol": "BTCUSDT", "limit": 1})).body
    assert set(trades[0]) == {
        "id",
        "price",
        "qty",
        "quoteQty",
        "time",
        "isBuyerMaker",
        "isBestMatch",
    }
    assert trades[0]["isBuyerMaker"] is False
    kl = (await api.get("/api/v3/klines", {"symbol": "BTCUSDT", "interval": "1m"})).body
    assert len(kl[-1]) == 12 and D(kl[-1][5]) >= D("0.01") and kl[-1][8] >= 1
    bad = await api.get("/api/v3/klines", {"symbol": "BTCUSDT", "interval": "7m"})
    assert bad.body == {"code": -1120, "msg": "Invalid interval."}
    avg = (await api.get("/api/v3/avgPrice", {"symbol": "BTCUSDT"})).body
    assert avg["mins"] == 5 and D(avg["price"]) > 0
    t24 = (await api.get("/api/v3/ticker/24hr", {"symbol": "BTCUSDT"})).body
    assert t24["symbol"] == "BTCUSDT" and t24["count"] >= 1 and "bidPrice" in t24
    mini = (await api.get("/api/v3/ticker/24hr", {"type": "MINI"})).body
    assert len(mini) == 2 and "bidPrice" not in mini[0]
    bt = (await api.get("/api/v3/ticker/bookTicker", {"symbol": "BTCUSDT"})).body
    assert D(bt["askPrice"]) == best(api, "ask")
    assert len((await api.get("/api/v3/ticker/bookTicker")).body) == 2
    px = (await api.get("/api/v3/ticker/price", {"symbol": "BTCUSDT"})).body
    assert D(px["price"]) == D(trades[0]["price"])


async def test_order_lifecycle_and_queries(api: Any) -> None:
    v = api.venue
    r = await api.post("/api/v3/order", {**LIMIT, "newClientOrderId": "my-1"}, signed=True)
    assert r.status == 200 and r.headers["X-MBX-ORDER-COUNT-10S"] == "1"
    assert r.headers["X-MBX-ORDER-COUNT-1D"] == "1"
    assert r.body["status"] == "NEW" and r.body["fills"] == []
    oid = r.body["orderId"]
    assert v.view.balances()["USDT"].locked == D("600")
    got = (await api.get("/api/v3/order", {"symbol": "BTCUSDT", "orderId": oid}, signed=True)).body
    assert got["clientOrderId"] == "my-1" and got["cummulativeQuoteQty"] == "0.00000000"
    got = (
        await api.get(
            "/api/v3/order", {"symbol": "BTCUSDT", "origClientOrderId": "my-1"}, signed=True
        )
    ).body
    assert got["orderId"] == oid
    dup = await api.post("/api/v3/order", {**LIMIT, "newClientOrderId": "my-1"}, signed=True)
    assert (dup.status, dup.body) == (400, {"code": -2010, "msg": "Duplicate order sent."})
    opened = (await api.get("/api/v3/openOrders", {"symbol": "BTCUSDT"}, signed=True)).body
    assert [o["orderId"] for o in opened] == [oid]
    r = await api.get("/api/v3/openOrders", signed=True)
    assert len(r.body) == 1
    cancel = await api.delete(
        "/api/v3/order",
        {"symbol": "BTCUSDT", "orderId": oid, "newClientOrderId": "cx"},
        signed=True,
    )
    assert cancel.body["status"] == "CANCELED" and cancel.body["origClientOrderId"] == "my-1"
    assert cancel.body["clientOrderId"] == "cx"
    assert v.view.balances()["USDT"].locked == 0
    again = await api.delete("/api/v3/order", {"symbol": "BTCUSDT", "orderId": oid}, signed=True)
    assert (again.status, again.body) == (400, {"code": -2011, "msg": "Unknown order sent."})
    missing = await api.get("/api/v3/order", {"symbol": "BTCUSDT", "orderId": 1}, signed=True)
    assert missing.body == {"code": -2013, "msg": "Order does not exist."}
    none = await api.get("/api/v3/order", {"symbol": "BTCUSDT"}, signed=True)
    assert none.body["code"] == -1102
    all_orders = (await api.get("/api/v3/allOrders", {"symbol": "BTCUSDT"}, signed=True)).body
    assert [o["status"] for o in all_orders] == ["CANCELED"]


async def test_fills_full_response_and_account(api: Any) -> None:
    v = api.venue
    ask = best(api, "ask")
    r = await api.post(
        "/api/v3/order", {**LIMIT, "price": f"{ask + 50:.2f}", "quantity": "0.05"}, signed=True
    )
    body = r.body
    assert body["status"] in ("FILLED", "PARTIALLY_FILLED")
    assert sum(D(f["qty"]) for f in body["fills"]) == D(body["executedQty"])
    assert all(f["commissionAsset"] == "BTC" for f in body["fills"])
    assert D(body["fills"][0]["price"]) == ask
    mt = (await api.get("/api/v3/myTrades", {"symbol": "BTCUSDT"}, signed=True)).body
    assert sum(D(t["qty"]) for t in mt) == D(body["executedQty"])
    assert all(t["isBuyer"] and not t["isMaker"] for t in mt)
    acct = (await api.get("/api/v3/account", signed=True)).body
    bal = {b["asset"]: b for b in acct["balances"]}
    spent = D(body["cummulativeQuoteQty"])
    assert D(bal["USDT"]["free"]) + D(bal["USDT"]["locked"]) == D(100000) - spent
    assert D(bal["BTC"]["free"]) == D(2) + D(body["executedQty"]) - sum(
        D(f["commission"]) for f in body["fills"]
    )
    assert acct["makerCommission"] == 10 and acct["commissionRates"]["taker"] == "0.00100000"
    assert acct["uid"] == v.core.ledger.accounts["main"].uid
    com = (await api.get("/api/v3/account/commission", {"symbol": "BTCUSDT"}, signed=True)).body
    assert com["standardCommission"]["maker"] == "0.00100000"
    quote = await api.post(
        "/api/v3/order",
        {
            "symbol": "ETHUSDT",
            "side": "BUY",
            "type": "MARKET",
            "quoteOrderQty": "100",
            "newOrderRespType": "RESULT",
        },
        signed=True,
    )
    assert quote.body["status"] in ("FILLED", "EXPIRED") and "fills" not in quote.body
    assert D(quote.body["cummulativeQuoteQty"]) <= 100
    ack = await api.post("/api/v3/order", {**LIMIT, "newOrderRespType": "ACK"}, signed=True)
    assert set(ack.body) == {"symbol", "orderId", "orderListId", "clientOrderId", "transactTime"}
    test = await api.post("/api/v3/order/test", LIMIT, signed=True)
    assert test.body == {}
    assert len(v.view.open_orders()) == 1


async def test_order_rejections(api: Any) -> None:
    ask = best(api, "ask")
    cases: list[tuple[dict[str, Any], int, str]] = [
        (
            {**LIMIT, "type": "LIMIT_MAKER", "price": f"{ask:.2f}", "timeInForce": None},
            -2010,
            "Order would immediately match and take.",
        ),
        (
            {**LIMIT, "quantity": "100"},
            -2010,
            "Account has insufficient balance for requested action.",
        ),
        (
            {**LIMIT, "side": "SELL", "price": "70000", "quantity": "3"},
            -2010,
            "Account has insufficient balance for requested action.",
        ),
        ({**LIMIT, "price": "60000.005"}, -1013, "Filter failure: PRICE_FILTER"),
        ({**LIMIT, "quantity": "0.000015"}, -1013, "Filter failure: LOT_SIZE"),
        ({**LIMIT, "quantity": "0.00001"}, -1013, "Filter failure: NOTIONAL"),
        (
            {**LIMIT, "quantity": "0.000000001"},
            -1111,
            "Parameter 'quantity' has too much precision.",
        ),
        (
            {**LIMIT, "price": None},
            -1102,
            "Mandatory parameter 'price' was not sent, was empty/null, or malformed.",
        ),
        ({**LIMIT, "symbol": "FOOBAR"}, -1121, "Invalid symbol."),
        ({**LIMIT, "side": "UP"}, -1117, "Invalid side."),
        ({**LIMIT, "type": "STOP"}, -1116, "Invalid orderType."),
        ({**LIMIT, "timeInForce": "GTX"}, -1115, "Invalid timeInForce."),
        (
            {**LIMIT, "type": "MARKET", "timeInForce": None, "price": None, "quantity": None},
            -1102,
            "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!",
        ),
        (
            {**LIMIT, "price": "abc"},
            -1100,
            "Illegal characters found in parameter 'price'; "
            "legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.",
        ),
        (
            {**LIMIT, "foo": "bar"},
            -1104,
            "Not all sent parameters were read; read '8' parameter(s) but was sent '9'.",
        ),
    ]
    for params, code, msg in cases:
        clean = {k: v for k, v in params.items() if v is not None}
        r = await api.post("/api/v3/order", clean, signed=True)
        assert (r.status, r.body) == (400, {"code": code, "msg": msg}), params
    assert api.venue.view.open_orders() == []
    assert api.venue.view.balances()["USDT"].locked == 0


async def test_cancel_replace_and_amend(api: Any) -> None:
    v = api.venue
    first = (await api.post("/api/v3/order", {**LIMIT, "newClientOrderId": "a1"}, signed=True)).body
    r = await api.post(
        "/api/v3/order/cancelReplace",
        {
            **LIMIT,
            "price": "60001.00",
            "cancelReplaceMode": "STOP_ON_FAILURE",
            "cancelOrigClientOrderId": "a1",
            "newClientOrderId": "a2",
        },
        signed=True,
    )
    assert r.status == 200 and r.body["cancelResult"] == "SUCCESS"
    assert r.body["cancelResponse"]["orderId"] == first["orderId"]
    assert r.body["newOrderResponse"]["clientOrderId"] == "a2"
    r = await api.post(
        "/api/v3/order/cancelReplace",
        {**LIMIT, "cancelReplaceMode": "STOP_ON_FAILURE", "cancelOrderId": 12345},
        signed=True,
    )
    assert r.status == 400 and r.body["code"] == -2022
    assert r.body["msg"] == "Order cancel-replace failed."
    assert r.body["data"] == {
        "cancelResult": "FAILURE",
        "newOrderResult": "NOT_ATTEMPTED",
        "cancelResponse": {"code": -2011, "msg": "Unknown order sent."},
        "newOrderResponse": None,
    }
    ask = best(api, "ask")
    r = await api.post(
        "/api/v3/order/cancelReplace",
        {
            **LIMIT,
            "type": "LIMIT_MAKER",
            "timeInForce": None,
            "price": f"{ask:.2f}",
            "cancelReplaceMode": "ALLOW_FAILURE",
            "cancelOrigClientOrderId": "a2",
        },
        signed=True,
    )
    assert r.status == 409 and r.body["code"] == -2021
    assert r.body["data"]["cancelResult"] == "SUCCESS"
    assert r.body["data"]["newOrderResponse"] == {
        "code": -2010,
        "msg": "Order would immediately match and take.",
    }
    assert v.view.open_orders() == []

    a = (await api.post("/api/v3/order", {**LIMIT, "quantity": "0.02"}, signed=True)).body
    b = (await api.post("/api/v3/order", {**LIMIT, "quantity": "0.02"}, signed=True)).body
    r = await api.put(
        "/api/v3/order/amend/keepPriority",
        {
            "symbol": "BTCUSDT",
            "orderId": a["orderId"],
            "newQty": "0.01",
            "newClientOrderId": "amended",
        },
        signed=True,
    )
    assert r.status == 200 and r.body["amendedOrder"]["qty"] == "0.01000000"
    assert r.body["amendedOrder"]["clientOrderId"] == "amended"
    level = v.core.engines["spot"].books["BTCUSDT"].bids.levels[D("60000")]
    assert list(level.orders) == [a["orderId"], b["orderId"]]  # priority kept
    assert v.view.balances()["USDT"].locked == D("1800")
    bigger = await api.put(
        "/api/v3/order/amend/keepPriority",
        {"symbol": "BTCUSDT", "orderId": a["orderId"], "newQty": "0.05"},
        signed=True,
    )
    assert bigger.status == 400 and bigger.body["code"] == -2038
    gone = await api.delete("/api/v3/openOrders", {"symbol": "BTCUSDT"}, signed=True)
    assert {o["orderId"] for o in gone.body} == {a["orderId"], b["orderId"]}
    assert all(o["status"] == "CANCELED" for o in gone.body)
    empty = await api.delete("/api/v3/openOrders", {"symbol": "BTCUSDT"}, signed=True)
    assert empty.body["code"] == -2011


async def test_user_data_stream_keys(api: Any) -> None:
    r = await api.post("/api/v3/userDataStream", key=True)
    key = r.body["listenKey"]
    assert len(key) == 64
    assert (await api.post("/api/v3/userDataStream", key=True)).body["listenKey"] == key
    assert (await api.put("/api/v3/userDataStream", {"listenKey": key}, key=True)).body == {}
    assert (await api.delete("/api/v3/userDataStream", {"listenKey": key}, key=True)).body == {}
    r = await api.put("/api/v3/userDataStream", {"listenKey": key}, key=True)
    assert (r.status, r.body) == (400, {"code": -1125, "msg": "This listenKey does not exist."})
    r = await api.post("/api/v3/userDataStream")
    assert r.body["code"] == -2014
    lim = (await api.get("/api/v3/rateLimit/order", signed=True)).body
    assert lim[0]["rateLimitType"] == "ORDERS"
