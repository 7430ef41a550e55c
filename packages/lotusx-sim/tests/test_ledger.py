"""Ledger and perpetual margin arithmetic: brackets, liquidation price, funding, transfers."""

from __future__ import annotations

import asyncio
import itertools
from decimal import Decimal

import pytest

from lotusx.sim import Venue
from lotusx.sim.engine import OrderRequest
from lotusx.sim.ledger import Ledger, WithdrawalState
from lotusx.sim.margin import apply_funding, risk
from lotusx.sim.market import BTC_PERP_BRACKETS, MarketSpec, make_brackets
from lotusx.sim.model import MarketKind, OrderType, Rejected, Side

D = Decimal


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
    D("5"),
    D("100"),
    brackets=BTC_PERP_BRACKETS,
)


def ledger() -> Ledger:
    led = Ledger(lambda: 5, lambda e: None)
    for name in ("long", "short"):
        led.open_account(name, 1, name)
        led.move((Ledger.EXTERNAL, "futures"), (name, "futures"), "USDT", D(1000))
    return led


def test_bracket_cum_keeps_maintenance_continuous() -> None:
    brackets = make_brackets([(100, "1000", "0.01"), (50, "5000", "0.02"), (10, "9000", "0.1")])
    assert [b.cum for b in brackets] == [D(0), D(10), D(410)]
    for lower, upper in itertools.pairwise(brackets):
        at = upper.notional_floor
        assert (
            at * lower.maint_margin_ratio - lower.cum == at * upper.maint_margin_ratio - upper.cum
        )
    assert BTC_PERP_BRACKETS[1].cum == D(50)  # 50000 × (0.005 − 0.004)


def test_liquidation_price_one_way_cross_and_isolated() -> None:
    led = ledger()
    pos = led.position("long", "BTCUSDT")
    pos.qty, pos.entry_price = D("0.5"), D(30000)
    r = risk(led, pos, {"BTCUSDT": PERP}, {"BTCUSDT": D(30000)})
    # notional 15000 → bracket 1 (mmr 0.4 %, cum 0): (1000 − 0.5·30000)/(0.5·0.004 − 0.5)
    assert r.liquidation_price == (D(1000) - D(15000)) / (D("0.002") - D("0.5"))
    assert r.maint_margin == D(15000) * D("0.004")
    assert r.initial_margin == D(15000) / 20
    short = led.position("short", "BTCUSDT")
    short.qty, short.entry_price, short.isolated, short.isolated_wallet = (
        D("-0.5"),
        D(30000),
        True,
        D(750),
    )
    r = risk(led, short, {"BTCUSDT": PERP}, {"BTCUSDT": D(30000)})
    assert r.liquidation_price == (D(750) + D(15000)) / (D("0.002") + D("0.5"))


def test_funding_is_zero_sum() -> None:
    led = ledger()
    led.position("long", "BTCUSDT").qty = D("0.3")
    led.position("short", "BTCUSDT").qty = D("-0.3")
    before = led.total("USDT")
    apply_funding(led, PERP, D(30000), D("0.0001"), 42)
    assert led.balance("long", "futures", "USDT").free == D(1000) - D("0.9")
    assert led.balance("short", "futures", "USDT").free == D(1000) + D("0.9")
    assert led.total("USDT") == before
    assert {(i.account, i.kind, i.amount) for i in led.income} == {
        ("long", "FUNDING_FEE", D("-0.9")),
        ("short", "FUNDING_FEE", D("0.9")),
    }


def test_transfers_and_withdrawals_conserve() -> None:
    led = ledger()
    led.move((Ledger.EXTERNAL, "spot"), ("long", "spot"), "BTC", D(1))
    totals = {a: led.total(a) for a in ("USDT", "BTC")}
    led.transfer(("long", "futures"), ("long", "spot"), "USDT", D(10), "UMFUTURE_MAIN")
    with pytest.raises(Rejected):
        led.transfer(("long", "spot"), ("short", "spot"), "USDT", D(11), "X")
    wd = led.withdraw("long", "BTC", D("0.5"), D("0.001"), "BTC", "addr")
    assert led.balance("long", "spot", "BTC").free == D("0.499")
    led.advance(wd.apply_ms + 600)
    assert wd.state is WithdrawalState.PROCESSING
    led.advance(wd.apply_ms + 1000)
    assert led.withdrawals[0].state.value == "completed" and wd.tx_id
    wd2 = led.withdraw("long", "BTC", D("0.1"), D("0.001"), "BTC", "addr")
    led.set_withdrawal_state(wd2.id, WithdrawalState.CANCELLED)
    assert led.balance("long", "spot", "BTC").free == D("0.499")
    assert {a: led.total(a) for a in ("USDT", "BTC")} == totals


async def test_venue_funding_on_interval() -> None:
    async with Venue.start(
        "binance", tick_interval=0.02, book_levels=20, funding_interval_ms=300
    ) as v:
        engine = v.core.engines["futures"]
        engine.place(OrderRequest("main", "BTCUSDT", Side.BUY, OrderType.MARKET, D("0.01")))
        await asyncio.sleep(0.7)
        history = v.view.funding_history("BTCUSDT")
        assert len(history) >= 1 and history[0].time_ms % 300 == 0
        fees = [i for i in v.core.ledger.income if i.account == "main" and i.kind == "FUNDING_FEE"]
        assert fees and all(i.amount < 0 for i in fees)  # positive rate: longs pay
