"""Matching engine rules on a bare engine + ledger (no market maker, no servers)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from lotusx.sim.engine import Engine, OrderRequest
from lotusx.sim.ledger import Ledger
from lotusx.sim.market import BTC_PERP_BRACKETS, MarketSpec
from lotusx.sim.model import (
    BookDelta,
    Event,
    ExecType,
    MarketKind,
    Order,
    OrderEvent,
    OrderStatus,
    OrderType,
    Rejected,
    RejectReason,
    Side,
    TimeInForce,
    Trade,
)
from lotusx.sim.settlement import FuturesAccountant, SpotAccountant

D = Decimal


SPOT = MarketSpec(
    "spot",
    "BTCUSDT",
    "BTC",
    "USDT",
    MarketKind.SPOT,
    D("0.01"),
    D("0.001"),
    D("0.001"),
    D("1000"),
    D("1"),
    D("100"),
)
PERP = MarketSpec(
    "futures",
    "BTCUSDT",
    "BTC",
    "USDT",
    MarketKind.LINEAR_PERP,
    D("0.1"),
    D("0.001"),
    D("0.001"),
    D("1000"),
    D("1"),
    D("100"),
    maker_fee=D("0.0002"),
    taker_fee=D("0.0005"),
    brackets=BTC_PERP_BRACKETS,
)


class World:
    def __init__(self, futures: bool = False) -> None:
        self.events: list[Event] = []
        self.clock = 1_000
        self.ledger = Ledger(lambda: self.clock, self.events.append)
        for name in ("a", "b", "c"):
            self.ledger.open_account(name, 1, f"{name}@x")
            for wallet in ("spot", "futures"):
                self.ledger.move((Ledger.EXTERNAL, wallet), (name, wallet), "USDT", D(100000))
            self.ledger.move((Ledger.EXTERNAL, "spot"), (name, "spot"), "BTC", D(100))
        spec = PERP if futures else SPOT
        acct = (
            FuturesAccountant(
                self.ledger, spec.market, {spec.symbol: spec}, lambda: {spec.symbol: D(100)}
            )
            if futures
            else SpotAccountant(self.ledger, spec.market, {spec.symbol: spec})
        )
        self.engine = Engine(spec.market, [spec], acct, lambda: self.clock, self.events.append)

    def limit(self, acct: str, side: Side, price: str, qty: str, **kw: Any) -> Order:
        return self.engine.place(
            OrderRequest(acct, "BTCUSDT", side, OrderType.LIMIT, D(qty), price=D(price), **kw)
        )

    def deltas(self) -> list[BookDelta]:
        return [e for e in self.events if isinstance(e, BookDelta)]


def test_price_time_priority_and_partial_fills() -> None:
    w = World()
    first = w.limit("a", Side.SELL, "101", "1")
    second = w.limit("b", Side.SELL, "101", "1")
    better = w.limit("c", Side.SELL, "100.5", "0.5")
    taker = w.engine.place(
        OrderRequest("a", "BTCUSDT", Side.BUY, OrderType.LIMIT, D("1.2"), price=D("101"))
    )
    trades = [e for e in w.events if isinstance(e, Trade)]
    assert [(t.price, t.qty) for t in trades] == [(D("100.5"), D("0.5")), (D("101"), D("0.7"))]
    assert trades[1].seller_order_id == first.order_id
    assert taker.status is OrderStatus.FILLED
    assert w.engine.orders[first.order_id].executed_qty == D("0.7")
    assert w.engine.orders[second.order_id].executed_qty == 0
    assert w.engine.orders[better.order_id].status is OrderStatus.FILLED
    assert w.engine.books["BTCUSDT"].asks.depth(5) == [(D("101"), D("1.3"))]


def test_ioc_fok_and_market_expire_remainder() -> None:
    w = World()
    w.limit("a", Side.SELL, "101", "1")
    ioc = w.limit("b", Side.BUY, "101", "2", tif=TimeInForce.IOC)
    assert ioc.status is OrderStatus.EXPIRED and ioc.executed_qty == 1
    w.limit("a", Side.SELL, "102", "1")
    fok = w.limit("b", Side.BUY, "102", "2", tif=TimeInForce.FOK)
    assert fok.status is OrderStatus.EXPIRED and fok.executed_qty == 0
    assert w.engine.books["BTCUSDT"].asks.depth(5) == [(D("102"), D("1"))]
    mkt = w.engine.place(OrderRequest("b", "BTCUSDT", Side.BUY, OrderType.MARKET, D("3")))
    assert mkt.status is OrderStatus.EXPIRED and mkt.executed_qty == 1
    assert w.engine.books["BTCUSDT"].asks.depth(5) == []


def test_post_only_rejected_when_it_would_take() -> None:
    w = World()
    w.limit("a", Side.SELL, "101", "1")
    with pytest.raises(Rejected) as exc:
        w.limit("b", Side.BUY, "101", "1", post_only=True)
    assert exc.value.reason is RejectReason.POST_ONLY_WOULD_TAKE
    resting = w.limit("b", Side.BUY, "100.99", "1", post_only=True)
    assert resting.status is OrderStatus.NEW


def test_amend_priority_rules() -> None:
    w = World()
    a = w.limit("a", Side.BUY, "99", "1")
    b = w.limit("b", Side.BUY, "99", "1")
    level = w.engine.books["BTCUSDT"].bids.levels[D("99")]
    w.engine.amend("a", "BTCUSDT", a.order_id, qty=D("0.5"))
    assert list(level.orders) == [a.order_id, b.order_id]
    assert level.qty == D("1.5")
    w.engine.amend("a", "BTCUSDT", a.order_id, qty=D("2"))
    assert list(level.orders) == [b.order_id, a.order_id]
    w.engine.amend("b", "BTCUSDT", b.order_id, price=D("98"))
    assert w.engine.books["BTCUSDT"].bids.depth(5) == [(D("99"), D("2")), (D("98"), D("1"))]
    amended = [
        e for e in w.events if isinstance(e, OrderEvent) and e.exec_type is ExecType.AMENDMENT
    ]
    assert len(amended) == 3


def test_client_ids_unique_among_open_orders_only() -> None:
    w = World()
    w.limit("a", Side.BUY, "99", "1", client_id="x1")
    with pytest.raises(Rejected) as exc:
        w.limit("a", Side.BUY, "98", "1", client_id="x1")
    assert exc.value.reason is RejectReason.DUPLICATE_CLIENT_ID
    w.limit("b", Side.BUY, "98", "1", client_id="x1")  # other account: fine
    w.engine.cancel("a", "BTCUSDT", client_id="x1")
    again = w.limit("a", Side.BUY, "97", "1", client_id="x1")  # no longer open: reusable
    assert w.engine.get("a", "BTCUSDT", client_id="x1") is again


def test_batches_cancel_all_and_update_ids() -> None:
    w = World()
    results = w.engine.place_many(
        [
            OrderRequest("a", "BTCUSDT", Side.BUY, OrderType.LIMIT, D("1"), price=D("99")),
            OrderRequest("a", "BTCUSDT", Side.BUY, OrderType.LIMIT, D("1"), price=D("98")),
            OrderRequest("a", "BTCUSDT", Side.BUY, OrderType.LIMIT, D("1000000"), price=D("97")),
        ]
    )
    assert isinstance(results[2], Rejected)
    assert results[2].reason is RejectReason.INSUFFICIENT_BALANCE
    assert [d.update_id for d in w.deltas()] == [1]
    assert w.deltas()[0].bids == {D("99"): D("1"), D("98"): D("1")}
    w.limit("b", Side.SELL, "105", "1")
    cancelled = w.engine.cancel_all("a", "BTCUSDT")
    assert len(cancelled) == 2
    assert [d.update_id for d in w.deltas()] == [1, 2, 3]
    assert w.engine.books["BTCUSDT"].bids.depth(5) == []
    with pytest.raises(Rejected):
        w.engine.cancel("a", "BTCUSDT", order_id=cancelled[0].order_id)
    before = len(w.deltas())
    with pytest.raises(Rejected):
        w.limit("a", Side.BUY, "99", "1000000")
    assert len(w.deltas()) == before  # a rejected order changes no level


def test_spot_settlement_and_fees() -> None:
    w = World()
    w.limit("a", Side.SELL, "100", "2")
    w.engine.place(
        OrderRequest("b", "BTCUSDT", Side.BUY, OrderType.LIMIT, D("1"), price=D("100.5"))
    )
    led = w.ledger
    assert led.balance("b", "spot", "USDT").free == D(100000) - D(100)
    assert led.balance("b", "spot", "USDT").locked == 0
    assert led.balance("b", "spot", "BTC").free == D(100) + D("1") - D("0.001")
    assert led.balance("a", "spot", "BTC").locked == D(1)
    assert led.balance("a", "spot", "USDT").free == D(100000) + D(100) - D("0.1")
    assert led.balance(Ledger.FEES, "spot", "BTC").free == D("0.001")


def test_reduce_only_rejects_then_shrinks() -> None:
    w = World(futures=True)
    with pytest.raises(Rejected) as exc:
        w.limit("a", Side.SELL, "100", "1", reduce_only=True)
    assert exc.value.reason is RejectReason.REDUCE_ONLY_REJECTED
    w.limit("b", Side.SELL, "100", "1")
    w.limit("a", Side.BUY, "100", "1")  # a is long 1
    w.limit("b", Side.BUY, "99", "5")
    ro = w.limit("a", Side.SELL, "99", "3", reduce_only=True)
    assert ro.executed_qty == 1 and ro.status is OrderStatus.EXPIRED
    assert w.ledger.position("a", "BTCUSDT").qty == 0
    assert w.ledger.position("b", "BTCUSDT").qty == 0
