"""Kraken spot settlement: fees in the quote currency (`fciq`, the documented default for buys).

A buy holds `price × volume` plus the taker fee on it; each fill takes `price × qty + fee`
out of the hold and credits the whole base quantity. Sells keep the shared rule (fee out of the
quote received), so every spot fee on the wire is in USD.
"""

from __future__ import annotations

from decimal import ROUND_UP, Decimal

from lotusx.sim.ledger import Ledger
from lotusx.sim.market import MarketSpec
from lotusx.sim.model import ZERO, Fill, Order, OrderType, Side
from lotusx.sim.settlement import FEE_QUANTUM, SpotAccountant


class KrakenSpotAccountant(SpotAccountant):
    def _hold_fee(self, account: str, spec: MarketSpec, notional: Decimal) -> Decimal:
        rates = self.ledger.fee_rates(account, self.market, (spec.maker_fee, spec.taker_fee))
        return (notional * max(rates)).quantize(FEE_QUANTUM, ROUND_UP)

    def _need(self, order: Order, price: Decimal | None, qty: Decimal, est: Decimal) -> Decimal:
        need = super()._need(order, price, qty, est)
        if order.side is Side.SELL or order.quote_qty is not None:
            return need
        return need + self._hold_fee(order.account, self.specs[order.symbol], need)

    def settle(
        self, trade_id: int, taker: Order, maker: Order, price: Decimal, qty: Decimal, now: int
    ) -> tuple[Fill, Fill]:
        buyer = taker if taker.side is Side.BUY else maker
        spec = self.specs[taker.symbol]
        fee = self._fee(buyer.account, spec, buyer is maker, price * qty)
        per_unit = buyer.price if buyer.type is OrderType.LIMIT and buyer.price else price
        held = per_unit * qty
        used = (
            held
            if buyer.quote_qty is not None
            else held + self._hold_fee(buyer.account, spec, held)
        )
        used = min(used, buyer.reserved)
        # Let the shared rule release `held` from the hold; take the fee from the rest here.
        extra = used - min(held, buyer.reserved)
        t_fill, m_fill = super().settle(trade_id, taker, maker, price, qty, now)
        base_fee = (t_fill if buyer is taker else m_fill).fee
        led, acct = self.ledger, buyer.account
        led.balance(acct, self.wallet, spec.base).free += base_fee
        led.balance(Ledger.FEES, self.wallet, spec.base).free -= base_fee
        quote_bal = led.balance(acct, self.wallet, spec.quote)
        buyer.reserved -= extra
        quote_bal.locked -= extra
        quote_bal.free += extra - fee
        led.credit(Ledger.FEES, self.wallet, spec.quote, fee)
        fixed = _with_fee(t_fill if buyer is taker else m_fill, fee, spec.quote)
        return (fixed, m_fill) if buyer is taker else (t_fill, fixed)


def _with_fee(fill: Fill, fee: Decimal, asset: str) -> Fill:
    return Fill(
        fill.trade_id,
        fill.market,
        fill.symbol,
        fill.order_id,
        fill.client_id,
        fill.account,
        fill.side,
        fill.price,
        fill.qty,
        fill.quote_qty,
        fee,
        asset,
        fill.is_maker,
        ZERO,
        fill.time_ms,
    )
