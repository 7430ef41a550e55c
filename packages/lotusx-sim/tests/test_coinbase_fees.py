"""Hypothesis: the Coinbase settlement (every fee in the quote currency) keeps the engine and
ledger invariants: no negative balances, holds equal open reservations, money is conserved."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings

from lotusx.sim.dialects.coinbase.fees import CoinbaseSpotAccountant
from lotusx.sim.engine import Engine
from lotusx.sim.ledger import Ledger

from .test_properties import ACCOUNTS, SPOT, check, ops, run

D = Decimal


def build() -> tuple[Engine, Ledger]:
    ledger = Ledger(lambda: 0, lambda e: None)
    for name in ACCOUNTS:
        ledger.open_account(name, 1, name)
        ledger.move((Ledger.EXTERNAL, "spot"), (name, "spot"), "USDT", D(2000))
        ledger.move((Ledger.EXTERNAL, "spot"), (name, "spot"), "BTC", D(10))
    accountant: Any = CoinbaseSpotAccountant(ledger, "spot", {"X": SPOT})
    return Engine("spot", [SPOT], accountant, lambda: 0, lambda e: None), ledger


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops)
def test_quote_fee_settlement_invariants(steps: list[tuple[Any, ...]]) -> None:
    engine, ledger = build()
    start = {a: ledger.total(a) for a in ("USDT", "BTC")}
    for op in steps:
        run(engine, op)
        check(engine, ledger, False, start)
    for fills in engine.fills.values():
        for f in fills:
            assert f.fee_asset == "USDT"
            rate = SPOT.maker_fee if f.is_maker else SPOT.taker_fee
            assert f.fee == (f.quote_qty * rate).quantize(D("1e-8"))
    base_in = sum(
        (f.qty for fs in engine.fills.values() for f in fs if f.side.value == "BUY"), D(0)
    )
    base_out = sum(
        (f.qty for fs in engine.fills.values() for f in fs if f.side.value == "SELL"), D(0)
    )
    assert base_in == base_out  # buyers receive the whole size: no fee is taken in base
    assert ledger.balance(Ledger.FEES, "spot", "BTC").total == 0
