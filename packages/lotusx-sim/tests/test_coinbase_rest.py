"""Coinbase Advanced Trade REST with raw requests: market data, orders, fills, accounts, limits."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from lotusx.sim import Venue
from lotusx.sim.dialects.coinbase import CoinbaseDialect
from lotusx.sim.ratelimit import RateLimitRule

from .conftest import RawCoinbase

D = Decimal


def limit_gtc(cid: str, side: str, size: str, price: str, post_only: bool = False) -> Any:
    return {
        "client_order_id": cid,
        "product_id": "BTC-USD",
        "side": side,
        "order_configuration": {
            "limit_limit_gtc": {"base_size": size, "limit_price": price, "post_only": post_only}
        },
    }


def market(cid: str, side: str, **size: str) -> Any:
    return {
        "client_order_id": cid,
        "product_id": "BTC-USD",
        "side": side,
        "order_configuration": {"market_market_ioc": size},
    }


async def best(c: RawCoinbase) -> tuple[D, D]:
    r = await c.get("/best_bid_ask", {"product_ids": "BTC-USD"})
    book = r.body["pricebooks"][0]
    return D(book["bids"][0]["price"]), D(book["asks"][0]["price"])


async def balances(c: RawCoinbase) -> dict[str, tuple[D, D]]:
    r = await c.get("/accounts")
    return {
        a["currency"]: (D(a["available_balance"]["value"]), D(a["hold"]["value"]))
        for a in r.body["accounts"]
    }


# ----------------------------------------------------------------------------- market data
async def test_products_and_one_product(coinbase: RawCoinbase) -> None:
    r = await coinbase.get("/market/products", private=False)
    assert r.status == 200 and r.body["num_products"] == 2
    ids = {p["product_id"] for p in r.body["products"]}
    assert ids == {"BTC-USD", "ETH-USD"}
    p = (await coinbase.get("/products/BTC-USD")).body
    assert (p["base_increment"], p["quote_increment"], p["product_type"]) == (
        "0.00000001",
        "0.01",
        "SPOT",
    )
    assert (p["base_currency_id"], p["quote_currency_id"], p["status"]) == ("BTC", "USD", "online")
    missing = await coinbase.get("/products/DOGE-USD")
    assert missing.status == 404 and missing.body["error"] == "NOT_FOUND"


async def test_private_market_path_needs_a_jwt(coinbase: RawCoinbase) -> None:
    assert (await coinbase.get("/products", private=False)).status == 401
    assert (await coinbase.get("/market/products", private=False)).status == 200


async def test_product_book_is_sorted_and_matches_best_bid_ask(coinbase: RawCoinbase) -> None:
    r = await coinbase.get(
        "/market/product_book", {"product_id": "BTC-USD", "limit": 5}, private=False
    )
    assert r.status == 200
    book = r.body["pricebook"]
    bids = [D(x["price"]) for x in book["bids"]]
    asks = [D(x["price"]) for x in book["asks"]]
    assert len(bids) == len(asks) == 5
    assert bids == sorted(bids, reverse=True) and asks == sorted(asks) and bids[0] < asks[0]
    assert (bids[0], asks[0]) == await best(coinbase)
    assert D(r.body["spread_absolute"]) == asks[0] - bids[0]
    bad = await coinbase.get("/product_book", {"product_id": "NOPE-USD"})
    assert bad.status == 404


async def test_ticker_and_candles_show_a_trade(
    coinbase: RawCoinbase, coinbase_venue: Venue
) -> None:
    r = await coinbase.post("/orders", market("tk-1", "BUY", base_size="0.01"))
    assert r.body["success"] is True
    t = await coinbase.get("/market/products/BTC-USD/ticker", {"limit": 5}, private=False)
    trades = t.body["trades"]
    # a market BUY took asks: the trade's side is the maker's ("makers side"), SELL
    assert trades and trades[0]["side"] == "SELL" and trades[0]["product_id"] == "BTC-USD"
    assert D(t.body["best_bid"]) < D(t.body["best_ask"])
    no_limit = await coinbase.get("/market/products/BTC-USD/ticker", private=False)
    assert no_limit.status == 400 and no_limit.body["error"] == "INVALID_ARGUMENT"
    now = coinbase_venue.now_ms() // 1000
    params = {"start": now - 600, "end": now + 60, "granularity": "ONE_MINUTE"}
    c = await coinbase.get("/products/BTC-USD/candles", params)
    assert c.status == 200
    candles = c.body["candles"]
    assert candles and set(candles[0]) == {"start", "low", "high", "open", "close", "volume"}
    starts = [int(x["start"]) for x in candles]
    assert starts == sorted(starts, reverse=True)  # newest first
    assert D(candles[0]["volume"]) >= D("0.01")


async def test_candles_reject_more_than_350_and_bad_granularity(coinbase: RawCoinbase) -> None:
    params = {"start": 0, "end": 351 * 60, "granularity": "ONE_MINUTE"}
    r = await coinbase.get("/market/products/BTC-USD/candles", params, private=False)
    assert r.status == 400 and r.body["error"] == "INVALID_ARGUMENT" and r.body["code"] == 3
    ok = await coinbase.get(
        "/market/products/BTC-USD/candles", {**params, "end": 350 * 60}, private=False
    )
    assert ok.status == 200
    bad = await coinbase.get(
        "/market/products/BTC-USD/candles", {**params, "granularity": "1m"}, private=False
    )
    assert bad.status == 400


# ----------------------------------------------------------------------------- orders
async def test_limit_order_place_get_edit_cancel(coinbase: RawCoinbase) -> None:
    bid, _ = await best(coinbase)
    price = str(bid - 500)
    usd_before = (await balances(coinbase))["USD"]
    r = await coinbase.post("/orders", limit_gtc("lim-1", "BUY", "0.01", price))
    assert r.status == 200 and r.body["success"] is True
    sr = r.body["success_response"]
    assert (sr["product_id"], sr["side"], sr["client_order_id"]) == ("BTC-USD", "BUY", "lim-1")
    oid = sr["order_id"]
    order = (await coinbase.get(f"/orders/historical/{oid}")).body["order"]
    assert order["status"] == "OPEN" and order["time_in_force"] == "GOOD_UNTIL_CANCELLED"
    assert order["order_configuration"]["limit_limit_gtc"]["limit_price"] == price
    usd = (await balances(coinbase))["USD"]
    # the hold covers price × size plus the taker fee (every fee is charged in USD)
    assert usd[1] == D(price) * D("0.01") * D("1.012") and usd[0] == usd_before[0] - usd[1]

    new_price = str(bid - 400)
    e = await coinbase.post("/orders/edit", {"order_id": oid, "price": new_price, "size": "0.02"})
    assert e.body == {"success": True, "errors": []}
    queued = (await coinbase.get(f"/orders/historical/{oid}")).body["order"]
    assert queued["status"] == "EDIT_QUEUED"  # the first read after an accepted edit
    order = (await coinbase.get(f"/orders/historical/{oid}")).body["order"]
    assert order["status"] == "OPEN"
    cfg = order["order_configuration"]["limit_limit_gtc"]
    assert (cfg["limit_price"], cfg["base_size"]) == (new_price, "0.02")
    assert order["edit_history"][0]["price"] == new_price
    same = await coinbase.post(
        "/orders/edit", {"order_id": oid, "price": new_price, "size": "0.02"}
    )
    assert same.body["errors"][0]["edit_failure_reason"] == "EDIT_REQUEST_EQUAL_TO_ORIGINAL_REQUEST"

    listed = await coinbase.get("/orders/historical/batch", {"order_status": "OPEN"})
    assert [o["order_id"] for o in listed.body["orders"]] == [oid]

    unknown = "00000000-0000-0000-0000-000000000000"
    c = await coinbase.post("/orders/batch_cancel", {"order_ids": [oid, unknown]})
    assert c.status == 200
    results = c.body["results"]
    assert results[0] == {
        "success": True,
        "failure_reason": "UNKNOWN_CANCEL_FAILURE_REASON",
        "order_id": oid,
    }
    assert results[1]["success"] is False and results[1]["failure_reason"] == "UNKNOWN_CANCEL_ORDER"
    again = await coinbase.post("/orders/batch_cancel", {"order_ids": [oid]})
    assert again.body["results"][0]["failure_reason"] == "DUPLICATE_CANCEL_REQUEST"
    order = (await coinbase.get(f"/orders/historical/{oid}")).body["order"]
    assert order["status"] == "CANCELLED"
    assert (await balances(coinbase))["USD"] == (usd_before[0], D(0))
    edit_closed = await coinbase.post(
        "/orders/edit", {"order_id": oid, "price": price, "size": "0.01"}
    )
    assert edit_closed.body["errors"][0]["edit_failure_reason"] == "ONLY_OPEN_ORDERS_CAN_BE_EDITED"


async def test_duplicate_client_order_id_returns_the_existing_order(coinbase: RawCoinbase) -> None:
    bid, _ = await best(coinbase)
    first = await coinbase.post("/orders", limit_gtc("dup-1", "BUY", "0.01", str(bid - 100)))
    second = await coinbase.post("/orders", limit_gtc("dup-1", "BUY", "0.05", str(bid - 200)))
    assert second.body["success"] is True
    assert second.body["success_response"] == first.body["success_response"]
    listed = await coinbase.get("/orders/historical/batch", {"product_ids": "BTC-USD"})
    assert len(listed.body["orders"]) == 1
    order = listed.body["orders"][0]
    assert order["order_configuration"]["limit_limit_gtc"]["base_size"] == "0.01"
    await coinbase.post("/orders/batch_cancel", {"order_ids": [order["order_id"]]})
    third = await coinbase.post("/orders", limit_gtc("dup-1", "BUY", "0.05", str(bid - 200)))
    assert third.body["success_response"]["order_id"] == order["order_id"]  # also once closed


async def test_order_failures_use_error_response(coinbase: RawCoinbase) -> None:
    _, ask = await best(coinbase)
    post = await coinbase.post("/orders", limit_gtc("po-1", "BUY", "0.01", str(ask + 10), True))
    assert post.status == 200 and post.body["success"] is False
    err = post.body["error_response"]
    assert err["error"] == "INVALID_LIMIT_PRICE_POST_ONLY"
    assert err["preview_failure_reason"] == "PREVIEW_INVALID_LIMIT_PRICE_POST_ONLY"
    poor = await coinbase.post("/orders", limit_gtc("nf-1", "BUY", "100", str(ask - 1000)))
    assert poor.body["error_response"]["error"] == "INSUFFICIENT_FUND"
    product = await coinbase.post(
        "/orders", {**market("pp-1", "BUY", quote_size="10"), "product_id": "X-Y"}
    )
    assert product.body["error_response"]["error"] == "INVALID_PRODUCT_ID"
    precision = await coinbase.post("/orders", limit_gtc("pr-1", "BUY", "0.000000001", "100"))
    assert precision.body["error_response"]["error"] == "INVALID_SIZE_PRECISION"
    small = await coinbase.post("/orders", market("sm-1", "BUY", quote_size="0.5"))
    assert small.body["error_response"]["preview_failure_reason"] == (
        "PREVIEW_INVALID_QUOTE_SIZE_TOO_SMALL"
    )
    # refused orders do not exist, so the client id stays free
    ok = await coinbase.post("/orders", market("po-1", "BUY", quote_size="10"))
    assert ok.body["success"] is True


async def test_malformed_create_is_400_invalid_argument(coinbase: RawCoinbase) -> None:
    body = market("m-1", "BUY", quote_size="10")
    del body["client_order_id"]
    r = await coinbase.post("/orders", body)
    assert r.status == 400
    assert set(r.body) == {"error", "code", "message", "details"}
    assert (r.body["error"], r.body["code"]) == ("INVALID_ARGUMENT", 3)
    both = await coinbase.post("/orders", market("m-2", "BUY", quote_size="10", base_size="1"))
    assert both.status == 400
    text = await coinbase.post("/orders", market("m-3", "BUY", quote_size="ten"))
    assert text.status == 400


async def test_market_buy_fills_and_moves_balances(coinbase: RawCoinbase) -> None:
    before = await balances(coinbase)
    r = await coinbase.post("/orders", market("mk-1", "BUY", quote_size="1000"))
    oid = r.body["success_response"]["order_id"]
    order = (await coinbase.get(f"/orders/historical/{oid}")).body["order"]
    assert order["status"] == "FILLED" and order["order_type"] == "MARKET"
    assert order["time_in_force"] == "IMMEDIATE_OR_CANCEL"
    fills = (await coinbase.get("/orders/historical/fills", {"order_ids": oid})).body["fills"]
    assert fills and all(f["liquidity_indicator"] == "TAKER" for f in fills)
    assert all(f["order_id"] == oid and f["side"] == "BUY" for f in fills)
    value = sum(D(f["price"]) * D(f["size"]) for f in fills)
    assert value == D(order["filled_value"])
    commission = sum(D(f["commission"]) for f in fills)
    assert commission == D(order["total_fees"])
    assert commission == sum(
        (D(f["price"]) * D(f["size"]) * D("0.012")).quantize(D("1e-8")) for f in fills
    )
    # quote_size includes the fees
    assert order["size_inclusive_of_fees"] is True and D(990) < value + commission <= D(1000)
    after = await balances(coinbase)
    assert after["USD"] == (before["USD"][0] - value - commission, D(0))
    assert after["BTC"][0] == before["BTC"][0] + D(order["filled_size"])


async def test_fok_and_ioc_without_liquidity_are_cancelled(coinbase: RawCoinbase) -> None:
    bid, _ = await best(coinbase)
    post_fok = {
        "client_order_id": "fok-0",
        "product_id": "BTC-USD",
        "side": "BUY",
        "order_configuration": {
            "limit_limit_fok": {"base_size": "0.01", "limit_price": str(bid), "post_only": True}
        },
    }
    refused = await coinbase.post("/orders", post_fok)
    assert refused.body["error_response"]["error"] == "POST_ONLY_NOT_ALLOWED_WITH_FOK"
    fok = {
        "client_order_id": "fok-1",
        "product_id": "BTC-USD",
        "side": "BUY",
        "order_configuration": {"limit_limit_fok": {"base_size": "0.01", "limit_price": str(bid)}},
    }
    r = await coinbase.post("/orders", fok)
    order = await coinbase.get(f"/orders/historical/{r.body['success_response']['order_id']}")
    assert order.body["order"]["status"] == "CANCELLED"
    assert order.body["order"]["time_in_force"] == "FILL_OR_KILL"
    ioc = {**fok, "client_order_id": "ioc-1"}
    ioc["order_configuration"] = {"sor_limit_ioc": {"base_size": "0.01", "limit_price": str(bid)}}
    r = await coinbase.post("/orders", ioc)
    order = await coinbase.get(f"/orders/historical/{r.body['success_response']['order_id']}")
    assert order.body["order"]["status"] == "CANCELLED"
    assert order.body["order"]["filled_size"] == "0"


async def test_list_orders_pages_with_cursor(coinbase: RawCoinbase) -> None:
    bid, _ = await best(coinbase)
    placed = []
    for i in range(5):
        r = await coinbase.post("/orders", limit_gtc(f"pg-{i}", "BUY", "0.001", str(bid - 100 - i)))
        placed.append(r.body["success_response"]["order_id"])
    seen: list[str] = []
    cursor = ""
    for _ in range(5):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await coinbase.get("/orders/historical/batch", params)).body
        seen += [o["order_id"] for o in page["orders"]]
        if not page["has_next"]:
            break
        cursor = page["cursor"]
    assert seen == list(reversed(placed))
    mixed = await coinbase.get(
        "/orders/historical/batch", [("order_status", "OPEN"), ("order_status", "FILLED")]
    )
    assert mixed.status == 400


# ----------------------------------------------------------------------------- account
async def test_portfolios_move_funds_and_sub_keys(
    coinbase: RawCoinbase, coinbase_venue: Venue
) -> None:
    r = await coinbase.get("/portfolios")
    ports = r.body["portfolios"]
    assert [p["type"] for p in ports] == ["DEFAULT", "CONSUMER", "CONSUMER"]
    main, sub = ports[0]["uuid"], ports[1]["uuid"]
    sub_key = CoinbaseDialect.sub_credentials(coinbase.key, coinbase.secret)["sub1"]
    sub_before = await coinbase.get("/accounts", key=sub_key)
    usd = next(a for a in sub_before.body["accounts"] if a["currency"] == "USD")
    assert usd["retail_portfolio_id"] == sub
    body = {
        "funds": {"value": "250.5", "currency": "USD"},
        "source_portfolio_uuid": main,
        "target_portfolio_uuid": sub,
    }
    moved = await coinbase.post("/portfolios/move_funds", body)
    assert moved.status == 200
    assert moved.body == {"source_portfolio_uuid": main, "target_portfolio_uuid": sub}
    sub_after = await coinbase.get("/accounts", key=sub_key)
    usd_after = next(a for a in sub_after.body["accounts"] if a["currency"] == "USD")
    gained = D(usd_after["available_balance"]["value"]) - D(usd["available_balance"]["value"])
    assert gained == D("250.5")
    too_much = {**body, "funds": {"value": "100000000", "currency": "USD"}}
    assert (await coinbase.post("/portfolios/move_funds", too_much)).status == 400
    same = {**body, "target_portfolio_uuid": main}
    assert (await coinbase.post("/portfolios/move_funds", same)).status == 400
    breakdown = (await coinbase.get(f"/portfolios/{sub}")).body["breakdown"]
    assert breakdown["portfolio"]["uuid"] == sub
    cash = D(breakdown["portfolio_balances"]["total_cash_equivalent_balance"]["value"])
    assert cash == D(usd_after["available_balance"]["value"])


async def test_a_portfolio_key_sees_only_its_portfolio_orders(coinbase: RawCoinbase) -> None:
    bid, _ = await best(coinbase)
    r = await coinbase.post("/orders", limit_gtc("iso-1", "BUY", "0.001", str(bid - 100)))
    oid = r.body["success_response"]["order_id"]
    sub_key = CoinbaseDialect.sub_credentials(coinbase.key, coinbase.secret)["sub2"]
    other = await coinbase.get(f"/orders/historical/{oid}", key=sub_key)
    assert other.status == 404 and other.body["error"] == "NOT_FOUND"
    cancel = await coinbase.post("/orders/batch_cancel", {"order_ids": [oid]}, key=sub_key)
    assert cancel.body["results"][0]["failure_reason"] == "UNKNOWN_CANCEL_ORDER"


async def test_accounts_paginate_and_account_by_uuid(coinbase: RawCoinbase) -> None:
    first = (await coinbase.get("/accounts", {"limit": 2})).body
    assert first["size"] == 2 and first["has_next"] is True
    rest = (await coinbase.get("/accounts", {"limit": 2, "cursor": first["cursor"]})).body
    assert rest["has_next"] is False and len(rest["accounts"]) == 1
    uuid = rest["accounts"][0]["uuid"]
    one = await coinbase.get(f"/accounts/{uuid}")
    assert one.body["account"] == {
        **rest["accounts"][0],
        "updated_at": one.body["account"]["updated_at"],
    }
    assert (await coinbase.get("/accounts/not-a-uuid")).status == 404


async def test_transaction_summary_reports_the_fee_tier(coinbase: RawCoinbase) -> None:
    r = await coinbase.get("/transaction_summary")
    tier = r.body["fee_tier"]
    assert (D(tier["maker_fee_rate"]), D(tier["taker_fee_rate"])) == (D("0.006"), D("0.012"))


# ----------------------------------------------------------------------------- limits
async def test_private_burst_gets_429(coinbase: RawCoinbase) -> None:
    replies = await asyncio.gather(*(coinbase.get("/accounts") for _ in range(70)))
    limited = [r for r in replies if r.status == 429]
    assert limited and len(limited) <= 70 - 30
    assert limited[0].body["error"] == "RESOURCE_EXHAUSTED" and limited[0].body["code"] == 8


async def test_public_burst_gets_429_per_ip(coinbase: RawCoinbase) -> None:
    replies = await asyncio.gather(
        *(coinbase.get("/market/products", private=False) for _ in range(30))
    )
    assert 0 < sum(r.status == 429 for r in replies) <= 20


async def test_rate_limit_override(coinbase_for: Any) -> None:
    rules = {"rest": [RateLimitRule("private", "MINUTE", 1, 3)]}
    async with Venue.start("coinbase", tick_interval=3600, book_levels=10, rate_limits=rules) as v:
        c = coinbase_for(v)
        statuses = [(await c.get("/accounts")).status for _ in range(5)]
        assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]


async def test_injected_faults(coinbase: RawCoinbase, coinbase_venue: Venue) -> None:
    coinbase_venue.faults.rest_5xx()
    r = await coinbase.get("/accounts")
    assert r.status == 503 and r.body["error"] == "UNAVAILABLE"
    coinbase_venue.faults.fail_after_accept()
    lost = await coinbase.post("/orders", market("fa-1", "BUY", quote_size="10"))
    assert lost.status == 500
    again = await coinbase.post("/orders", market("fa-1", "BUY", quote_size="10"))
    assert again.body["success"] is True  # the order was placed: the retry finds it
    listed = await coinbase.get("/orders/historical/batch")
    assert len(listed.body["orders"]) == 1


async def test_sell_fee_comes_out_of_the_usd_received(coinbase: RawCoinbase) -> None:
    before = await balances(coinbase)
    r = await coinbase.post("/orders", market("sl-1", "SELL", base_size="0.1"))
    oid = r.body["success_response"]["order_id"]
    order = (await coinbase.get(f"/orders/historical/{oid}")).body["order"]
    value, fees = D(order["filled_value"]), D(order["total_fees"])
    assert order["status"] == "FILLED" and fees > 0
    assert D(order["total_value_after_fees"]) == value - fees
    after = await balances(coinbase)
    assert after["USD"][0] == before["USD"][0] + value - fees
    assert after["BTC"][0] == before["BTC"][0] - D("0.1")


async def test_gtd_order_expires_at_end_time(coinbase_for: Any) -> None:
    import datetime as dt

    async with Venue.start("coinbase", tick_interval=0.05, book_levels=10) as v:
        c = coinbase_for(v)
        bid, _ = await best(c)
        # Whole seconds on the wire: at least one full second ahead, whatever the clock's ms.
        end_s = v.now_ms() // 1000 + 2
        end = dt.datetime.fromtimestamp(end_s, dt.UTC)
        body = {
            "client_order_id": "gtd-1",
            "product_id": "BTC-USD",
            "side": "BUY",
            "order_configuration": {
                "limit_limit_gtd": {
                    "base_size": "0.001",
                    "limit_price": str(bid - 1000),
                    "end_time": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
                }
            },
        }
        oid = (await c.post("/orders", body)).body["success_response"]["order_id"]
        first = (await c.get(f"/orders/historical/{oid}")).body["order"]
        assert first["status"] == "OPEN" and first["time_in_force"] == "GOOD_UNTIL_DATE_TIME"
        await asyncio.sleep((end_s * 1000 - v.now_ms()) / 1000 + 0.5)
        later = (await c.get(f"/orders/historical/{oid}")).body["order"]
        assert later["status"] == "EXPIRED"
        past = {**body, "client_order_id": "gtd-2"}
        assert (await c.post("/orders", past)).body["success"] is False


async def test_market_fok_fills_whole_or_is_cancelled(coinbase_for: Any) -> None:
    """market_market_fok (a documented configuration): all of it now, or nothing."""

    def fok(cid: str, size: str) -> Any:
        body = market(cid, "SELL", base_size=size)
        body["order_configuration"] = {"market_market_fok": {"base_size": size}}
        return body

    async with Venue.start("coinbase", seed=7, tick_interval=3600, book_levels=2) as thin:
        coinbase = coinbase_for(thin)
        small = await coinbase.post("/orders", fok("fok-1", "0.001"))
        oid = small.body["success_response"]["order_id"]
        order = (await coinbase.get(f"/orders/historical/{oid}")).body["order"]
        assert (order["status"], order["filled_size"]) == ("FILLED", "0.001")
        assert order["time_in_force"] == "FILL_OR_KILL"
        assert order["order_configuration"] == {"market_market_fok": {"base_size": "0.001"}}
        bids = (await coinbase.get("/product_book", {"product_id": "BTC-USD"})).body
        depth = sum(D(b["size"]) for b in bids["pricebook"]["bids"])
        assert depth < 1  # two thin levels: a 1 BTC sell cannot fill whole
        huge = await coinbase.post("/orders", fok("fok-2", "1"))
        oid = huge.body["success_response"]["order_id"]
        order = (await coinbase.get(f"/orders/historical/{oid}")).body["order"]
        assert (order["status"], order["filled_size"]) == ("CANCELLED", "0")
