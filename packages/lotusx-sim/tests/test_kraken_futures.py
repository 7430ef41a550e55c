"""Kraken Futures REST with raw requests signed from the documented Authent recipe."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from lotusx.sim import Venue

from .test_kraken_client import RawKraken, futures_sign, kraken_options

D = Decimal


@pytest.fixture
async def kraken() -> AsyncIterator[RawKraken]:
    async with Venue.start("kraken", **kraken_options()) as v, aiohttp.ClientSession() as s:
        yield RawKraken(v, s)


async def book(k: RawKraken, symbol: str = "PF_XBTUSD") -> tuple[D, D]:
    ob = (await k.futures("GET", "orderbook", {"symbol": symbol}, signed=False)).body
    return D(str(ob["orderBook"]["bids"][0][0])), D(str(ob["orderBook"]["asks"][0][0]))


async def send(k: RawKraken, **params: Any) -> Any:
    base = {"orderType": "lmt", "symbol": "PF_XBTUSD", "side": "buy", "size": "0.01"}
    r = await k.futures("POST", "sendorder", {**base, **params})
    assert r.body["result"] == "success", r.body
    return r.body["sendStatus"]


async def test_authent_is_checked_with_the_derivatives_prefix_removed(kraken: RawKraken) -> None:
    ok = await kraken.futures("GET", "accounts")
    assert ok.body["result"] == "success"
    flex = ok.body["accounts"]["flex"]
    assert flex["type"] == "multiCollateralMarginAccount"
    assert flex["currencies"]["USD"]["quantity"] == 100000
    bad = await kraken.futures("GET", "accounts", secret="AAAA" + kraken.secret[4:])
    assert bad.body["result"] == "error" and bad.body["error"] == "authenticationError"
    # signed over the full path (the pre-2024 flow): refused
    path = "/derivatives/api/v3/accounts"
    headers = {
        "APIKey": kraken.key,
        "Nonce": "5",
        "Authent": futures_sign(kraken.secret, "", "5", path),
    }
    async with kraken.session.get(kraken.venue.urls["futures_rest"] + path, headers=headers) as r:
        assert (await r.json())["error"] == "authenticationError"


async def test_reused_nonce_is_refused(kraken: RawKraken) -> None:
    assert (await kraken.futures("GET", "openorders", nonce="77")).body["result"] == "success"
    again = await kraken.futures("GET", "openorders", nonce="77")
    assert again.body == {
        "result": "error",
        "error": "nonceDuplicate",
        "serverTime": again.body["serverTime"],
    }
    # out of order but unseen: tolerated
    assert (await kraken.futures("GET", "openorders", nonce="70")).body["result"] == "success"


async def test_public_instruments_tickers_history(kraken: RawKraken) -> None:
    ins = (await kraken.futures("GET", "instruments", signed=False)).body["instruments"]
    assert [i["symbol"] for i in ins] == ["PF_XBTUSD", "PF_ETHUSD"]
    assert ins[0]["type"] == "flexible_futures" and ins[0]["contractValueTradePrecision"] == 4
    levels = ins[0]["marginLevels"]
    assert levels[0]["numNonContractUnits"] == 0
    assert [lv["numNonContractUnits"] for lv in levels] == sorted(
        lv["numNonContractUnits"] for lv in levels
    )
    assert all(lv["maintenanceMargin"] < lv["initialMargin"] for lv in levels)
    tick = (await kraken.futures("GET", "tickers", signed=False)).body["tickers"][0]
    for field in ("markPrice", "indexPrice", "fundingRate", "fundingRatePrediction", "bid", "ask"):
        assert isinstance(tick[field], int | float), field
    assert tick["bid"] < tick["ask"]
    bid, ask = await book(kraken)
    assert bid < ask
    bad = await kraken.futures("GET", "orderbook", {"symbol": "PF_DOGEUSD"}, signed=False)
    assert bad.body["result"] == "error"


async def test_send_rest_edit_cancel(kraken: RawKraken) -> None:
    bid, _ = await book(kraken)
    st = await send(kraken, limitPrice=str(bid - 100), cliOrdId="f-1")
    assert st["status"] == "placed"
    assert [e["type"] for e in st["orderEvents"]] == ["PLACE"]
    oid = st["order_id"]
    opened = (await kraken.futures("GET", "openorders")).body["openOrders"]
    assert [(o["order_id"], o["cliOrdId"], o["status"]) for o in opened] == [
        (oid, "f-1", "untouched")
    ]
    ed = (
        await kraken.futures(
            "POST", "editorder", {"orderId": oid, "limitPrice": str(bid - 90), "size": "0.02"}
        )
    ).body
    assert ed["editStatus"]["status"] == "edited"
    assert ed["editStatus"]["orderEvents"][0]["new"]["limitPrice"] == float(bid - 90)
    assert ed["editStatus"]["orderEvents"][0]["new"]["quantity"] == 0.02
    c = (await kraken.futures("POST", "cancelorder", {"order_id": oid})).body["cancelStatus"]
    assert c["status"] == "cancelled" and c["order_id"] == oid
    again = (await kraken.futures("POST", "cancelorder", {"order_id": oid})).body["cancelStatus"]
    assert again["status"] == "notFound"
    missing = (await kraken.futures("POST", "editorder", {"orderId": oid, "size": "1"})).body
    assert missing["editStatus"]["status"] == "orderForEditNotFound"


async def test_refusal_statuses(kraken: RawKraken) -> None:
    bid, ask = await book(kraken)
    assert (await send(kraken, orderType="post", limitPrice=str(ask + 5)))[
        "status"
    ] == "postWouldExecute"
    assert (await send(kraken, orderType="ioc", limitPrice=str(bid - 500)))[
        "status"
    ] == "iocWouldNotExecute"
    assert (await send(kraken, limitPrice=str(bid - 1000), size="900"))[
        "status"
    ] == "insufficientAvailableFunds"
    assert (await send(kraken, limitPrice="100.5"))["status"] == "invalidPrice"
    assert (await send(kraken, limitPrice=str(bid - 100), size="0.00001"))[
        "status"
    ] == "invalidSize"
    assert (await send(kraken, side="sell", orderType="mkt", reduceOnly="true"))[
        "status"
    ] == "wouldNotReducePosition"
    await send(kraken, limitPrice=str(bid - 100), cliOrdId="dup")
    assert (await send(kraken, limitPrice=str(bid - 101), cliOrdId="dup"))[
        "status"
    ] == "clientOrderIdAlreadyExist"
    assert (await send(kraken, orderType="stp"))["status"] == "invalidOrderType"


async def test_market_fill_position_fills_and_leverage(kraken: RawKraken) -> None:
    put = await kraken.futures(
        "PUT", "leveragepreferences", {"symbol": "PF_XBTUSD", "maxLeverage": "10"}
    )
    assert put.body["result"] == "success"
    prefs = (await kraken.futures("GET", "leveragepreferences")).body["leveragePreferences"]
    assert prefs == [{"symbol": "PF_XBTUSD", "maxLeverage": 10}]
    st = await send(kraken, orderType="mkt", size="0.05")
    assert st["status"] == "placed"
    assert st["orderEvents"] and all(e["type"] == "EXECUTION" for e in st["orderEvents"])
    assert sum(D(str(e["amount"])) for e in st["orderEvents"]) == D("0.05")
    pos = (await kraken.futures("GET", "openpositions")).body["openPositions"]
    assert [(p["symbol"], p["side"], p["size"]) for p in pos] == [("PF_XBTUSD", "long", 0.05)]
    fills = (await kraken.futures("GET", "fills")).body["fills"]
    assert {f["order_id"] for f in fills} == {st["order_id"]} and fills[0]["fillType"] == "taker"
    flex = (await kraken.futures("GET", "accounts")).body["accounts"]["flex"]
    assert flex["initialMargin"] > 0 and flex["availableMargin"] < 100000
    close = await send(kraken, orderType="mkt", side="sell", size="0.05", reduceOnly="true")
    assert close["status"] == "placed"
    assert (await kraken.futures("GET", "openpositions")).body["openPositions"] == []


async def test_batch_and_cancel_all(kraken: RawKraken) -> None:
    bid, _ = await book(kraken)
    batch = {
        "batchOrder": [
            {
                "order": "send",
                "order_tag": "a",
                "orderType": "lmt",
                "symbol": "PF_XBTUSD",
                "side": "buy",
                "size": "0.01",
                "limit_price": str(bid - 100),
            },
            {
                "order": "send",
                "order_tag": "b",
                "orderType": "lmt",
                "symbol": "PF_ETHUSD",
                "side": "buy",
                "size": "0.1",
                "limit_price": "100",
            },
        ]
    }
    r = (await kraken.futures("POST", "batchorder", {"json": json.dumps(batch)})).body
    statuses = r["batchStatus"]
    assert [(s["order_tag"], s["status"]) for s in statuses] == [("a", "placed"), ("b", "placed")]
    edit_cancel = {
        "batchOrder": [
            {"order": "edit", "order_id": statuses[0]["order_id"], "size": "0.03"},
            {"order": "cancel", "order_id": statuses[1]["order_id"]},
        ]
    }
    r2 = (await kraken.futures("POST", "batchorder", {"json": json.dumps(edit_cancel)})).body
    assert [s["status"] for s in r2["batchStatus"]] == ["edited", "cancelled"]
    ca = (await kraken.futures("POST", "cancelallorders", {"symbol": "PF_XBTUSD"})).body[
        "cancelStatus"
    ]
    assert ca["status"] == "cancelled" and [c["order_id"] for c in ca["cancelledOrders"]] == [
        statuses[0]["order_id"]
    ]
    none = (await kraken.futures("POST", "cancelallorders")).body["cancelStatus"]
    assert none["status"] == "noOrdersToCancel"


async def test_transfers_between_spot_and_futures(kraken: RawKraken) -> None:
    r = await kraken.private(
        "WalletTransfer",
        {"asset": "XBT", "from": "Spot Wallet", "to": "Futures Wallet", "amount": "0.5"},
    )
    assert r.body["error"] == []
    flex = (await kraken.futures("GET", "accounts")).body["accounts"]["flex"]
    assert flex["currencies"]["XBT"]["quantity"] == 0.5
    w = await kraken.futures("POST", "withdrawal", {"currency": "USD", "amount": "250"})
    assert w.body["result"] == "success"
    bal = (await kraken.private("Balance")).body["result"]
    assert D(bal["ZUSD"]) == D(100250) and D(bal["XXBT"]) == D("1.5")
    poor = await kraken.futures("POST", "withdrawal", {"currency": "USD", "amount": "10000000"})
    assert poor.body["error"] == "insufficientFunds"


async def test_cost_budget_refuses_with_api_limit_exceeded(kraken: RawKraken) -> None:
    codes = []
    for _ in range(22):  # cancelallorders costs 25 of 500 per 10 s
        codes.append((await kraken.futures("POST", "cancelallorders")).body.get("error"))
    assert codes[:20] == [None] * 20 and codes[20:] == ["apiLimitExceeded"] * 2


async def test_funding_history_uses_relative_and_absolute_rates() -> None:
    opts = kraken_options(funding_interval_ms=1000, tick_interval=0.05)
    async with Venue.start("kraken", **opts) as v, aiohttp.ClientSession() as s:
        k = RawKraken(v, s)
        import asyncio

        await asyncio.sleep(1.3)
        r = (
            await k.futures(
                "GET", "historical-funding-rates", {"symbol": "PF_XBTUSD"}, signed=False
            )
        ).body
        rates = r["rates"]
        assert rates and set(rates[0]) == {"timestamp", "fundingRate", "relativeFundingRate"}


async def test_orders_status_names_open_and_just_closed_orders(kraken: RawKraken) -> None:
    bid, _ = await book(kraken)
    resting = await send(kraken, limitPrice=str(bid - 1000), cliOrdId="st-1")
    oid = resting["order_id"]
    other = await send(kraken, limitPrice=str(bid - 1001), cliOrdId="st-2")
    r = await kraken.futures("POST", "orders/status", {"orderIds": oid})
    assert r.body["result"] == "success"
    ((item,),) = [r.body["orders"]]
    assert item["status"] == "ENTERED_BOOK"
    assert (item["order"]["orderId"], item["order"]["cliOrdId"]) == (oid, "st-1")
    assert item["order"]["type"] == "ORDER" and item["order"]["filled"] == 0
    await kraken.futures("POST", "cancelorder", {"order_id": other["order_id"]})
    r = await kraken.futures("POST", "orders/status", {"cliOrdIds": "st-2"})
    assert [i["status"] for i in r.body["orders"]] == ["CANCELLED"]
    kraken.venue.faults.skew_clock(6000)  # closed more than 5 seconds ago: no longer listed
    r = await kraken.futures("POST", "orders/status", {"cliOrdIds": "st-2"})
    assert r.body["orders"] == []


async def test_subaccounts_of_the_master_account(kraken: RawKraken) -> None:
    r = await kraken.futures("GET", "subaccounts")
    assert r.body["result"] == "success"
    subs = r.body["subaccounts"]
    assert len(subs) == 2 and len({s["accountUid"] for s in subs}) == 2
    assert r.body["masterAccountUid"] not in {s["accountUid"] for s in subs}
    assert all({"holdingAccounts", "futuresAccounts", "flexAccount"} <= s.keys() for s in subs)
    assert subs[0]["flexAccount"]["type"] == "multiCollateralMarginAccount"
