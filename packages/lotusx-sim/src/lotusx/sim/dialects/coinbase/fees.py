"""Coinbase spot settlement: every fee is charged in the quote currency (USD).

A buy holds `price × size` plus the taker fee on it (the most it can be charged); a fill moves
`price × size + fee` out of the hold and credits the full base size. Sells are as usual: the fee
is taken from the USD received.
"""

from __future__ import annotations

from decimal import ROUND_UP, Decimal

from lotusx.sim.ledger import Ledger
from lotusx.sim.market import MarketSpec
from lotusx.sim.model import Fill, Order, OrderType, Side
from lotusx.sim.settlement import FEE_QUANTUM, SpotAccountant


class CoinbaseSpotAccountant(SpotAccountant):
    def _rates(self, account: str, spec: MarketSpec) -> tuple[Decimal, Decimal]:
        return self.ledger.fee_rates(account, self.market, (spec.maker_fee, spec.taker_fee))

    def _hold_fee(self, account: str, spec: MarketSpec, notional: Decimal) -> Decimal:
        return (notional * max(self._rates(account, spec))).quantize(FEE_QUANTUM, ROUND_UP)

    def _need(self, order: Order, price: Decimal | None, qty: Decimal, est: Decimal) -> Decimal:
        need = super()._need(order, price, qty, est)
        if order.side is Side.SELL:
            return need
        return need + self._hold_fee(order.account, self.specs[order.symbol], need)

    def settle(
        self, trade_id: int, taker: Order, maker: Order, price: Decimal, qty: Decimal, now: int
    ) -> tuple[Fill, Fill]:
        spec = self.specs[taker.symbol]
        fills = {
            o.order_id: (self._buy if o.side is Side.BUY else self._sell)(
                o, o is maker, spec, price, qty, now, trade_id
            )
            for o in (taker, maker)
        }
        return fills[taker.order_id], fills[maker.order_id]

    def _buy(
        self,
        o: Order,
        is_maker: bool,
        spec: MarketSpec,
        price: Decimal,
        qty: Decimal,
        now: int,
        trade_id: int,
    ) -> Fill:
        acct, quote = o.account, price * qty
        fee = self._fee(acct, spec, is_maker, quote)
        per_unit = o.price if o.type is OrderType.LIMIT and o.price else price
        held = per_unit * qty
        used = min(held + self._hold_fee(acct, spec, held), o.reserved)
        o.reserved -= used
        bal = self.ledger.balance(acct, self.wallet, spec.quote)
        bal.locked -= used
        bal.free += used - quote - fee
        self.ledger.credit(acct, self.wallet, spec.base, qty)
        self.ledger.credit(Ledger.FEES, self.wallet, spec.quote, fee)
        return self._fill(o, spec, trade_id, price, qty, fee, is_maker, now)

    def _sell(
        self,
        o: Order,
        is_maker: bool,
        spec: MarketSpec,
        price: Decimal,
        qty: Decimal,
        now: int,
        trade_id: int,
    ) -> Fill:
        acct, quote = o.account, price * qty
        o.reserved -= qty
        self.ledger.balance(acct, self.wallet, spec.base).locked -= qty
        fee = self._fee(acct, spec, is_maker, quote)
        self.ledger.credit(acct, self.wallet, spec.quote, quote - fee)
        self.ledger.credit(Ledger.FEES, self.wallet, spec.quote, fee)
        return self._fill(o, spec, trade_id, price, qty, fee, is_maker, now)

    def _fill(
        self,
        o: Order,
        spec: MarketSpec,
        trade_id: int,
        price: Decimal,
        qty: Decimal,
        fee: Decimal,
        is_maker: bool,
        now: int,
    ) -> Fill:
        self._mark(o.account, spec.base)
        self._mark(o.account, spec.quote)
        return Fill(
            trade_id,
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
            spec.quote,
            is_maker,
            Decimal(0),
            now,
        )
