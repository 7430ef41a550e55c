"""Hypothesis properties of the engine + ledger under random order flow."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lotusx.sim.engine import Engine, OrderRequest
from lotusx.sim.ledger import Ledger
from lotusx.sim.market import BTC_PERP_BRACKETS, MarketSpec
from lotusx.sim.model import MarketKind, OrderType, Rejected, Side, TimeInForce
from lotusx.sim.settlement import FuturesAccountant, SpotAccountant

D = Decimal

ACCOUNTS = ("a", "b", "c")
SPOT = MarketSpec(
    "spot",
    "X",
    "BTC",
    "USDT",
    MarketKind.SPOT,
    D("0.1"),
    D("0.01"),
    D("0.01"),
    D("1000"),
    D("0"),
    D("100"),
    maker_fee=D("0.001"),
    taker_fee=D("0.002"),
)
PERP = MarketSpec(
    "futures",
    "X",
    "BTC",
    "USDT",
    MarketKind.LINEAR_PERP,
    D("0.1"),
    D("0.01"),
    D("0.01"),
    D("1000"),
    D("0"),
    D("100"),
    maker_fee=D("0.0002"),
    taker_fee=D("0.0005"),
    brackets=BTC_PERP_BRACKETS,
)
MARK = D(100)

place = st.tuples(
    st.just("place"),
    st.sampled_from(ACCOUNTS),
    st.sampled_from(list(Side)),
    st.sampled_from(["limit", "limit", "limit", "market", "post", "ioc", "fok", "reduce"]),
    st.integers(-20, 20),
    st.integers(1, 300),
)
cancel = st.tuples(st.just("cancel"), st.integers(0, 50))
amend = st.tuples(st.just("amend"), st.integers(0, 50), st.integers(-20, 20), st.integers(1, 300))
cancel_all = st.tuples(st.just("cancel_all"), st.sampled_from(ACCOUNTS))
ops = st.lists(st.one_of(place, place, place, cancel, amend, cancel_all), max_size=60)


def build(futures: bool) -> tuple[Engine, Ledger]:
    ledger = Ledger(lambda: 0, lambda e: None)
    spec = PERP if futures else SPOT
    for name in ACCOUNTS:
        ledger.open_account(name, 1, name)
        ledger.move((Ledger.EXTERNAL, spec.market), (name, spec.market), "USDT", D(2000))
        if not futures:
            ledger.move((Ledger.EXTERNAL, "spot"), (name, "spot"), "BTC", D(10))
    acct: Any = (
        FuturesAccountant(ledger, "futures", {"X": spec}, lambda: {"X": MARK})
        if futures
        else SpotAccountant(ledger, "spot", {"X": spec})
    )
    return Engine(spec.market, [spec], acct, lambda: 0, lambda e: None), ledger


def run(engine: Engine, op: tuple[Any, ...]) -> None:
    kind = op[0]
    try:
        if kind == "place":
            _, acct, side, style, off, lots = op
            price = D(100) + D(off) / 10
            qty = D(lots) / 100
            market = style == "market"
            engine.place(
                OrderRequest(
                    acct,
                    "X",
                    side,
                    OrderType.MARKET if market else OrderType.LIMIT,
                    qty,
                    price=None if market else price,
                    tif={"ioc": TimeInForce.IOC, "fok": TimeInForce.FOK}.get(
                        style, TimeInForce.GTC
                    ),
                    post_only=style == "post",
                    reduce_only=style == "reduce",
                )
            )
        elif kind in ("cancel", "amend"):
            live = sorted(
                (o for o in engine.orders.values() if o.status.is_open), key=lambda o: o.order_id
            )
            if not live:
                return
            order = live[op[1] % len(live)]
            if kind == "cancel":
                engine.cancel(order.account, "X", order.order_id)
            else:
                engine.amend(
                    order.account,
                    "X",
                    order.order_id,
                    price=D(100) + D(op[2]) / 10,
                    qty=order.executed_qty + D(op[3]) / 100,
                )
        else:
            engine.cancel_all(op[1], "X")
    except Rejected:
        pass


def check(engine: Engine, ledger: Ledger, futures: bool, start: dict[str, D]) -> None:
    book = engine.books["X"]
    bid, ask = book.bids.best(), book.asks.best()
    assert bid is None or ask is None or bid < ask, "book crossed"
    for side in (book.bids, book.asks):
        for level in side.levels.values():
            assert level.qty == sum((o.remaining for o in level.orders.values()), D(0))
            assert all(o.remaining > 0 for o in level.orders.values())
    for order in engine.orders.values():
        fills = [
            f for f in engine.account_fills(order.account, "X") if f.order_id == order.order_id
        ]
        assert sum((f.qty for f in fills), D(0)) == order.executed_qty
        assert sum((f.quote_qty for f in fills), D(0)) == order.cum_quote
        assert order.executed_qty <= order.orig_qty
    wallet = "futures" if futures else "spot"
    for name in ACCOUNTS:
        open_orders = engine.open_orders(name, "X")
        for asset in ("USDT", "BTC"):
            bal = ledger.balance(name, wallet, asset)
            if not futures:
                assert bal.free >= 0, f"negative free {asset}"
                locking = Side.BUY if asset == "USDT" else Side.SELL
                assert bal.locked == sum(
                    (o.reserved for o in open_orders if o.side is locking), D(0)
                )
        if futures:
            assert ledger.balance(name, wallet, "USDT").locked == sum(
                (o.reserved for o in open_orders), D(0)
            )
    if futures:
        total = ledger.total("USDT") + sum(
            (p.qty * (MARK - p.entry_price) for p in ledger.positions.values()), D(0)
        )
        assert abs(total - start["USDT"]) < D("1e-12")
        assert sum((p.qty for p in ledger.positions.values()), D(0)) == 0
    else:
        for asset in ("USDT", "BTC"):
            assert ledger.total(asset) == start[asset], f"{asset} not conserved"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops)
def test_spot_invariants(steps: list[tuple[Any, ...]]) -> None:
    engine, ledger = build(futures=False)
    start = {a: ledger.total(a) for a in ("USDT", "BTC")}
    for op in steps:
        run(engine, op)
        check(engine, ledger, False, start)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops)
def test_futures_invariants(steps: list[tuple[Any, ...]]) -> None:
    engine, ledger = build(futures=True)
    start = {"USDT": ledger.total("USDT")}
    for op in steps:
        run(engine, op)
        check(engine, ledger, True, start)
