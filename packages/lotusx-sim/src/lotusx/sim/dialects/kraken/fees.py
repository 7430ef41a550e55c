"""Kraken spot settlement: which currency pays the fee (AddOrder `oflags`).

`fciq` (fee in quote) is the default when buying, `fcib` (fee in base) when selling; either
flag overrides. A fee paid in the currency the order spends is held with the order (at the taker
rate) and taken from that hold on each fill; a fee in the currency received comes out of it.
"""

from __future__ import annotations

from decimal import ROUND_UP, Decimal

from lotusx.sim.ledger import Ledger
from lotusx.sim.market import MarketSpec
from lotusx.sim.model import ZERO, Fill, Order, OrderType, Side
from lotusx.sim.settlement import FEE_QUANTUM, SpotAccountant

BASE, QUOTE = "base", "quote"


def default_fee_currency(side: Side) -> str:
    return QUOTE if side is Side.BUY else BASE


class KrakenSpotAccountant(SpotAccountant):
    """`next_fee_currency` is set by the dialect just before a placement (None: the default)."""

    next_fee_currency: str | None = None

    def _fee_from_spent(self, order: Order) -> bool:
        """True when the fee is paid in the currency the order spends (held with it)."""
        cur = order.tags.get("fee") or default_fee_currency(order.side)
        return (cur == QUOTE) == (order.side is Side.BUY)

    def _hold_fee(self, account: str, spec: MarketSpec, amount: Decimal) -> Decimal:
        rates = self.ledger.fee_rates(account, self.market, (spec.maker_fee, spec.taker_fee))
        return (amount * max(rates)).quantize(FEE_QUANTUM, ROUND_UP)

    def reserve(self, order: Order, est_cost: Decimal) -> None:
        order.tags["fee"] = self.next_fee_currency or default_fee_currency(order.side)
        super().reserve(order, est_cost)

    def _need(self, order: Order, price: Decimal | None, qty: Decimal, est: Decimal) -> Decimal:
        need = super()._need(order, price, qty, est)
        if order.quote_qty is not None or not self._fee_from_spent(order):
            return need
        return need + self._hold_fee(order.account, self.specs[order.symbol], need)

    def settle(
        self, trade_id: int, taker: Order, maker: Order, price: Decimal, qty: Decimal, now: int
    ) -> tuple[Fill, Fill]:
        spec = self.specs[taker.symbol]
        out: dict[int, Fill] = {}
        for order in (taker, maker):
            fee = self._fee(order.account, spec, order is maker, price * qty)
            if order.side is Side.BUY:
                fill = self._buy(order, order is maker, spec, price, qty, now, trade_id)
            else:
                fill = self._sell(order, order is maker, spec, price, qty, now, trade_id, fee)
            out[order.order_id] = fill
        return out[taker.order_id], out[maker.order_id]

    def _buy(
        self,
        o: Order,
        is_maker: bool,
        spec: MarketSpec,
        price: Decimal,
        qty: Decimal,
        now: int,
        tid: int,
    ) -> Fill:
        led, acct, quote = self.ledger, o.account, price * qty
        per_unit = o.price if o.type is OrderType.LIMIT and o.price else price
        held = per_unit * qty
        in_quote = self._fee_from_spent(o)
        if in_quote and o.quote_qty is None:
            held += self._hold_fee(acct, spec, held)
        used = min(held, o.reserved)
        o.reserved -= used
        bal = led.balance(acct, self.wallet, spec.quote)
        bal.locked -= used
        bal.free += used - quote
        if in_quote:
            fee = self._fee(acct, spec, is_maker, quote)
            bal.free -= fee
            led.credit(Ledger.FEES, self.wallet, spec.quote, fee)
            led.credit(acct, self.wallet, spec.base, qty)
            return self._fill(o, spec, tid, price, qty, fee, spec.quote, is_maker, now)
        fee = (qty * self._rate(acct, spec, is_maker)).quantize(FEE_QUANTUM)
        led.credit(acct, self.wallet, spec.base, qty - fee)
        led.credit(Ledger.FEES, self.wallet, spec.base, fee)
        return self._fill(o, spec, tid, price, qty, fee, spec.base, is_maker, now)

    def _sell(
        self,
        o: Order,
        is_maker: bool,
        spec: MarketSpec,
        price: Decimal,
        qty: Decimal,
        now: int,
        tid: int,
        quote_fee: Decimal,
    ) -> Fill:
        led, acct, quote = self.ledger, o.account, price * qty
        bal = led.balance(acct, self.wallet, spec.base)
        if not self._fee_from_spent(o):  # fciq: fee out of the USD received
            o.reserved -= qty
            bal.locked -= qty
            led.credit(acct, self.wallet, spec.quote, quote - quote_fee)
            led.credit(Ledger.FEES, self.wallet, spec.quote, quote_fee)
            return self._fill(o, spec, tid, price, qty, quote_fee, spec.quote, is_maker, now)
        fee = (qty * self._rate(acct, spec, is_maker)).quantize(FEE_QUANTUM)
        held = min(qty + self._hold_fee(acct, spec, qty), o.reserved)
        o.reserved -= held
        bal.locked -= held
        bal.free += held - qty - fee
        led.credit(Ledger.FEES, self.wallet, spec.base, fee)
        led.credit(acct, self.wallet, spec.quote, quote)
        return self._fill(o, spec, tid, price, qty, fee, spec.base, is_maker, now)

    def _rate(self, account: str, spec: MarketSpec, maker: bool) -> Decimal:
        rates = self.ledger.fee_rates(account, self.market, (spec.maker_fee, spec.taker_fee))
        return rates[0 if maker else 1]

    def _fill(
        self,
        o: Order,
        spec: MarketSpec,
        tid: int,
        price: Decimal,
        qty: Decimal,
        fee: Decimal,
        fee_asset: str,
        is_maker: bool,
        now: int,
    ) -> Fill:
        self._mark(o.account, spec.base)
        self._mark(o.account, spec.quote)
        return Fill(
            tid,
            self.market,
            spec.symbol,
            o.order_id,
            o.client_id,
            o.account,
            o.side,
            price,
            qty,
            price * qty,
            fee,
            fee_asset,
            is_maker,
            ZERO,
            now,
        )
