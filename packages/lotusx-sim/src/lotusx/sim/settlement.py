"""Accountants: how spot and linear-perp matches move money in the ledger."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_DOWN, ROUND_UP, Decimal

from lotusx.sim.ledger import Ledger
from lotusx.sim.margin import FUTURES, available
from lotusx.sim.market import MarketSpec
from lotusx.sim.model import (
    ZERO,
    AccountEvent,
    Fill,
    Order,
    OrderType,
    Rejected,
    RejectReason,
    Side,
)

FEE_QUANTUM = Decimal("1e-8")


class _Base:
    wallet = "spot"

    def __init__(self, ledger: Ledger, market: str, specs: Mapping[str, MarketSpec]) -> None:
        self.ledger = ledger
        self.market = market
        self.specs = specs
        self._dirty: dict[str, tuple[set[str], set[str]]] = {}

    def _mark(self, account: str, asset: str | None = None, symbol: str | None = None) -> None:
        assets, symbols = self._dirty.setdefault(account, (set(), set()))
        if asset:
            assets.add(asset)
        if symbol:
            symbols.add(symbol)

    def drain(self) -> list[AccountEvent]:
        now = self.ledger.clock()
        out = [
            AccountEvent(acct, self.wallet, tuple(sorted(a)), tuple(sorted(s)), "ORDER", now)
            for acct, (a, s) in self._dirty.items()
        ]
        self._dirty.clear()
        return out

    def _fee(self, account: str, spec: MarketSpec, maker: bool, amount: Decimal) -> Decimal:
        rates = self.ledger.fee_rates(account, self.market, (spec.maker_fee, spec.taker_fee))
        return (amount * rates[0 if maker else 1]).quantize(FEE_QUANTUM)

    def _release_part(self, order: Order, amount: Decimal, asset: str) -> None:
        amount = min(amount, order.reserved)
        if amount > 0:
            self.ledger.unlock(order.account, self.wallet, asset, amount)
            order.reserved -= amount
            self._mark(order.account, asset)


class SpotAccountant(_Base):
    """Spot: buyers lock quote, sellers lock base; fees are taken from what is received."""

    wallet = "spot"

    def _need(self, order: Order, price: Decimal | None, qty: Decimal, est: Decimal) -> Decimal:
        if order.side is Side.SELL:
            return qty
        if order.quote_qty is not None:
            return order.quote_qty
        if order.type is OrderType.MARKET:
            return est
        assert price is not None
        return price * qty

    def reserve(self, order: Order, est_cost: Decimal) -> None:
        spec = self.specs[order.symbol]
        asset = spec.base if order.side is Side.SELL else spec.quote
        need = self._need(order, order.price, order.orig_qty, est_cost)
        self.ledger.lock(order.account, self.wallet, asset, need)
        order.reserved = need
        self._mark(order.account, asset)

    def resize(self, order: Order, new_price: Decimal, new_qty: Decimal) -> None:
        spec = self.specs[order.symbol]
        asset = spec.base if order.side is Side.SELL else spec.quote
        need = self._need(order, new_price, new_qty - order.executed_qty, ZERO)
        if need > order.reserved:
            self.ledger.lock(order.account, self.wallet, asset, need - order.reserved)
            order.reserved = need
            self._mark(order.account, asset)
        else:
            self._release_part(order, order.reserved - need, asset)

    def settle(
        self, trade_id: int, taker: Order, maker: Order, price: Decimal, qty: Decimal, now: int
    ) -> tuple[Fill, Fill]:
        spec = self.specs[taker.symbol]
        quote = price * qty
        fills: dict[int, Fill] = {}
        for order in (taker, maker):
            is_maker = order is maker
            acct = order.account
            if order.side is Side.BUY:
                per_unit = order.price if order.type is OrderType.LIMIT and order.price else price
                used = min(per_unit * qty, order.reserved)
                order.reserved -= used
                self.ledger.balance(acct, self.wallet, spec.quote).locked -= used
                self.ledger.balance(acct, self.wallet, spec.quote).free += used - quote
                fee = self._fee(acct, spec, is_maker, qty)
                self.ledger.credit(acct, self.wallet, spec.base, qty - fee)
                self.ledger.credit(Ledger.FEES, self.wallet, spec.base, fee)
                fee_asset = spec.base
            else:
                order.reserved -= qty
                self.ledger.balance(acct, self.wallet, spec.base).locked -= qty
                fee = self._fee(acct, spec, is_maker, quote)
                self.ledger.credit(acct, self.wallet, spec.quote, quote - fee)
                self.ledger.credit(Ledger.FEES, self.wallet, spec.quote, fee)
                fee_asset = spec.quote
            self._mark(acct, spec.base)
            self._mark(acct, spec.quote)
            fills[order.order_id] = Fill(
                trade_id,
                self.market,
                spec.symbol,
                order.order_id,
                order.client_id,
                acct,
                order.side,
                price,
                qty,
                quote,
                fee,
                fee_asset,
                is_maker,
                ZERO,
                now,
            )
        return fills[taker.order_id], fills[maker.order_id]

    def release(self, order: Order) -> None:
        spec = self.specs[order.symbol]
        self._release_part(
            order, order.reserved, spec.base if order.side is Side.SELL else spec.quote
        )

    def reduce_only_cap(self, order: Order) -> Decimal:
        return order.remaining


class FuturesAccountant(_Base):
    """USDⓈ-M one-way positions: orders lock initial margin; fills move PnL and fees."""

    wallet = FUTURES

    def __init__(
        self,
        ledger: Ledger,
        market: str,
        specs: Mapping[str, MarketSpec],
        marks: Callable[[], Mapping[str, Decimal]],
    ) -> None:
        super().__init__(ledger, market, specs)
        self.marks = marks

    def _opening_qty(self, order: Order, qty: Decimal) -> Decimal:
        pos = self.ledger.position(order.account, order.symbol).qty
        if order.reduce_only:
            return ZERO
        if pos * order.side.sign >= 0:
            return qty
        return max(ZERO, qty - abs(pos))

    def _margin(self, order: Order, price: Decimal | None, qty: Decimal) -> Decimal:
        px = price if price is not None else self.marks()[order.symbol]
        lev = self.ledger.get_leverage(order.account, order.symbol)
        return (px * self._opening_qty(order, qty) / lev).quantize(FEE_QUANTUM, ROUND_UP)

    def reserve(self, order: Order, est_cost: Decimal) -> None:
        spec = self.specs[order.symbol]
        price = order.price
        if price is None and est_cost > 0 and order.orig_qty > 0:
            price = est_cost / order.orig_qty
        need = self._margin(order, price, order.orig_qty)
        self._lock(order, spec, need)
        order.leverage = self.ledger.get_leverage(order.account, order.symbol)

    def _lock(self, order: Order, spec: MarketSpec, need: Decimal) -> None:
        if need <= 0:
            return
        infinite = self.ledger.accounts[order.account].infinite
        if (
            not infinite
            and available(self.ledger, order.account, spec.quote, self.specs, self.marks()) < need
        ):
            raise Rejected(RejectReason.INSUFFICIENT_BALANCE)
        bal = self.ledger.balance(order.account, self.wallet, spec.quote)
        bal.free -= need
        bal.locked += need
        order.reserved += need
        self._mark(order.account, spec.quote)

    def resize(self, order: Order, new_price: Decimal, new_qty: Decimal) -> None:
        spec = self.specs[order.symbol]
        need = self._margin(order, new_price, new_qty - order.executed_qty)
        if need > order.reserved:
            self._lock(order, spec, need - order.reserved)
        else:
            self._release_part(order, order.reserved - need, spec.quote)

    def settle(
        self, trade_id: int, taker: Order, maker: Order, price: Decimal, qty: Decimal, now: int
    ) -> tuple[Fill, Fill]:
        spec = self.specs[taker.symbol]
        quote = price * qty
        fills: dict[int, Fill] = {}
        for order in (taker, maker):
            is_maker = order is maker
            acct = order.account
            if order.remaining > 0 and order.reserved > 0:
                part = (order.reserved * qty / order.remaining).quantize(FEE_QUANTUM, ROUND_DOWN)
                self._release_part(order, part, spec.quote)
            pnl = self._apply_position(acct, spec, order.side, price, qty, now)
            fee = self._fee(acct, spec, is_maker, quote)
            bal = self.ledger.balance(acct, self.wallet, spec.quote)
            bal.free += pnl - fee
            self.ledger.credit(Ledger.FEES, self.wallet, spec.quote, fee)
            if pnl:
                self.ledger.add_income(acct, spec.symbol, "REALIZED_PNL", pnl, spec.quote, now)
            self.ledger.add_income(acct, spec.symbol, "COMMISSION", -fee, spec.quote, now)
            self._mark(acct, spec.quote, spec.symbol)
            fills[order.order_id] = Fill(
                trade_id,
                self.market,
                spec.symbol,
                order.order_id,
                order.client_id,
                acct,
                order.side,
                price,
                qty,
                quote,
                fee,
                spec.quote,
                is_maker,
                pnl,
                now,
            )
        return fills[taker.order_id], fills[maker.order_id]

    def _apply_position(
        self, account: str, spec: MarketSpec, side: Side, price: Decimal, qty: Decimal, now: int
    ) -> Decimal:
        """Update the one-way position; returns realised PnL."""
        pos = self.ledger.position(account, spec.symbol)
        delta = qty * side.sign
        pnl = ZERO
        lev = self.ledger.get_leverage(account, spec.symbol)
        if pos.qty == 0 or pos.qty * delta > 0:
            new_qty = pos.qty + delta
            pos.entry_price = (abs(pos.qty) * pos.entry_price + qty * price) / abs(new_qty)
            opened = qty
        else:
            closing = min(qty, abs(pos.qty))
            sign = 1 if pos.qty > 0 else -1
            pnl = (price - pos.entry_price) * closing * sign
            if pos.isolated and pos.qty:
                back = pos.isolated_wallet * closing / abs(pos.qty)
                pos.isolated_wallet -= back
                self.ledger.balance(account, self.wallet, spec.quote).free += back
            new_qty = pos.qty + delta
            opened = qty - closing
            if new_qty == 0:
                pos.entry_price = ZERO
            elif opened > 0:
                pos.entry_price = price
        if pos.isolated and opened > 0:
            margin = price * opened / lev
            self.ledger.balance(account, self.wallet, spec.quote).free -= margin
            pos.isolated_wallet += margin
        if pos.isolated and new_qty == 0 and pos.isolated_wallet:
            self.ledger.balance(account, self.wallet, spec.quote).free += pos.isolated_wallet
            pos.isolated_wallet = ZERO
        pos.qty = new_qty
        pos.updated_ms = now
        return pnl

    def release(self, order: Order) -> None:
        self._release_part(order, order.reserved, self.specs[order.symbol].quote)

    def reduce_only_cap(self, order: Order) -> Decimal:
        pos = self.ledger.position(order.account, order.symbol).qty
        if pos * order.side.sign >= 0:
            return ZERO
        return min(abs(pos), order.remaining)
