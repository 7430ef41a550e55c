"""OKX v5 REST against raw, hand-signed requests: shapes, trading, account, documented errors."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from lotusx.sim import RateLimitRule, Venue
from lotusx.sim.ledger import WithdrawalState

D = Decimal
SWAP, SPOT = "swap", "spot"


def ok(reply: Any) -> list[Any]:
    assert reply.status == 200, reply.body
    assert reply.body["code"] == "0", reply.body
    data: list[Any] = reply.body["data"]
    return data


def bid(okx: Any, inst: str, market: str, factor: str = "0.97") -> str:
    spec = next(s for s in okx.venue.view.instruments(market) if s.symbol == inst)
    best = okx.venue.view.book(inst, market, 1).bids[0][0]
    return str(spec.floor_price(best * D(factor)))


# ----------------------------------------------------------------- auth
async def test_signature_from_the_docs_recipe_is_accepted(okx: Any) -> None:
    # Docs: sign = Base64(HmacSHA256(timestamp + 'GET' + '/api/v5/account/balance?ccy=BTC',
    # SecretKey)) with the example SecretKey 22582BD0CFF14C41EDBF1AB98506286D.
    data = ok(await okx.get("/api/v5/account/balance", {"ccy": "BTC"}, private=True))
    assert [d["ccy"] for d in data[0]["details"]] == ["BTC"]
    assert data[0]["details"][0]["availBal"] == "2"


async def test_auth_errors(okx: Any) -> None:
    path, q = "/api/v5/account/balance", {"ccy": "USDT"}
    bad = await okx.get(path, q, private=True, secret="0" * 32)
    assert (bad.status, bad.body["code"], bad.body["data"]) == (401, "50113", [])
    stale = await okx.get(path, q, private=True, timestamp=okx.venue.now_ms() - 31_000)
    assert (stale.status, stale.body["code"]) == (401, "50102")
    ahead = await okx.get(path, q, private=True, timestamp=okx.venue.now_ms() + 31_000)
    assert ahead.body["code"] == "50102"
    missing = await okx.get(path, q)
    assert (missing.status, missing.body["code"]) == (401, "50103")
    no_pass = await okx.get(path, q, private=True, headers={"OK-ACCESS-PASSPHRASE": ""})
    assert no_pass.body["code"] == "50104"
    no_sign = await okx.get(path, q, private=True, headers={"OK-ACCESS-SIGN": ""})
    assert no_sign.body["code"] == "50106"
    no_ts = await okx.get(path, q, private=True, headers={"OK-ACCESS-TIMESTAMP": ""})
    assert no_ts.body["code"] == "50107"
    wrong_key = await okx.get(path, q, private=True, headers={"OK-ACCESS-KEY": "nope"})
    assert wrong_key.body["code"] == "50111"
    wrong_pass = await okx.get(path, q, private=True, headers={"OK-ACCESS-PASSPHRASE": "x"})
    assert wrong_pass.body["code"] == "50105"
    demo = await okx.get(path, q, private=True, headers={"x-simulated-trading": "1"})
    assert (demo.status, demo.body["code"]) == (401, "50101")
    # A query that differs from the signed one fails the signature.
    stamp = okx.iso(okx.venue.now_ms())
    headers = {
        "OK-ACCESS-KEY": okx.key,
        "OK-ACCESS-SIGN": okx.sign(stamp + "GET" + path + "?ccy=USDT"),
        "OK-ACCESS-TIMESTAMP": stamp,
        "OK-ACCESS-PASSPHRASE": okx.passphrase,
    }
    async with okx.session.get(okx.venue.urls["rest"] + path + "?ccy=BTC", headers=headers) as r:
        assert (r.status, (await r.json())["code"]) == (401, "50113")


async def test_demo_keys_need_the_simulated_trading_header(okx_for: Any, okx_options: Any) -> None:
    async with Venue.start("okx", **okx_options(tick_interval=3600, demo=True)) as v:
        api = okx_for(v)
        live = await api.get("/api/v5/account/balance", private=True)
        assert live.body["code"] == "50101"
        demo = await api.get(
            "/api/v5/account/balance", private=True, headers={"x-simulated-trading": "1"}
        )
        assert demo.body["code"] == "0"


# ----------------------------------------------------------------- public
async def test_public_routes(okx: Any) -> None:
    v = okx.venue
    ts = ok(await okx.get("/api/v5/public/time"))[0]["ts"]
    assert abs(int(ts) - v.now_ms()) < 1000
    assert ok(await okx.get("/api/v5/system/status")) == []
    swaps = ok(await okx.get("/api/v5/public/instruments", {"instType": "SWAP"}))
    btc = next(i for i in swaps if i["instId"] == "BTC-USDT-SWAP")
    assert (btc["ctVal"], btc["ctValCcy"], btc["lotSz"], btc["minSz"], btc["tickSz"]) == (
        "0.01",
        "BTC",
        "0.01",
        "0.01",
        "0.1",
    )
    assert (btc["settleCcy"], btc["ctType"], btc["instFamily"], btc["state"]) == (
        "USDT",
        "linear",
        "BTC-USDT",
        "live",
    )
    spot = ok(await okx.get("/api/v5/public/instruments", {"instType": "SPOT"}))
    assert {i["instId"] for i in spot} == {"BTC-USDT", "ETH-USDT"}
    missing = await okx.get("/api/v5/public/instruments")
    assert (missing.status, missing.body["code"]) == (400, "50014")

    for inst, market in (("BTC-USDT", SPOT), ("ETH-USDT-SWAP", SWAP)):
        book = ok(await okx.get("/api/v5/market/books", {"instId": inst, "sz": 5}))[0]
        truth = v.view.book(inst, market, 5)
        ct = D("0.1") if market == SWAP else D(1)
        assert [(D(r[0]), D(r[1]) * ct) for r in book["bids"]] == truth.bids
        assert [(D(r[0]), D(r[1]) * ct) for r in book["asks"]] == truth.asks
        assert all(len(r) == 4 and r[2] == "0" and int(r[3]) >= 1 for r in book["bids"])
    unknown = await okx.get("/api/v5/market/books", {"instId": "DOGE-USDT"})
    assert (unknown.status, unknown.body["code"]) == (200, "51001")
    bad_sz = await okx.get("/api/v5/market/books", {"instId": "BTC-USDT", "sz": 401})
    assert bad_sz.body["code"] == "51000"
    for inst, market in (("BTC-USDT", SPOT), ("ETH-USDT-SWAP", SWAP)):
        tick = ok(await okx.get("/api/v5/market/ticker", {"instId": inst}))[0]
        top = v.view.book(inst, market, 1)
        assert (tick["instId"], D(tick["bidPx"]), D(tick["askPx"])) == (
            inst,
            top.bids[0][0],
            top.asks[0][0],
        )
        assert tick["instType"] == ("SWAP" if market == SWAP else "SPOT")

    index = ok(await okx.get("/api/v5/market/index-tickers", {"instId": "BTC-USDT"}))[0]
    assert index["instId"] == "BTC-USDT" and D(index["idxPx"]) > 0
    mark = ok(
        await okx.get("/api/v5/public/mark-price", {"instType": "SWAP", "instId": "BTC-USDT-SWAP"})
    )[0]
    assert D(mark["markPx"]) == v.view.mark_price("BTC-USDT-SWAP")
    funding = ok(await okx.get("/api/v5/public/funding-rate", {"instId": "BTC-USDT-SWAP"}))[0]
    assert int(funding["fundingTime"]) == v.core.next_funding_ms
    assert D(funding["fundingRate"]) == v.core.funding_rate("BTC-USDT-SWAP")
    v.core.settle_funding(v.core.next_funding_ms - 8 * 3600 * 1000)
    history = ok(await okx.get("/api/v5/public/funding-rate-history", {"instId": "BTC-USDT-SWAP"}))
    assert len(history) == 1 and history[0]["instType"] == "SWAP"
    tiers = ok(
        await okx.get(
            "/api/v5/public/position-tiers",
            {"instType": "SWAP", "tdMode": "cross", "instFamily": "BTC-USDT"},
        )
    )
    assert [t["tier"] for t in tiers][:2] == ["1", "2"]
    assert (tiers[0]["maxSz"], tiers[0]["maxLever"], tiers[0]["mmr"]) == ("5000", "100", "0.004")


async def test_trades_and_candles(okx: Any) -> None:
    ok(
        await okx.post(
            "/api/v5/trade/order",
            {
                "instId": "BTC-USDT",
                "tdMode": "cash",
                "side": "buy",
                "ordType": "market",
                "sz": "0.01",
                "tgtCcy": "base_ccy",
            },
        )
    )
    trades = ok(await okx.get("/api/v5/market/trades", {"instId": "BTC-USDT", "limit": 5}))
    truth = okx.venue.view.trades("BTC-USDT", SPOT)
    assert trades[0]["tradeId"] == str(truth[-1].trade_id)
    assert trades[0]["side"] == "buy"
    candles = ok(await okx.get("/api/v5/market/candles", {"instId": "BTC-USDT", "bar": "1m"}))
    _ts, o, h, lo, c, vol, vol_ccy, vol_quote, confirm = candles[0]
    assert D(lo) <= D(o) <= D(h) and D(lo) <= D(c) <= D(h) and confirm == "0"
    assert D(vol) >= D("0.01") and vol == vol_ccy and D(vol_quote) > 0
    bad_bar = await okx.get("/api/v5/market/candles", {"instId": "BTC-USDT", "bar": "7m"})
    assert bad_bar.body["code"] == "51000"


# ----------------------------------------------------------------- trading
async def test_spot_order_lifecycle(okx: Any) -> None:
    v = okx.venue
    px = bid(okx, "BTC-USDT", SPOT)
    placed = await okx.post(
        "/api/v5/trade/order",
        {
            "instId": "BTC-USDT",
            "tdMode": "cash",
            "side": "buy",
            "ordType": "limit",
            "px": px,
            "sz": "0.01",
            "clOrdId": "life1",
        },
    )
    item = ok(placed)[0]
    assert (item["sCode"], item["sMsg"], item["clOrdId"]) == ("0", "Order placed", "life1")
    assert "inTime" in placed.body and "outTime" in placed.body
    held = v.view.order(client_id="life1", market=SPOT)
    assert held is not None and str(held.order_id) == item["ordId"] and held.price == D(px)
    got = ok(
        await okx.get(
            "/api/v5/trade/order", {"instId": "BTC-USDT", "clOrdId": "life1"}, private=True
        )
    )[0]
    assert (got["state"], got["ordType"], got["sz"], D(got["px"]), got["side"]) == (
        "live",
        "limit",
        "0.01",
        D(px),
        "buy",
    )
    pending = ok(await okx.get("/api/v5/trade/orders-pending", {"instType": "SPOT"}, private=True))
    assert [o["ordId"] for o in pending] == [item["ordId"]]
    new_px = str(D(px) - D("0.1"))
    amended = ok(
        await okx.post(
            "/api/v5/trade/amend-order",
            {"instId": "BTC-USDT", "ordId": item["ordId"], "newPx": new_px, "reqId": "r1"},
        )
    )[0]
    assert (amended["sCode"], amended["reqId"]) == ("0", "r1")
    assert [o.price for o in v.view.open_orders(SPOT)] == [D(new_px)]
    canceled = ok(
        await okx.post("/api/v5/trade/cancel-order", {"instId": "BTC-USDT", "clOrdId": "life1"})
    )[0]
    assert canceled["sCode"] == "0" and v.view.open_orders(SPOT) == []
    got = ok(
        await okx.get(
            "/api/v5/trade/order", {"instId": "BTC-USDT", "ordId": item["ordId"]}, private=True
        )
    )[0]
    assert got["state"] == "canceled"


async def test_swap_sizes_are_contracts_on_the_wire(okx: Any) -> None:
    v = okx.venue
    px = bid(okx, "BTC-USDT-SWAP", SWAP)
    item = ok(
        await okx.post(
            "/api/v5/trade/order",
            {
                "instId": "BTC-USDT-SWAP",
                "tdMode": "cross",
                "side": "buy",
                "ordType": "limit",
                "px": px,
                "sz": "3",
                "clOrdId": "swap1",
            },
        )
    )[0]
    held = v.view.order(client_id="swap1", market=SWAP)
    assert held is not None and held.orig_qty == D("0.03")  # 3 contracts x ctVal 0.01 BTC
    got = ok(
        await okx.get(
            "/api/v5/trade/order", {"instId": "BTC-USDT-SWAP", "ordId": item["ordId"]}, private=True
        )
    )[0]
    assert (got["sz"], got["lever"], got["tdMode"], got["posSide"]) == ("3", "20", "cross", "net")


async def test_fill_position_fees_and_balances(okx: Any) -> None:
    v = okx.venue
    lev = ok(
        await okx.post(
            "/api/v5/account/set-leverage",
            {"instId": "BTC-USDT-SWAP", "lever": "10", "mgnMode": "cross"},
        )
    )[0]
    assert lev == {"lever": "10", "mgnMode": "cross", "instId": "BTC-USDT-SWAP", "posSide": "net"}
    assert v.view.leverage("BTC-USDT-SWAP") == 10
    info = ok(
        await okx.get(
            "/api/v5/account/leverage-info",
            {"instId": "BTC-USDT-SWAP", "mgnMode": "cross"},
            private=True,
        )
    )[0]
    assert info["lever"] == "10"
    too_high = await okx.post(
        "/api/v5/account/set-leverage",
        {"instId": "BTC-USDT-SWAP", "lever": "101", "mgnMode": "cross"},
    )
    assert too_high.body["code"] == "59102"
    item = ok(
        await okx.post(
            "/api/v5/trade/order",
            {
                "instId": "BTC-USDT-SWAP",
                "tdMode": "cross",
                "side": "buy",
                "ordType": "market",
                "sz": "5",
                "clOrdId": "mkt1",
            },
        )
    )[0]
    got = ok(
        await okx.get(
            "/api/v5/trade/order", {"instId": "BTC-USDT-SWAP", "ordId": item["ordId"]}, private=True
        )
    )[0]
    assert (got["state"], got["accFillSz"], got["feeCcy"]) == ("filled", "5", "USDT")
    assert D(got["fee"]) < 0  # OKX: a negative fee is a charge
    positions = ok(await okx.get("/api/v5/account/positions", {"instType": "SWAP"}, private=True))
    (pos,) = positions
    (truth,) = v.view.positions()
    assert (pos["pos"], pos["posSide"], pos["mgnMode"], pos["lever"]) == ("5", "net", "cross", "10")
    assert D(pos["pos"]) * D("0.01") == truth.qty and D(pos["avgPx"]) == truth.entry_price
    assert D(pos["markPx"]) == v.view.mark_price("BTC-USDT-SWAP")
    fills = ok(await okx.get("/api/v5/trade/fills", {"instType": "SWAP"}, private=True))
    truth_fills = v.view.fills(SWAP)
    assert {f["tradeId"] for f in fills} == {str(f.trade_id) for f in truth_fills}
    assert sum(D(f["fillSz"]) for f in fills) == 5
    assert all(f["execType"] == "T" and D(f["fee"]) < 0 for f in fills)
    spot_fee = ok(
        await okx.get(
            "/api/v5/account/trade-fee", {"instType": "SPOT", "instId": "BTC-USDT"}, private=True
        )
    )
    assert (spot_fee[0]["maker"], spot_fee[0]["taker"]) == ("-0.0008", "-0.001")
    swap_fee = ok(
        await okx.get(
            "/api/v5/account/trade-fee",
            {"instType": "SWAP", "instFamily": "BTC-USDT"},
            private=True,
        )
    )
    assert (swap_fee[0]["makerU"], swap_fee[0]["takerU"]) == ("-0.0002", "-0.0005")
    bal = ok(await okx.get("/api/v5/account/balance", private=True))[0]
    usdt = next(d for d in bal["details"] if d["ccy"] == "USDT")
    venue_usdt = v.view.balances("spot")["USDT"]
    assert (D(usdt["availBal"]), D(usdt["frozenBal"])) == (venue_usdt.free, venue_usdt.locked)


async def test_batches_report_per_item_codes(okx: Any) -> None:
    v = okx.venue
    px = bid(okx, "ETH-USDT-SWAP", SWAP)
    good = {
        "instId": "ETH-USDT-SWAP",
        "tdMode": "cross",
        "side": "buy",
        "ordType": "limit",
        "px": px,
        "sz": "1",
    }
    reply = await okx.post(
        "/api/v5/trade/batch-orders",
        [
            {**good, "clOrdId": "b0"},
            {**good, "clOrdId": "b1"},
            {**good, "clOrdId": "b2", "sz": "0.001"},
        ],
    )
    assert (reply.body["code"], reply.body["msg"]) == ("2", "Bulk operation partially succeeded")
    codes = [i["sCode"] for i in reply.body["data"]]
    assert codes == ["0", "0", "51121"]
    assert sorted(o.client_id for o in v.view.open_orders(SWAP)) == ["b0", "b1"]
    ids = [i["ordId"] for i in reply.body["data"][:2]]
    amend = ok(
        await okx.post(
            "/api/v5/trade/amend-batch-orders",
            [
                {"instId": "ETH-USDT-SWAP", "ordId": ids[0], "newSz": "2"},
                {"instId": "ETH-USDT-SWAP", "clOrdId": "b1", "newPx": str(D(px) - D("0.01"))},
            ],
        )
    )
    assert [i["sCode"] for i in amend] == ["0", "0"]
    assert sorted(o.orig_qty for o in v.view.open_orders(SWAP)) == [D("0.1"), D("0.2")]
    cancel = await okx.post(
        "/api/v5/trade/cancel-batch-orders",
        [
            {"instId": "ETH-USDT-SWAP", "ordId": ids[0]},
            {"instId": "ETH-USDT-SWAP", "clOrdId": "b1"},
            {"instId": "ETH-USDT-SWAP", "ordId": "42"},
        ],
    )
    assert cancel.body["code"] == "2"
    assert [i["sCode"] for i in cancel.body["data"]] == ["0", "0", "51400"]
    assert v.view.open_orders(SWAP) == []


async def test_order_errors(okx: Any) -> None:
    base = {"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit"}
    px = bid(okx, "BTC-USDT", SPOT)
    unknown = await okx.post(
        "/api/v5/trade/order", {**base, "instId": "XRP-USDT", "px": "1", "sz": "1"}
    )
    assert unknown.body["code"] == "51001"
    broke = await okx.post("/api/v5/trade/order", {**base, "px": px, "sz": "100"})
    assert (broke.status, broke.body["code"], broke.body["msg"]) == (
        200,
        "1",
        "All operations failed",
    )
    assert broke.body["data"][0]["sCode"] == "51008"
    ask = str(okx.venue.view.book("BTC-USDT", SPOT, 1).asks[0][0])
    post_only = await okx.post(
        "/api/v5/trade/order", {**base, "ordType": "post_only", "px": ask, "sz": "0.01"}
    )
    assert post_only.body["data"][0]["sCode"] == "51019"
    tiny = await okx.post("/api/v5/trade/order", {**base, "px": px, "sz": "0.000001"})
    assert tiny.body["data"][0]["sCode"] == "51020"
    far = await okx.post("/api/v5/trade/order", {**base, "px": str(D(px) * 2), "sz": "0.01"})
    assert far.body["data"][0]["sCode"] == "51006"
    hyphen = await okx.post(
        "/api/v5/trade/order", {**base, "px": px, "sz": "0.01", "clOrdId": "a-b"}
    )
    assert (hyphen.status, hyphen.body["code"]) == (400, "51000")
    no_px = await okx.post("/api/v5/trade/order", {**base, "sz": "0.01"})
    assert (no_px.status, no_px.body["code"]) == (400, "50014")
    reduce = await okx.post(
        "/api/v5/trade/order",
        {
            "instId": "BTC-USDT-SWAP",
            "tdMode": "cross",
            "side": "sell",
            "ordType": "market",
            "sz": "1",
            "reduceOnly": True,
        },
    )
    assert reduce.body["data"][0]["sCode"] == "51169"
    missing = await okx.get(
        "/api/v5/trade/order", {"instId": "BTC-USDT", "ordId": "123"}, private=True
    )
    assert (missing.status, missing.body["code"]) == (200, "51603")
    cancel = await okx.post("/api/v5/trade/cancel-order", {"instId": "BTC-USDT", "ordId": "123"})
    assert cancel.body["code"] == "1" and cancel.body["data"][0]["sCode"] == "51400"
    amend = await okx.post(
        "/api/v5/trade/amend-order", {"instId": "BTC-USDT", "ordId": "123", "newSz": "1"}
    )
    assert amend.body["data"][0]["sCode"] == "51503"


# ----------------------------------------------------------------- account & assets
async def test_transfers_withdrawals_deposits_subaccounts(okx: Any) -> None:
    v = okx.venue
    t = ok(
        await okx.post(
            "/api/v5/asset/transfer",
            {"ccy": "USDT", "amt": "100", "from": "6", "to": "18", "clientId": "t1"},
        )
    )[0]
    assert (t["from"], t["to"], t["amt"], t["clientId"]) == ("6", "18", "100", "t1")
    assert v.view.balances("spot")["USDT"].free == D(100100)
    subs = ok(await okx.get("/api/v5/users/subaccount/list", private=True))
    assert len(subs) == 2 and len({s["uid"] for s in subs}) == 2
    to_sub = ok(
        await okx.post(
            "/api/v5/asset/transfer",
            {
                "ccy": "USDT",
                "amt": "5",
                "from": "18",
                "to": "18",
                "type": "1",
                "subAcct": subs[0]["subAcct"],
            },
        )
    )[0]
    assert to_sub["amt"] == "5"
    await asyncio.sleep(1.05)  # asset/transfer allows 2 requests per second
    broke = await okx.post(
        "/api/v5/asset/transfer",
        {"ccy": "USDT", "amt": "1000000000", "from": "6", "to": "18"},
    )
    assert broke.body["code"] == "58350"
    wd = ok(
        await okx.post(
            "/api/v5/asset/withdrawal",
            {
                "ccy": "USDT",
                "amt": "10",
                "dest": "4",
                "toAddr": "TAddr",
                "chain": "USDT-TRC20",
                "clientId": "w1",
            },
        )
    )[0]
    assert (wd["ccy"], wd["chain"], wd["clientId"]) == ("USDT", "USDT-TRC20", "w1")
    v.core.ledger.set_withdrawal_state(wd["wdId"], WithdrawalState.COMPLETED)
    hist = ok(await okx.get("/api/v5/asset/withdrawal-history", {"ccy": "USDT"}, private=True))
    assert (hist[0]["wdId"], hist[0]["state"], hist[0]["fee"]) == (wd["wdId"], "2", "1")
    deps = ok(await okx.get("/api/v5/asset/deposit-history", private=True))
    assert [d["ccy"] for d in deps] == ["ETH", "BTC", "USDT"] and deps[0]["state"] == "2"


async def test_rate_limit_and_faults(okx_for: Any, okx_options: Any) -> None:
    rules = {"rest": [RateLimitRule("/api/v5/public/time", "SECOND", 60, 3)]}
    async with Venue.start("okx", **okx_options(tick_interval=3600, rate_limits=rules)) as v:
        api = okx_for(v)
        codes = [(await api.get("/api/v5/public/time")).body["code"] for _ in range(3)]
        assert codes == ["0", "0", "0"]
        limited = await api.get("/api/v5/public/time")
        assert (limited.status, limited.body) == (
            429,
            {"code": "50011", "msg": "Too Many Requests", "data": []},
        )
        v.faults.rest_5xx(1)
        down = await api.get("/api/v5/market/books", {"instId": "BTC-USDT"})
        assert (down.status, down.body["code"]) == (503, "50001")
        v.faults.rest_429(1)
        assert (await api.get("/api/v5/market/books", {"instId": "BTC-USDT"})).status == 429
        v.faults.set_maintenance(True)
        status = ok(await api.get("/api/v5/system/status"))
        assert status[0]["state"] == "ongoing"
        assert (await api.get("/api/v5/market/books", {"instId": "BTC-USDT"})).status == 503
        v.faults.set_maintenance(False)
        v.faults.fail_after_accept(1)
        px = bid(api, "BTC-USDT", SPOT)
        lost = await api.post(
            "/api/v5/trade/order",
            {
                "instId": "BTC-USDT",
                "tdMode": "cash",
                "side": "buy",
                "ordType": "limit",
                "px": px,
                "sz": "0.01",
                "clOrdId": "lost1",
            },
        )
        assert lost.body["code"] == "50004"
        assert v.view.order(client_id="lost1", market=SPOT) is not None
