"""Kraken spot REST with raw, hand-signed requests: auth, market data, orders, funding, limits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from lotusx.sim import Venue

from .test_kraken_client import SECRET, RawKraken, kraken_options, spot_sign

D = Decimal


@pytest.fixture
async def kraken() -> AsyncIterator[RawKraken]:
    async with Venue.start("kraken", **kraken_options()) as v, aiohttp.ClientSession() as s:
        yield RawKraken(v, s)


def test_documented_api_sign_example() -> None:
    body = "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25"
    assert spot_sign(SECRET, "/0/private/AddOrder", "1616492376594", body) == (
        "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ=="
    )


async def test_minted_credentials_are_kraken_shaped() -> None:
    import base64

    async with Venue.start("kraken", tick_interval=3600, book_levels=5) as v:
        assert len(base64.b64decode(v.secret)) == 64
        assert len(v.api_key) == 56
        assert set(v.urls) == {"spot_rest", "spot_ws", "spot_ws_auth", "futures_rest", "futures_ws"}


async def test_auth_rejects_bad_key_signature_and_old_nonce(kraken: RawKraken) -> None:
    ok = await kraken.private("Balance", nonce=1000)
    assert ok.status == 200 and ok.body["error"] == []
    again = await kraken.private("Balance", nonce=1000)
    assert again.body == {"error": ["EAPI:Invalid nonce"], "result": {}}
    older = await kraken.private("Balance", nonce=999)
    assert older.body["error"] == ["EAPI:Invalid nonce"]
    bad = await kraken.private("Balance", nonce=2000, secret="AAAA" + SECRET[4:])
    assert bad.body["error"] == ["EAPI:Invalid signature"]
    unknown = await kraken.private("Balance", nonce=2001, key="nobody")
    assert unknown.body["error"] == ["EAPI:Invalid key"]
    # a refused signature does not consume the nonce
    assert (await kraken.private("Balance", nonce=2000)).body["error"] == []


async def test_nonce_window_admits_unseen_nonces_just_below_the_last() -> None:
    opts = kraken_options(nonce_window=10)
    async with Venue.start("kraken", **opts) as v, aiohttp.ClientSession() as s:
        k = RawKraken(v, s)
        assert (await k.private("Balance", nonce=100)).body["error"] == []
        assert (await k.private("Balance", nonce=95)).body["error"] == []
        assert (await k.private("Balance", nonce=95)).body["error"] == ["EAPI:Invalid nonce"]
        assert (await k.private("Balance", nonce=89)).body["error"] == ["EAPI:Invalid nonce"]


async def test_json_body_is_signed_as_sent(kraken: RawKraken) -> None:
    r = await kraken.private("Balance", as_json=True)
    assert r.body["error"] == [] and r.body["result"]["ZUSD"] == "100000.0000"


async def test_public_market_data_shapes(kraken: RawKraken) -> None:
    t = (await kraken.public("Time")).body["result"]
    assert set(t) == {"unixtime", "rfc1123"}
    assert (await kraken.public("SystemStatus")).body["result"]["status"] == "online"
    pairs = (await kraken.public("AssetPairs")).body["result"]
    assert set(pairs) == {"XXBTZUSD", "XETHZUSD"}
    xbt = pairs["XXBTZUSD"]
    assert (xbt["altname"], xbt["wsname"], xbt["base"], xbt["quote"]) == (
        "XBTUSD",
        "XBT/USD",
        "XXBT",
        "ZUSD",
    )
    assert (xbt["tick_size"], xbt["lot_decimals"], xbt["pair_decimals"]) == ("0.1", 8, 1)
    one = (await kraken.public("AssetPairs", pair="XBTUSD")).body["result"]
    assert list(one) == ["XXBTZUSD"]
    book = (await kraken.public("Depth", pair="XBTUSD", count=5)).body["result"]["XXBTZUSD"]
    assert len(book["asks"]) == 5 and len(book["bids"]) == 5
    assert D(book["asks"][0][0]) > D(book["bids"][0][0])
    assert [D(a[0]) for a in book["asks"]] == sorted(D(a[0]) for a in book["asks"])
    bad = await kraken.public("Depth", pair="DOGEUSD")
    assert bad.body == {"error": ["EQuery:Unknown asset pair"], "result": {}}
    tick = (await kraken.public("Ticker", pair="XBTUSD")).body["result"]["XXBTZUSD"]
    assert D(tick["a"][0]) == D(book["asks"][0][0]) and D(tick["b"][0]) == D(book["bids"][0][0])
    assets = (await kraken.public("Assets")).body["result"]
    assert assets["XXBT"]["altname"] == "XBT"


async def place(k: RawKraken, **params: Any) -> Any:
    base = {"pair": "XBTUSD", "type": "buy", "ordertype": "limit", "volume": "0.01"}
    return (await k.private("AddOrder", {**base, **params})).body


async def best(k: RawKraken, pair: str = "XBTUSD") -> tuple[Decimal, Decimal]:
    book = (await k.public("Depth", pair=pair, count=1)).body["result"]
    (rows,) = book.values()
    return D(rows["bids"][0][0]), D(rows["asks"][0][0])


async def test_limit_order_rests_and_shows_in_open_orders(kraken: RawKraken) -> None:
    bid, _ = await best(kraken)
    price = bid - D("100")
    r = await place(kraken, price=str(price), cl_ord_id="my-1")
    assert r["error"] == []
    (txid,) = r["result"]["txid"]
    assert len(txid) == 19 and txid[0] == "O" and txid[6] == "-" and txid[12] == "-"
    assert r["result"]["descr"]["order"] == f"buy 0.01000000 XBTUSD @ limit {price}"
    opened = (await kraken.private("OpenOrders")).body["result"]["open"]
    assert opened[txid]["status"] == "open" and opened[txid]["cl_ord_id"] == "my-1"
    assert opened[txid]["descr"]["price"] == str(price)
    ex = (await kraken.private("BalanceEx")).body["result"]["ZUSD"]
    assert D(ex["hold_trade"]) == price * D("0.01") * D("1.004")  # cost plus the taker fee
    q = (await kraken.private("QueryOrders", {"txid": txid})).body["result"]
    assert q[txid]["vol"] == "0.01000000"


async def test_order_argument_errors(kraken: RawKraken) -> None:
    assert (await place(kraken, price="100.05"))["error"] == ["EOrder:Invalid price"]
    assert (await place(kraken, price="30000", volume="0.00001"))["error"] == [
        "EOrder:Order minimum not met"
    ]
    assert (await place(kraken, price="30000", ordertype="stop"))["error"] == [
        "EGeneral:Invalid arguments:ordertype"
    ]
    assert (await place(kraken, price="30000", volume="100"))["error"] == [
        "EOrder:Insufficient funds"
    ]
    assert (await place(kraken, pair="NOPE", price="1"))["error"] == ["EQuery:Unknown asset pair"]
    v = await place(kraken, price="30000", validate="true")
    assert v["error"] == [] and "txid" not in v["result"]
    assert (await kraken.private("OpenOrders")).body["result"]["open"] == {}


async def test_market_buy_fills_and_moves_balances(kraken: RawKraken) -> None:
    before = (await kraken.private("Balance")).body["result"]
    r = await place(kraken, ordertype="market", volume="0.1")
    (txid,) = r["result"]["txid"]
    closed = (await kraken.private("ClosedOrders", {"trades": "true"})).body["result"]
    order = closed["closed"][txid]
    assert order["status"] == "closed" and order["vol_exec"] == "0.10000000"
    assert closed["count"] == 1 and order["trades"]
    after = (await kraken.private("Balance")).body["result"]
    assert D(after["XXBT"]) - D(before["XXBT"]) == D("0.1")
    spent = D(before["ZUSD"]) - D(after["ZUSD"])
    assert spent.quantize(D("0.0001")) == (D(order["cost"]) + D(order["fee"])).quantize(D("0.0001"))
    ex = (await kraken.private("BalanceEx")).body["result"]
    truth = kraken.venue.view.balances()
    for code, asset in (("ZUSD", "USD"), ("XXBT", "BTC")):  # exact, even past 4/10 decimals
        assert D(ex[code]["balance"]) - D(ex[code]["hold_trade"]) == truth[asset].free
        assert D(ex[code]["hold_trade"]) == truth[asset].locked
    hist = (await kraken.private("TradesHistory")).body["result"]
    assert hist["count"] == len(order["trades"])
    assert {t["ordertxid"] for t in hist["trades"].values()} == {txid}
    assert set(hist["trades"]) == set(order["trades"])


async def test_post_only_crossing_is_cancelled(kraken: RawKraken) -> None:
    _, ask = await best(kraken)
    r = await place(kraken, price=str(ask + 10), oflags="post")
    (txid,) = r["result"]["txid"]
    q = (await kraken.private("QueryOrders", {"txid": txid})).body["result"][txid]
    assert (q["status"], q["reason"], q["vol_exec"]) == (
        "canceled",
        "Post only order",
        "0.00000000",
    )


async def test_amend_cancel_and_batches(kraken: RawKraken) -> None:
    bid, _ = await best(kraken)
    a = (await place(kraken, price=str(bid - 50), cl_ord_id="a"))["result"]["txid"][0]
    am = await kraken.private(
        "AmendOrder", {"cl_ord_id": "a", "limit_price": str(bid - 60), "order_qty": "0.02"}
    )
    assert am.body["error"] == [] and "amend_id" in am.body["result"]
    o = (await kraken.private("QueryOrders", {"txid": a})).body["result"][a]
    assert (o["descr"]["price"], o["vol"]) == (str(bid - 60), "0.02000000")
    batch = await kraken.private(
        "AddOrderBatch",
        {
            "pair": "XBTUSD",
            "orders": [
                {"ordertype": "limit", "type": "buy", "volume": "0.01", "price": str(bid - 70)},
                {"ordertype": "limit", "type": "buy", "volume": "500", "price": str(bid - 80)},
            ],
        },
        as_json=True,
    )
    first, second = batch.body["result"]["orders"]
    assert isinstance(first["txid"], str) and second == {"error": "EOrder:Insufficient funds"}
    assert (await kraken.private("CancelOrder", {"txid": a})).body["result"] == {"count": 1}
    gone = await kraken.private("CancelOrder", {"txid": a})
    assert gone.body["error"] == ["EOrder:Unknown order"]
    assert (await kraken.private("CancelAll")).body["result"] == {"count": 1}
    assert (await kraken.private("OpenOrders")).body["result"]["open"] == {}
    too_many = await kraken.private(
        "AddOrderBatch", {"pair": "XBTUSD", "orders": [{}] * 16}, as_json=True
    )
    assert too_many.body["error"] == ["EGeneral:Invalid arguments:orders"]


async def test_cancel_batch_by_txid_and_cl_ord_id(kraken: RawKraken) -> None:
    bid, _ = await best(kraken)
    t1 = (await place(kraken, price=str(bid - 50)))["result"]["txid"][0]
    await place(kraken, price=str(bid - 51), cl_ord_id="c2")
    r = await kraken.private(
        "CancelOrderBatch", {"orders": [{"txid": t1}], "cl_ord_ids": ["c2"]}, as_json=True
    )
    assert r.body["result"] == {"count": 2}


async def test_wallet_transfer_withdraw_and_deposits(kraken: RawKraken) -> None:
    r = await kraken.private(
        "WalletTransfer",
        {"asset": "ZUSD", "from": "Spot Wallet", "to": "Futures Wallet", "amount": "1000"},
    )
    assert r.body["error"] == [] and r.body["result"]["refid"]
    assert kraken.venue.view.balances("futures")["USD"].free == D(101000)
    w = await kraken.private("Withdraw", {"asset": "XBT", "key": "btc-main", "amount": "0.5"})
    refid = w.body["result"]["refid"]
    status = (await kraken.private("WithdrawStatus", {"asset": "XBT"})).body["result"]
    assert status[0]["refid"] == refid and status[0]["status"] == "Initial"
    await asyncio.sleep(0)
    deps = (await kraken.private("DepositStatus")).body["result"]
    assert {d["asset"] for d in deps} == {"ZUSD", "XXBT", "XETH"}
    assert all(d["status"] == "Success" for d in deps)
    wrong = await kraken.private("Withdraw", {"asset": "XBT", "key": "eth-main", "amount": "0.5"})
    assert wrong.body["error"] == ["EFunding:Unknown withdraw key"]
    moved = await kraken.private(
        "Withdraw", {"asset": "XBT", "key": "btc-main", "amount": "0.1", "address": "bc1qother"}
    )
    assert moved.body["error"] == ["EFunding:Invalid withdrawal address"]
    own = await kraken.private("Withdraw", {"asset": "ZUSD", "key": "my-bank", "amount": "20"})
    assert own.body["error"] == []
    (usd,) = [w for w in kraken.venue.view.withdrawals() if w.asset == "USD"]
    assert (usd.amount, usd.fee, usd.address) == (D(20), D(5), "my-bank")
    assert kraken.venue.view.balances()["BTC"].total == D("1.49985")
    tok = (await kraken.private("GetWebSocketsToken")).body["result"]
    assert tok["expires"] == 900 and tok["token"]
    fees = (await kraken.private("TradeVolume", {"pair": "XBTUSD"})).body["result"]
    assert fees["fees"]["XXBTZUSD"]["fee"] == "0.4000"
    assert fees["fees_maker"]["XXBTZUSD"]["fee"] == "0.2500"


async def test_call_counter_refuses_past_the_tier_max_and_decays() -> None:
    async with (
        Venue.start("kraken", **kraken_options(tier="starter")) as v,
        aiohttp.ClientSession() as s,
    ):
        k = RawKraken(v, s)
        errors = [(await k.private("Balance")).body["error"] for _ in range(15)]
        assert errors == [[]] * 15
        assert (await k.private("Balance")).body["error"] == ["EAPI:Rate limit exceeded"]
        await asyncio.sleep(3.2)  # starter decays 0.33/s: one call's worth back
        assert (await k.private("Balance")).body["error"] == []


async def test_trade_history_costs_two(kraken: RawKraken) -> None:
    for _ in range(10):
        assert (await kraken.private("TradesHistory")).body["error"] == []
    assert (await kraken.private("TradesHistory")).body["error"] == ["EAPI:Rate limit exceeded"]


async def test_matching_engine_limit_counts_cancel_penalties() -> None:
    async with (
        Venue.start("kraken", **kraken_options(tier="starter")) as v,
        aiohttp.ClientSession() as s,
    ):
        k = RawKraken(v, s)
        bid, _ = await best(k)
        refused = 0
        for i in range(10):  # +1 per add, +8 per cancel younger than 5 s: 9 each, threshold 60
            r = await place(k, price=str(bid - 50 - i))
            if r["error"]:
                refused += 1
                assert r["error"] == ["EOrder:Rate limit exceeded"]
                continue
            c = await k.private("CancelOrder", {"txid": r["result"]["txid"][0]})
            if c.body["error"]:
                assert c.body["error"] == ["EOrder:Rate limit exceeded"]
                refused += 1
        assert refused > 0


async def test_faults_map_to_kraken_errors(kraken: RawKraken) -> None:
    kraken.venue.faults.rest_5xx()
    r = await kraken.private("Balance")
    assert (r.status, r.body["error"]) == (503, ["EService:Unavailable"])
    kraken.venue.faults.rest_429()
    r = await kraken.public("Time")
    assert r.status == 429 and r.body["error"] == ["EGeneral:Too many requests"]


@pytest.mark.parametrize(
    ("side", "oflags", "fee_in"),
    [
        ("sell", None, "XXBT"),
        ("sell", "fciq", "ZUSD"),
        ("buy", None, "ZUSD"),
        ("buy", "fcib", "XXBT"),
    ],
)
async def test_fee_currency_follows_side_and_oflags(
    kraken: RawKraken, side: str, oflags: str | None, fee_in: str
) -> None:
    before = (await kraken.private("Balance")).body["result"]
    extra = {"oflags": oflags} if oflags else {}
    r = await place(kraken, type=side, ordertype="market", volume="0.1", **extra)
    (txid,) = r["result"]["txid"]
    order = (await kraken.private("QueryOrders", {"txid": txid})).body["result"][txid]
    assert ("fcib" in order["oflags"]) == (fee_in == "XXBT")
    after = (await kraken.private("Balance")).body["result"]
    cost, sign = D(order["cost"]), 1 if side == "buy" else -1
    d_xbt = D(after["XXBT"]) - D(before["XXBT"])
    d_usd = D(after["ZUSD"]) - D(before["ZUSD"])
    if fee_in == "XXBT":
        fee = D("0.1") * D("0.004")
        assert d_xbt == sign * D("0.1") - fee
        assert d_usd == -sign * cost
    else:
        assert d_xbt == sign * D("0.1")
        assert d_usd == -sign * cost - cost * D("0.004")
    both = await place(kraken, price="30000", oflags="fcib,fciq")
    assert both["error"] == ["EGeneral:Invalid arguments:oflags"]


async def test_unknown_method_and_trade_history_order_types(kraken: RawKraken) -> None:
    r = await kraken.private("NoSuchMethod")
    assert r.body == {"error": ["EGeneral:Unknown method"], "result": {}}
    assert (await kraken.public("Nope")).body["error"] == ["EGeneral:Unknown method"]
    await place(kraken, ordertype="market", volume="0.01")
    trades = (await kraken.private("TradesHistory")).body["result"]["trades"]
    assert {t["ordertype"] for t in trades.values()} == {"market"}
    assert all(t["maker"] is False for t in trades.values())


async def test_withdraw_addresses_and_methods(kraken: RawKraken) -> None:
    rows = (await kraken.private("WithdrawAddresses", {"asset": "XBT"})).body["result"]
    assert rows == [
        {
            "address": rows[0]["address"],
            "asset": "XXBT",
            "method": "Bitcoin",
            "key": "btc-main",
            "verified": True,
        }
    ]
    every = (await kraken.private("WithdrawAddresses")).body["result"]
    assert {r["key"] for r in every} == {"btc-main", "eth-main", "usd-bank"}
    methods = (await kraken.private("WithdrawMethods", {"asset": "ZUSD"})).body["result"]
    assert [m["asset"] for m in methods] == ["ZUSD"]
    bad = await kraken.private("WithdrawAddresses", {"asset": "DOGE"})
    assert bad.body["error"] == ["EQuery:Unknown asset"]
    # a withdrawal to a listed key lands on its address
    r = await kraken.private("Withdraw", {"asset": "XBT", "key": "btc-main", "amount": "0.1"})
    assert r.body["error"] == []
    assert kraken.venue.view.withdrawals()[-1].address == rows[0]["address"]


async def test_fok_fills_whole_or_not_at_all(kraken: RawKraken) -> None:
    """`timeinforce=FOK` (AddOrder, since May 2026): all at once, or cancelled untouched."""
    bid, ask = await best(kraken)
    far = await place(kraken, price=str(bid - 100), timeinforce="FOK")
    (txid,) = far["result"]["txid"]
    order = (await kraken.private("QueryOrders", {"txid": txid})).body["result"][txid]
    assert (order["status"], order["vol_exec"]) == ("canceled", "0.00000000")
    crossing = await place(kraken, price=str(ask + 100), timeinforce="FOK")
    (txid,) = crossing["result"]["txid"]
    order = (await kraken.private("QueryOrders", {"txid": txid})).body["result"][txid]
    assert (order["status"], order["vol_exec"]) == ("closed", "0.01000000")
    refused = await place(kraken, price=str(bid - 100), timeinforce="FOK", oflags="post")
    assert refused["error"] == ["EGeneral:Invalid arguments:timeinforce"]
    assert (await kraken.private("OpenOrders")).body["result"]["open"] == {}
