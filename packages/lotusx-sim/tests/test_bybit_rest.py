"""Bybit v5 REST against raw, hand-signed requests: shapes, trading, account, documented errors."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from lotusx.sim import RateLimitRule, Venue
from lotusx.sim.ledger import WithdrawalState

D = Decimal


def ok(reply: Any) -> Any:
    assert reply.status == 200, reply.body
    assert reply.body["retCode"] == 0 and reply.body["retMsg"] == "OK", reply.body
    assert set(reply.body) == {"retCode", "retMsg", "result", "retExtInfo", "time"}
    return reply.body["result"]


def code(reply: Any) -> int:
    return int(reply.body["retCode"])


def below(bybit: Any, cat: str, sym: str, factor: str = "0.97") -> str:
    spec = next(s for s in bybit.venue.view.instruments(cat) if s.symbol == sym)
    best = bybit.venue.view.book(sym, cat, 1).bids[0][0]
    return f"{spec.floor_price(best * D(factor)):.2f}"  # Bybit prices carry two decimals here


async def test_signature_recipe_and_auth_errors(bybit: Any) -> None:
    # Docs: GET signs timestamp + api_key + recv_window + queryString, e.g.
    # "1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C".
    path, q = "/v5/account/wallet-balance", {"accountType": "UNIFIED", "coin": "USDT"}
    result = ok(await bybit.get(path, q, private=True))
    assert result["list"][0]["accountType"] == "UNIFIED"
    bad = await bybit.get(path, q, private=True, secret="nope")
    assert (bad.status, code(bad)) == (200, 10004) and "error sign" in bad.body["retMsg"]
    stale = await bybit.get(path, q, private=True, timestamp=bybit.venue.now_ms() - 6000)
    assert code(stale) == 10002
    ahead = await bybit.get(path, q, private=True, timestamp=bybit.venue.now_ms() + 1500)
    assert code(ahead) == 10002
    wide = await bybit.get(
        path, q, private=True, timestamp=bybit.venue.now_ms() - 6000, recv_window="10000"
    )
    assert code(wide) == 0
    key = await bybit.get(path, q, private=True, headers={"X-BAPI-API-KEY": "unknownkey"})
    assert code(key) == 10003
    post = await bybit.post(
        "/v5/position/set-leverage",
        {"category": "linear", "symbol": "BTCUSDT", "buyLeverage": "10", "sellLeverage": "10"},
        secret="nope",
    )
    assert code(post) == 10004


async def test_market_routes(bybit: Any) -> None:
    v = bybit.venue
    t = ok(await bybit.get("/v5/market/time"))
    assert abs(int(t["timeSecond"]) - v.now_ms() // 1000) <= 1
    assert ok(await bybit.get("/v5/system/status")) == {"list": []}
    lin = ok(await bybit.get("/v5/market/instruments-info", {"category": "linear"}))
    btc = next(i for i in lin["list"] if i["symbol"] == "BTCUSDT")
    assert btc["lotSizeFilter"]["qtyStep"] == "0.001"
    assert btc["priceFilter"]["tickSize"] == "0.10"
    assert btc["contractType"] == "LinearPerpetual"
    spot = ok(await bybit.get("/v5/market/instruments-info", {"category": "spot"}))
    assert {i["symbol"] for i in spot["list"]} == {"BTCUSDT", "ETHUSDT"}
    for cat in ("spot", "linear"):
        book = ok(
            await bybit.get(
                "/v5/market/orderbook", {"category": cat, "symbol": "ETHUSDT", "limit": 5}
            )
        )
        truth = v.view.book("ETHUSDT", cat, 5)
        assert [(D(p), D(q)) for p, q in book["b"]] == truth.bids
        assert [(D(p), D(q)) for p, q in book["a"]] == truth.asks
        assert book["u"] == truth.update_id
    unknown = await bybit.get("/v5/market/orderbook", {"category": "linear", "symbol": "XYZ"})
    assert code(unknown) == 10001
    tick = ok(await bybit.get("/v5/market/tickers", {"category": "linear", "symbol": "BTCUSDT"}))
    row = tick["list"][0]
    assert D(row["markPrice"]) == v.view.mark_price("BTCUSDT")
    assert int(row["nextFundingTime"]) == v.core.next_funding_ms
    v.core.settle_funding(v.core.next_funding_ms - 8 * 3600 * 1000)
    hist = ok(
        await bybit.get("/v5/market/funding/history", {"category": "linear", "symbol": "BTCUSDT"})
    )
    assert len(hist["list"]) == 1
    risk = ok(await bybit.get("/v5/market/risk-limit", {"category": "linear", "symbol": "BTCUSDT"}))
    assert [r["riskLimitValue"] for r in risk["list"]][:2] == ["2000000", "4000000"]
    assert risk["list"][0]["maintenanceMargin"] == "0.005"
    ok(
        await bybit.post(
            "/v5/order/create",
            {
                "category": "spot",
                "symbol": "BTCUSDT",
                "side": "Buy",
                "orderType": "Market",
                "qty": "0.01",
                "marketUnit": "baseCoin",
            },
        )
    )
    trades = ok(
        await bybit.get("/v5/market/recent-trade", {"category": "spot", "symbol": "BTCUSDT"})
    )
    assert trades["list"][0]["execId"] == str(v.view.trades("BTCUSDT", "spot")[-1].trade_id)
    kl = ok(
        await bybit.get(
            "/v5/market/kline", {"category": "spot", "symbol": "BTCUSDT", "interval": "1"}
        )
    )
    assert len(kl["list"][0]) == 7 and D(kl["list"][0][5]) >= D("0.01")


async def test_order_lifecycle_and_queries(bybit: Any) -> None:
    v = bybit.venue
    price = below(bybit, "linear", "BTCUSDT")
    placed = await bybit.post(
        "/v5/order/create",
        {
            "category": "linear",
            "symbol": "BTCUSDT",
            "side": "Buy",
            "orderType": "Limit",
            "qty": "0.01",
            "price": price,
            "orderLinkId": "life-0",
        },
    )
    result = ok(placed)
    assert result["orderLinkId"] == "life-0"
    assert placed.headers["X-Bapi-Limit"] == "10"
    assert placed.headers["X-Bapi-Limit-Status"] == "9"
    assert int(placed.headers["X-Bapi-Limit-Reset-Timestamp"]) > 0
    held = v.view.order(client_id="life-0", market="linear")
    assert held is not None and str(held.order_id) == result["orderId"]
    live = ok(
        await bybit.get(
            "/v5/order/realtime", {"category": "linear", "symbol": "BTCUSDT"}, private=True
        )
    )
    assert [o["orderStatus"] for o in live["list"]] == ["New"]
    assert live["list"][0]["price"] == price and live["list"][0]["qty"] == "0.01"
    new_price = f"{D(price) - D('0.1'):.2f}"
    ok(
        await bybit.post(
            "/v5/order/amend",
            {
                "category": "linear",
                "symbol": "BTCUSDT",
                "orderLinkId": "life-0",
                "price": new_price,
            },
        )
    )
    assert [o.price for o in v.view.open_orders("linear")] == [D(new_price)]
    ok(
        await bybit.post(
            "/v5/order/cancel",
            {"category": "linear", "symbol": "BTCUSDT", "orderId": result["orderId"]},
        )
    )
    assert v.view.open_orders("linear") == []
    history = ok(await bybit.get("/v5/order/history", {"category": "linear"}, private=True))
    assert history["list"][0]["orderStatus"] == "Cancelled"
    missing = await bybit.post(
        "/v5/order/cancel", {"category": "linear", "symbol": "BTCUSDT", "orderId": "123"}
    )
    assert code(missing) == 110001
    spot_missing = await bybit.post(
        "/v5/order/cancel", {"category": "spot", "symbol": "BTCUSDT", "orderId": "123"}
    )
    assert code(spot_missing) == 170213


async def test_batches_post_only_and_errors(bybit: Any) -> None:
    v = bybit.venue
    price = below(bybit, "linear", "ETHUSDT")
    item = {"symbol": "ETHUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.1", "price": price}
    reply = await bybit.post(
        "/v5/order/create-batch",
        {
            "category": "linear",
            "request": [
                {**item, "orderLinkId": "b0"},
                {**item, "orderLinkId": "b1"},
                {**item, "orderLinkId": "b2", "qty": "0.001"},
            ],
        },
    )
    result = ok(reply)
    assert [r["orderLinkId"] for r in result["list"]] == ["b0", "b1", "b2"]
    assert [e["code"] for e in reply.body["retExtInfo"]["list"]][:2] == [0, 0]
    assert reply.body["retExtInfo"]["list"][2]["code"] == 10001
    amend = await bybit.post(
        "/v5/order/amend-batch",
        {
            "category": "linear",
            "request": [
                {"symbol": "ETHUSDT", "orderLinkId": "b0", "qty": "0.2"},
                {"symbol": "ETHUSDT", "orderId": "1"},
            ],
        },
    )
    assert [e["code"] for e in amend.body["retExtInfo"]["list"]] == [0, 110001]
    cancel = await bybit.post(
        "/v5/order/cancel-batch",
        {"category": "linear", "request": [{"symbol": "ETHUSDT", "orderLinkId": "b0"}]},
    )
    assert [e["code"] for e in cancel.body["retExtInfo"]["list"]] == [0]
    everything = ok(
        await bybit.post("/v5/order/cancel-all", {"category": "linear", "settleCoin": "USDT"})
    )
    assert [r["orderLinkId"] for r in everything["list"]] == ["b1"] and everything["success"] == "1"
    ask = str(v.view.book("BTCUSDT", "spot", 1).asks[0][0])
    po = ok(
        await bybit.post(
            "/v5/order/create",
            {
                "category": "spot",
                "symbol": "BTCUSDT",
                "side": "Buy",
                "orderType": "Limit",
                "qty": "0.01",
                "price": ask,
                "timeInForce": "PostOnly",
                "orderLinkId": "po-1",
            },
        )
    )
    got = ok(
        await bybit.get(
            "/v5/order/realtime", {"category": "spot", "orderLinkId": "po-1"}, private=True
        )
    )["list"][0]
    assert (got["orderStatus"], got["rejectReason"]) == (
        "Cancelled",
        "EC_PostOnlyWillTakeLiquidity",
    )
    assert po["orderId"] == got["orderId"] and v.view.open_orders("spot") == []
    broke = await bybit.post(
        "/v5/order/create",
        {
            "category": "spot",
            "symbol": "BTCUSDT",
            "side": "Buy",
            "orderType": "Limit",
            "qty": "10",
            "price": below(bybit, "spot", "BTCUSDT"),
        },
    )
    assert code(broke) == 170131
    broke_lin = await bybit.post(
        "/v5/order/create",
        {
            "category": "linear",
            "symbol": "BTCUSDT",
            "side": "Buy",
            "orderType": "Limit",
            "qty": "1000",
            "price": below(bybit, "linear", "BTCUSDT"),
        },
    )
    assert code(broke_lin) == 110007
    reduce = await bybit.post(
        "/v5/order/create",
        {
            "category": "linear",
            "symbol": "BTCUSDT",
            "side": "Sell",
            "orderType": "Market",
            "qty": "0.01",
            "reduceOnly": True,
        },
    )
    assert code(reduce) == 110017
    bad_sym = await bybit.post(
        "/v5/order/create",
        {
            "category": "spot",
            "symbol": "DOGEUSDT",
            "side": "Buy",
            "orderType": "Market",
            "qty": "5",
        },
    )
    assert code(bad_sym) == 170121


async def test_account_position_assets(bybit: Any) -> None:
    v = bybit.venue
    ok(
        await bybit.post(
            "/v5/position/set-leverage",
            {"category": "linear", "symbol": "BTCUSDT", "buyLeverage": "10", "sellLeverage": "10"},
        )
    )
    assert v.view.leverage("BTCUSDT") == 10
    same = await bybit.post(
        "/v5/position/set-leverage",
        {"category": "linear", "symbol": "BTCUSDT", "buyLeverage": "10", "sellLeverage": "10"},
    )
    assert code(same) == 110043
    ok(
        await bybit.post(
            "/v5/order/create",
            {
                "category": "linear",
                "symbol": "BTCUSDT",
                "side": "Buy",
                "orderType": "Market",
                "qty": "0.05",
            },
        )
    )
    pos = ok(
        await bybit.get(
            "/v5/position/list", {"category": "linear", "symbol": "BTCUSDT"}, private=True
        )
    )["list"][0]
    (truth,) = v.view.positions()
    assert (pos["side"], D(pos["size"]), pos["leverage"]) == ("Buy", truth.qty, "10")
    execs = ok(await bybit.get("/v5/execution/list", {"category": "linear"}, private=True))
    assert {e["execId"] for e in execs["list"]} == {str(f.trade_id) for f in v.view.fills("linear")}
    fee = ok(
        await bybit.get(
            "/v5/account/fee-rate", {"category": "spot", "symbol": "BTCUSDT"}, private=True
        )
    )["list"][0]
    assert (fee["makerFeeRate"], fee["takerFeeRate"]) == ("0.001", "0.001")
    wallet = ok(
        await bybit.get("/v5/account/wallet-balance", {"accountType": "UNIFIED"}, private=True)
    )["list"][0]
    usdt = next(c for c in wallet["coin"] if c["coin"] == "USDT")
    assert D(usdt["walletBalance"]) == v.view.balances("spot")["USDT"].total
    tid = str(uuid.uuid4())
    t = ok(
        await bybit.post(
            "/v5/asset/transfer/inter-transfer",
            {
                "transferId": tid,
                "coin": "USDT",
                "amount": "50",
                "fromAccountType": "FUND",
                "toAccountType": "UNIFIED",
            },
        )
    )
    assert t == {"transferId": tid, "status": "SUCCESS"}
    broke = await bybit.post(
        "/v5/asset/transfer/inter-transfer",
        {
            "transferId": str(uuid.uuid4()),
            "coin": "USDT",
            "amount": "99999999",
            "fromAccountType": "FUND",
            "toAccountType": "UNIFIED",
        },
    )
    assert code(broke) == 131212
    subs = ok(await bybit.get("/v5/user/query-sub-members", private=True))["subMembers"]
    assert len(subs) == 2
    me = ok(await bybit.get("/v5/user/query-api", private=True))
    assert (me["userID"], me["isMaster"], me["parentUid"]) == (100000001, True, "0")
    assert me["secret"] == ""
    ok(
        await bybit.post(
            "/v5/asset/transfer/universal-transfer",
            {
                "transferId": str(uuid.uuid4()),
                "coin": "USDT",
                "amount": "5",
                "fromMemberId": 100000001,
                "toMemberId": int(subs[0]["uid"]),
                "fromAccountType": "UNIFIED",
                "toAccountType": "UNIFIED",
            },
        )
    )
    wd = ok(
        await bybit.post(
            "/v5/asset/withdraw/create",
            {
                "coin": "USDT",
                "chain": "TRX",
                "address": "TAddr",
                "amount": "10",
                "timestamp": v.now_ms(),
            },
        )
    )
    v.core.ledger.set_withdrawal_state(wd["id"], WithdrawalState.COMPLETED)
    rows = ok(await bybit.get("/v5/asset/withdraw/query-record", private=True))["rows"]
    assert (rows[0]["withdrawId"], rows[0]["status"]) == (wd["id"], "success")
    deps = ok(await bybit.get("/v5/asset/deposit/query-record", private=True))["rows"]
    assert [d["coin"] for d in deps] == ["ETH", "BTC", "USDT"] and deps[0]["status"] == 3


async def test_rate_limit_and_faults(bybit_for: Any, bybit_options: Any) -> None:
    rules = {"rest": [RateLimitRule("/v5/account/fee-rate", "SECOND", 60, 2)]}
    async with Venue.start("bybit", **bybit_options(tick_interval=3600, rate_limits=rules)) as v:
        api = bybit_for(v)
        q = {"category": "spot", "symbol": "BTCUSDT"}
        first = await api.get("/v5/account/fee-rate", q, private=True)
        assert (first.headers["X-Bapi-Limit"], first.headers["X-Bapi-Limit-Status"]) == ("2", "1")
        await api.get("/v5/account/fee-rate", q, private=True)
        limited = await api.get("/v5/account/fee-rate", q, private=True)
        assert (limited.status, code(limited), limited.body["retMsg"]) == (
            200,
            10006,
            "Too many visits!",
        )
        assert limited.headers["X-Bapi-Limit-Status"] == "0"
        v.faults.rest_5xx(1)
        assert (await api.get("/v5/market/time")).status == 503
        v.faults.rest_429(1)
        assert (await api.get("/v5/market/time")).status == 429
        v.faults.set_maintenance(True)
        status = ok(await api.get("/v5/system/status"))
        assert status["list"][0]["state"] == "ongoing"
        v.faults.set_maintenance(False)
