"""Kraken rules with structure: nonce acceptance, GTD expiry, lost replies, maintenance."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any, cast

import aiohttp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lotusx.sim import Venue
from lotusx.sim.dialects.kraken.auth import NonceBook
from lotusx.sim.dialects.kraken.limits import Decaying
from lotusx.sim.dialects.kraken.params import plain_decimals
from lotusx.sim.dialects.kraken.wsbase import WsConn

from .test_kraken_client import RawKraken, kraken_options


@settings(max_examples=200, deadline=None)
@given(nonces=st.lists(st.integers(1, 60), max_size=40), window=st.integers(0, 10))
def test_nonce_rule(nonces: list[int], window: int) -> None:
    """Accepted iff above every accepted nonce, or (window > 0) unseen and within the window."""
    book = NonceBook(window)
    accepted: list[int] = []
    for n in nonces:
        top = max(accepted, default=None)
        expected = top is None or n > top or (window > 0 and n not in accepted and n > top - window)
        assert book.accept("k", n) is expected
        if expected:
            accepted.append(n)
    assert NonceBook(0).accept("x", 5) is True  # a fresh key takes any nonce


@settings(max_examples=100, deadline=None)
@given(costs=st.lists(st.tuples(st.integers(0, 3000), st.integers(1, 3)), max_size=40))
def test_decaying_counter_never_passes_its_cap(costs: list[tuple[int, int]]) -> None:
    from decimal import Decimal

    counter = Decaying(Decimal(20), Decimal("0.5"))
    now = 0
    for gap, cost in costs:
        now += gap
        before = counter.value("k", now)
        ok = counter.charge("k", Decimal(cost), now)
        assert ok is (before + cost <= 20)
        assert counter.value("k", now) <= 20


@pytest.fixture
async def moving() -> AsyncIterator[RawKraken]:
    async with (
        Venue.start("kraken", **kraken_options(tick_interval=0.05)) as v,
        aiohttp.ClientSession() as s,
    ):
        yield RawKraken(v, s)


async def test_gtd_order_expires_at_expiretm(moving: RawKraken) -> None:
    r = await moving.private(
        "AddOrder",
        {
            "pair": "XBTUSD",
            "type": "buy",
            "ordertype": "limit",
            "volume": "0.01",
            "price": "1000",
            "timeinforce": "GTD",
            "expiretm": "+1",
        },
    )
    (txid,) = r.body["result"]["txid"]
    first = (await moving.private("QueryOrders", {"txid": txid})).body["result"][txid]
    assert first["status"] == "open" and first["expiretm"] > 0 and first["timeinforce"] == "GTD"
    await asyncio.sleep(2.2)
    later = (await moving.private("QueryOrders", {"txid": txid})).body["result"][txid]
    assert later["status"] == "expired"


async def test_lost_reply_still_places_the_order() -> None:
    async with Venue.start("kraken", **kraken_options()) as v, aiohttp.ClientSession() as s:
        k = RawKraken(v, s)
        v.faults.fail_after_accept()
        r = await k.private(
            "AddOrder",
            {
                "pair": "XBTUSD",
                "type": "buy",
                "ordertype": "limit",
                "volume": "0.01",
                "price": "1000",
                "cl_ord_id": "lost-1",
            },
        )
        assert (r.status, r.body["error"]) == (503, ["EService:Unavailable"])
        opened = (await k.private("OpenOrders", {"cl_ord_id": "lost-1"})).body["result"]["open"]
        assert len(opened) == 1
        v.faults.fail_after_accept()
        f = await k.futures(
            "POST",
            "sendorder",
            {
                "orderType": "lmt",
                "symbol": "PF_XBTUSD",
                "side": "buy",
                "size": "0.01",
                "limitPrice": "1000",
                "cliOrdId": "lost-2",
            },
        )
        assert (f.status, f.body["error"]) == (503, "unavailable")
        orders = (await k.futures("GET", "openorders")).body["openOrders"]
        assert [o["cliOrdId"] for o in orders] == ["lost-2"]


async def test_maintenance_blocks_private_calls_only() -> None:
    async with Venue.start("kraken", **kraken_options()) as v, aiohttp.ClientSession() as s:
        k = RawKraken(v, s)
        v.faults.set_maintenance()
        assert (await k.public("SystemStatus")).body["result"]["status"] == "maintenance"
        assert (await k.private("Balance")).body["error"] == ["EService:Unavailable"]
        assert (await k.futures("GET", "accounts")).body["error"] == "unavailable"
        assert (await k.futures("GET", "tickers", signed=False)).body["result"] == "success"


@settings(max_examples=15, deadline=None)
@given(
    orders=st.lists(
        st.tuples(
            st.sampled_from(["buy", "sell"]),
            st.sampled_from([None, "fcib", "fciq"]),
            st.sampled_from(["market", "limit"]),
            st.integers(1, 40),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_spot_settlement_conserves_every_asset(
    orders: list[tuple[str, str | None, str, int]],
) -> None:
    """Whatever mix of sides, fee currencies and order types: no asset is created or lost."""
    from decimal import Decimal

    from lotusx.sim.core import MAIN
    from lotusx.sim.dialects.kraken.markets import SPOT

    async def run() -> None:
        async with (
            Venue.start("kraken", **kraken_options(book_levels=10)) as v,
            aiohttp.ClientSession() as s,
        ):
            k = RawKraken(v, s)
            led = v.core.ledger
            before = {a: led.total(a) for a in ("BTC", "USD")}
            bid = Decimal(
                (await k.public("Depth", pair="XBTUSD", count=1)).body["result"]["XXBTZUSD"][
                    "bids"
                ][0][0]
            )
            for side, flag, kind, size in orders:
                params = {
                    "pair": "XBTUSD",
                    "type": side,
                    "ordertype": kind,
                    "volume": str(Decimal(size) / 100),
                }
                if kind == "limit":
                    params["price"] = str(bid + (50 if side == "buy" else -50))
                if flag:
                    params["oflags"] = flag
                await k.private("AddOrder", params)
            await k.private("CancelAll")
            assert {a: led.total(a) for a in ("BTC", "USD")} == before
            for bal in led.wallet(MAIN, SPOT).values():
                assert bal.locked == 0 and bal.free >= 0

    asyncio.run(run())


async def test_dead_man_switches_cancel_everything_when_not_renewed(moving: RawKraken) -> None:
    k = moving
    await k.private(
        "AddOrder",
        {"pair": "XBTUSD", "type": "buy", "ordertype": "limit", "volume": "0.01", "price": "1000"},
    )
    await k.futures(
        "POST",
        "sendorder",
        {
            "orderType": "lmt",
            "symbol": "PF_XBTUSD",
            "side": "buy",
            "size": "0.01",
            "limitPrice": "1000",
        },
    )
    spot = (await k.private("CancelAllOrdersAfter", {"timeout": "1"})).body["result"]
    assert set(spot) == {"currentTime", "triggerTime"} and spot["triggerTime"] != "0"
    fut = (await k.futures("POST", "cancelallordersafter", {"timeout": "1"})).body
    assert set(fut["status"]) == {"currentTime", "triggerTime"}
    await asyncio.sleep(0.5)
    assert len(k.venue.view.open_orders("spot")) == 1
    await asyncio.sleep(1.2)
    assert k.venue.view.open_orders("spot") == [] and k.venue.view.open_orders("futures") == []
    disarm = (await k.private("CancelAllOrdersAfter", {"timeout": "0"})).body["result"]
    assert disarm["triggerTime"] == "0"


def test_json_numbers_are_plain_decimals() -> None:
    """Tiny quantities go out in plain digits, never in exponent form (``1E-7``)."""
    conn = WsConn(cast(Any, None))
    conn.send({"qty": Decimal("1E-7"), "rows": [[Decimal("0.00000010"), Decimal("1E+3")]]})
    assert conn.queue.get_nowait() == '{"qty":0.0000001,"rows":[[0.00000010,1000]]}'
    assert plain_decimals({"a": (Decimal("5E-8"),)}, text=True) == {"a": ["0.00000005"]}
