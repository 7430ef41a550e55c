"""Every USDⓈ-M `/fapi` route, called with raw documented requests."""

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
    "quantity": "0.010",
    "price": "60000.0",
}


def top(api: Any, side: str) -> D:
    book = api.venue.view.book("BTCUSDT", "futures", 1)
    price: D = (book.bids if side == "bid" else book.asks)[0][0]
    return price


async def test_public_routes(api: Any) -> None:
    v = api.venue
    assert (await api.get("/fapi/v1/ping")).body == {}
    assert abs((await api.get("/fapi/v1/time")).body["serverTime"] - v.now_ms()) < 1000
    info = (await api.get("/fapi/v1/exchangeInfo")).body
    assert {
        (r["rateLimitType"], r["intervalNum"], r["interval"], r["limit"])
        for r in info["rateLimits"]
    } == {
        ("REQUEST_WEIGHT", 1, "MINUTE", 2400),
        ("ORDERS", 10, "SECOND", 300),
        ("ORDERS", 1, "MINUTE", 1200),
    }
    btc = next(s for s in info["symbols"] if s["symbol"] == "BTCUSDT")
    filters = {f["filterType"]: f for f in btc["filters"]}
    assert filters["PRICE_FILTER"]["tickSize"] == "0.1"
    assert filters["LOT_SIZE"]["stepSize"] == "0.001"
    assert filters["MIN_NOTIONAL"]["notional"] == "100"
    assert btc["contractType"] == "PERPETUAL" and "GTX" in btc["timeInForce"]
    used = int((await api.get("/fapi/v1/ping")).headers["X-MBX-USED-WEIGHT-1M"])
    d = await api.get("/fapi/v1/depth", {"symbol": "BTCUSDT", "limit": 10})
    assert d.body["lastUpdateId"] == v.view.book("BTCUSDT", "futures").update_id
    assert len(d.body["bids"]) == 10 and {"E", "T"} <= set(d.body)
    assert int(d.headers["X-MBX-USED-WEIGHT-1M"]) == used + 2
    d = await api.get("/fapi/v1/depth", {"symbol": "BTCUSDT", "limit": 1000})
    assert int(d.headers["X-MBX-USED-WEIGHT-1M"]) == used + 22
    bad = await api.get("/fapi/v1/depth", {"symbol": "BTCUSDT", "limit": 7})
    assert bad.body == {"code": -4021, "msg": "'7' is not valid depth limit."}
    prem = (await api.get("/fapi/v1/premiumIndex", {"symbol": "BTCUSDT"})).body
    assert D(prem["markPrice"]) == v.view.mark_price("BTCUSDT")
    assert prem["nextFundingTime"] % (8 * 3600 * 1000) == 0
    assert len((await api.get("/fapi/v1/premiumIndex")).body) == 2
    v.core.settle_funding(v.now_ms())
    fr = (await api.get("/fapi/v1/fundingRate", {"symbol": "BTCUSDT"})).body
    assert len(fr) == 1 and fr[0]["fundingRate"] == prem["lastFundingRate"]
    await api.post(
        "/fapi/v1/order",
        {"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.005"},
        signed=True,
    )
    trades = (await api.get("/fapi/v1/trades", {"symbol": "BTCUSDT"})).body
    assert trades[-1]["isBuyerMaker"] is True and "isBestMatch" not in trades[-1]
    kl = (
        await api.get("/fapi/v1/klines", {"symbol": "BTCUSDT", "interval": "1m", "limit": 5})
    ).body
    assert kl and len(kl[-1]) == 12
    onesec = await api.get("/fapi/v1/klines", {"symbol": "BTCUSDT", "interval": "1s"})
    assert onesec.body["code"] == -1120
    t24 = (await api.get("/fapi/v1/ticker/24hr", {"symbol": "BTCUSDT"})).body
    assert "bidPrice" not in t24 and t24["count"] >= 1
    bt = (await api.get("/fapi/v1/ticker/bookTicker", {"symbol": "BTCUSDT"})).body
    assert D(bt["bidPrice"]) == top(api, "bid") and "time" in bt


async def test_orders_positions_and_account(api: Any) -> None:
    v = api.venue
    await api.post(
        "/sapi/v1/asset/transfer",
        {"type": "UMFUTURE_MAIN", "asset": "USDT", "amount": "95000"},
        signed=True,
    )
    r = await api.post("/fapi/v1/order", {**LIMIT, "newClientOrderId": "f.1:a/b"}, signed=True)
    assert r.status == 200 and r.body["status"] == "NEW" and r.body["positionSide"] == "BOTH"
    assert r.headers["X-MBX-ORDER-COUNT-10S"] == "1"
    assert r.headers["X-MBX-ORDER-COUNT-1M"] == "1"
    oid = r.body["orderId"]
    assert (
        await api.get("/fapi/v1/openOrder", {"symbol": "BTCUSDT", "orderId": oid}, signed=True)
    ).body["clientOrderId"] == "f.1:a/b"
    mod = await api.put(
        "/fapi/v1/order",
        {
            "symbol": "BTCUSDT",
            "orderId": oid,
            "side": "BUY",
            "quantity": "0.020",
            "price": "60001.0",
        },
        signed=True,
    )
    assert mod.body["origQty"] == "0.020" and mod.body["price"] == "60001.0"
    assert "pair" in mod.body and "cumBase" in mod.body
    same = await api.put(
        "/fapi/v1/order",
        {
            "symbol": "BTCUSDT",
            "orderId": oid,
            "side": "BUY",
            "quantity": "0.020",
            "price": "60001.0",
        },
        signed=True,
    )
    assert same.body == {"code": -5027, "msg": "No need to modify the order."}
    ask = top(api, "ask")
    buy = await api.post(
        "/fapi/v1/order",
        {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "type": "MARKET",
            "quantity": "0.100",
            "newOrderRespType": "RESULT",
        },
        signed=True,
    )
    assert buy.body["status"] == "FILLED" and D(buy.body["avgPrice"]) >= ask
    ack = await api.post(
        "/fapi/v1/order",
        {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.002"},
        signed=True,
    )
    assert ack.body["status"] == "NEW" and ack.body["executedQty"] == "0.000"
    got = (
        await api.get(
            "/fapi/v1/order", {"symbol": "BTCUSDT", "orderId": ack.body["orderId"]}, signed=True
        )
    ).body
    assert got["status"] == "FILLED" and "time" in got
    filled = await api.get(
        "/fapi/v1/openOrder", {"symbol": "BTCUSDT", "orderId": ack.body["orderId"]}, signed=True
    )
    assert filled.body == {"code": -2013, "msg": "Order does not exist."}

    pos = (await api.get("/fapi/v2/positionRisk", {"symbol": "BTCUSDT"}, signed=True)).body[0]
    assert pos["positionAmt"] == "0.102" and pos["marginType"] == "cross"
    assert pos["leverage"] == "20" and pos["positionSide"] == "BOTH"
    brackets = (await api.get("/fapi/v1/leverageBracket", {"symbol": "BTCUSDT"}, signed=True)).body[
        "brackets"
    ]
    first = brackets[0]
    assert isinstance(first["maintMarginRatio"], float) and first["cum"] == 0
    bal = (await api.get("/fapi/v2/balance", signed=True)).body
    usdt = next(b for b in bal if b["asset"] == "USDT")
    size, entry = D(pos["positionAmt"]), D(pos["entryPrice"])
    mmr, cum = D(str(first["maintMarginRatio"])), D(str(first["cum"]))
    wb = D(usdt["crossWalletBalance"])
    expected = (wb + cum - size * entry) / (size * mmr - size)
    assert expected > 0
    assert abs(D(pos["liquidationPrice"]) - expected) < D("0.0001")
    fills = (await api.get("/fapi/v1/userTrades", {"symbol": "BTCUSDT"}, signed=True)).body
    fees = sum(D(f["commission"]) for f in fills)
    assert D(usdt["balance"]) == D(5000) - fees
    assert all(f["commissionAsset"] == "USDT" and not f["maker"] for f in fills)
    acct = (await api.get("/fapi/v2/account", signed=True)).body
    assert D(acct["totalOpenOrderInitialMargin"]) == (D("60001.0") * D("0.02") / 20)
    p = next(x for x in acct["positions"] if x["symbol"] == "BTCUSDT")
    assert p["positionAmt"] == "0.102"
    mark = v.view.mark_price("BTCUSDT")
    assert abs(D(acct["totalUnrealizedProfit"]) - size * (mark - entry)) < D("0.00000001")
    lev = await api.post("/fapi/v1/leverage", {"symbol": "BTCUSDT", "leverage": 50}, signed=True)
    assert lev.body["leverage"] == 50 and lev.body["symbol"] == "BTCUSDT"
    bad = await api.post("/fapi/v1/leverage", {"symbol": "BTCUSDT", "leverage": 126}, signed=True)
    assert bad.body == {"code": -4028, "msg": "Leverage 126 is not valid"}
    mt = await api.post(
        "/fapi/v1/marginType", {"symbol": "BTCUSDT", "marginType": "ISOLATED"}, signed=True
    )
    assert mt.body["code"] == -4047  # open order exists
    cr = (await api.get("/fapi/v1/commissionRate", {"symbol": "BTCUSDT"}, signed=True)).body
    assert cr == {
        "symbol": "BTCUSDT",
        "makerCommissionRate": "0.0002",
        "takerCommissionRate": "0.0005",
    }
    close = await api.post(
        "/fapi/v1/order",
        {
            "symbol": "BTCUSDT",
            "side": "SELL",
            "type": "MARKET",
            "quantity": "0.500",
            "reduceOnly": "true",
            "newOrderRespType": "RESULT",
        },
        signed=True,
    )
    assert close.body["executedQty"] == "0.102" and close.body["status"] == "EXPIRED"
    assert v.view.positions() == []
    income = (await api.get("/fapi/v1/income", signed=True)).body
    assert {i["incomeType"] for i in income} >= {"COMMISSION", "REALIZED_PNL"}
    done = await api.delete("/fapi/v1/allOpenOrders", {"symbol": "BTCUSDT"}, signed=True)
    assert done.body == {"code": 200, "msg": "The operation of cancel all open order is done."}
    iso = await api.post(
        "/fapi/v1/marginType", {"symbol": "BTCUSDT", "marginType": "ISOLATED"}, signed=True
    )
    assert iso.body == {"code": 200, "msg": "success"}
    await api.post(
        "/fapi/v1/order",
        {"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.050"},
        signed=True,
    )
    pos = (await api.get("/fapi/v2/positionRisk", {"symbol": "BTCUSDT"}, signed=True)).body[0]
    assert pos["marginType"] == "isolated" and D(pos["isolatedWallet"]) > 0
    assert D(pos["liquidationPrice"]) > D(pos["entryPrice"])  # a short liquidates above
    hist = (await api.get("/fapi/v1/allOrders", {"symbol": "BTCUSDT"}, signed=True)).body
    assert len(hist) == 5


async def test_order_rejections(api: Any) -> None:
    ask, bid = top(api, "ask"), top(api, "bid")
    cases: list[tuple[dict[str, Any], int, str]] = [
        (
            {**LIMIT, "price": f"{ask:.1f}", "timeInForce": "GTX"},
            -5022,
            "Due to the order could not be executed as maker, the Post Only order will be "
            "rejected.",
        ),
        ({**LIMIT, "reduceOnly": "true"}, -2022, "ReduceOnly Order is rejected."),
        (
            {
                **LIMIT,
                "price": f"{bid:.1f}",
                "timeInForce": "FOK",
                "side": "SELL",
                "quantity": "900",
            },
            -5021,
            "Due to the order could not be filled immediately, the FOK order has been rejected.",
        ),
        ({**LIMIT, "quantity": "100"}, -2019, "Margin is insufficient."),
        (
            {**LIMIT, "price": "60000.05"},
            -1111,
            "Precision is over the maximum defined for this asset.",
        ),
        (
            {**LIMIT, "quantity": "0.0015"},
            -1111,
            "Precision is over the maximum defined for this asset.",
        ),
        ({**LIMIT, "price": "100.0"}, -4013, "Price less than min price."),
        (
            {**LIMIT, "quantity": "0.001"},
            -4164,
            "Order's notional must be no smaller than 100 (unless you choose reduce only).",
        ),
        (
            {**LIMIT, "positionSide": "LONG"},
            -4061,
            "Order's position side does not match user's setting.",
        ),
        (
            {**LIMIT, "newClientOrderId": "x" * 37},
            -4015,
            "Client order id length should not be more than 36 chars",
        ),
        ({**LIMIT, "symbol": "BTCUSD_PERP"}, -1121, "Invalid symbol."),
        (
            {**LIMIT, "timeInForce": None},
            -1102,
            "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.",
        ),
    ]
    for params, code, msg in cases:
        r = await api.post("/fapi/v1/order", params, signed=True)
        assert (r.status, r.body) == (400, {"code": code, "msg": msg}), params
    await api.post("/fapi/v1/order", {**LIMIT, "newClientOrderId": "dup"}, signed=True)
    dup = await api.post("/fapi/v1/order", {**LIMIT, "newClientOrderId": "dup"}, signed=True)
    assert dup.body == {"code": -4116, "msg": "clientOrderId is duplicated"}
    unknown = await api.delete("/fapi/v1/order", {"symbol": "BTCUSDT", "orderId": 99}, signed=True)
    assert unknown.body == {"code": -2011, "msg": "Unknown order sent."}
    missing = await api.get("/fapi/v1/order", {"symbol": "BTCUSDT", "orderId": 99}, signed=True)
    assert missing.body == {"code": -2013, "msg": "Order does not exist."}


async def test_batch_orders(api: Any) -> None:
    v = api.venue
    items = [
        {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "type": "LIMIT",
            "timeInForce": "GTC",
            "quantity": "0.010",
            "price": f"{60000 + i}.0",
        }
        for i in range(3)
    ]
    items.insert(1, {**items[0], "reduceOnly": "true"})
    before = v.view.book("BTCUSDT", "futures").update_id
    r = await api.post("/fapi/v1/batchOrders", {"batchOrders": json.dumps(items)}, signed=True)
    assert r.status == 200 and len(r.body) == 4
    assert r.body[1] == {"code": -2022, "msg": "ReduceOnly Order is rejected."}
    assert [x["price"] for x in r.body if "orderId" in x] == ["60000.0", "60001.0", "60002.0"]
    assert v.view.book("BTCUSDT", "futures").update_id == before + 1  # one engine batch
    assert r.headers["X-MBX-ORDER-COUNT-10S"] == "4"
    too_many = await api.post(
        "/fapi/v1/batchOrders", {"batchOrders": json.dumps(items * 2)}, signed=True
    )
    assert too_many.body == {"code": -4082, "msg": "Invalid number of batch place orders."}
    ids = [x["orderId"] for x in r.body if "orderId" in x]
    c = await api.delete(
        "/fapi/v1/batchOrders",
        {"symbol": "BTCUSDT", "orderIdList": json.dumps([ids[0], 424242])},
        signed=True,
    )
    assert c.body[0]["status"] == "CANCELED"
    assert c.body[1] == {"code": -2011, "msg": "Unknown order sent."}
    opened = (await api.get("/fapi/v1/openOrders", {"symbol": "BTCUSDT"}, signed=True)).body
    assert sorted(o["orderId"] for o in opened) == ids[1:]
    assert len((await api.get("/fapi/v1/openOrders", signed=True)).body) == 2


async def test_listen_key_futures(api: Any) -> None:
    key = (await api.post("/fapi/v1/listenKey", key=True)).body["listenKey"]
    assert (await api.put("/fapi/v1/listenKey", key=True)).body == {"listenKey": key}
    assert (await api.delete("/fapi/v1/listenKey", key=True)).body == {}
    r = await api.put("/fapi/v1/listenKey", key=True)
    assert r.body["code"] == -1125
