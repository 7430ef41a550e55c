"""Linear-perpetual risk arithmetic: PnL, margins, liquidation price, funding."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from lotusx.sim.ledger import Ledger, Position
from lotusx.sim.market import MarketSpec
from lotusx.sim.model import ZERO, BalanceEvent

FUTURES = "futures"


@dataclass(frozen=True, slots=True)
class PositionRisk:
    """Derived figures of one position at a mark price."""

    notional: Decimal
    unrealized: Decimal
    initial_margin: Decimal
    maint_margin: Decimal
    maint_rate: Decimal
    cum: Decimal
    liquidation_price: Decimal


def unrealized(pos: Position, mark: Decimal) -> Decimal:
    return pos.qty * (mark - pos.entry_price)


def maintenance(pos: Position, mark: Decimal, spec: MarketSpec) -> tuple[Decimal, Decimal, Decimal]:
    """(maintenance margin, maintenance rate, cum) from the bracket of the position notional."""
    notional = abs(pos.qty) * mark
    if not spec.brackets or notional == 0:
        return ZERO, ZERO, ZERO
    b = spec.bracket_for(abs(pos.qty) if spec.tiers_by_size else notional)
    return notional * b.maint_margin_ratio - b.cum, b.maint_margin_ratio, b.cum


def risk(
    ledger: Ledger, pos: Position, specs: Mapping[str, MarketSpec], marks: Mapping[str, Decimal]
) -> PositionRisk:
    """Risk figures of `pos`, including Binance's one-way liquidation price formula."""
    spec, mark = specs[pos.symbol], marks[pos.symbol]
    lev = ledger.get_leverage(pos.account, pos.symbol)
    notional = pos.qty * mark
    mm, mmr, cum = maintenance(pos, mark, spec)
    upnl = unrealized(pos, mark)
    size = abs(pos.qty)
    liq = ZERO
    if size:
        side = Decimal(1 if pos.qty > 0 else -1)
        if pos.isolated:
            wb, other_mm, other_upnl = pos.isolated_wallet, ZERO, ZERO
        else:
            wb = ledger.balance(pos.account, FUTURES, spec.quote).total
            other_mm = other_upnl = ZERO
            for other in ledger.positions.values():
                if (
                    other.account == pos.account
                    and other.symbol != pos.symbol
                    and other.qty
                    and not other.isolated
                ):
                    om = marks[other.symbol]
                    other_mm += maintenance(other, om, specs[other.symbol])[0]
                    other_upnl += unrealized(other, om)
        denom = size * mmr - side * size
        if denom != 0:
            liq = max(
                ZERO, (wb - other_mm + other_upnl + cum - side * size * pos.entry_price) / denom
            )
    return PositionRisk(notional, upnl, abs(notional) / lev, mm, mmr, cum, liq)


def available(
    ledger: Ledger,
    account: str,
    asset: str,
    specs: Mapping[str, MarketSpec],
    marks: Mapping[str, Decimal],
) -> Decimal:
    """Free futures margin: free balance + cross PnL − cross position initial margin."""
    avail = ledger.balance(account, FUTURES, asset).free
    for pos in ledger.positions.values():
        if pos.account == account and pos.qty and not pos.isolated:
            mark = marks[pos.symbol]
            avail += unrealized(pos, mark)
            avail -= abs(pos.qty) * mark / ledger.get_leverage(account, pos.symbol)
    return avail


def apply_funding(ledger: Ledger, spec: MarketSpec, mark: Decimal, rate: Decimal, now: int) -> None:
    """Longs pay shorts `qty × mark × rate` (negative rate reverses); zero-sum."""
    for pos in list(ledger.positions.values()):
        if pos.symbol != spec.symbol or not pos.qty:
            continue
        amount = -(pos.qty * mark * rate)
        ledger.balance(pos.account, FUTURES, spec.quote).free += amount
        ledger.add_income(pos.account, spec.symbol, "FUNDING_FEE", amount, spec.quote, now)
        ledger.publish(BalanceEvent(pos.account, FUTURES, spec.quote, amount, "FUNDING_FEE", now))
