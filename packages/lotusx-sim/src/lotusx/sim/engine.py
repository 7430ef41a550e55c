"""Price-time priority matching engine for one venue market (e.g. Binance spot)."""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from lotusx.sim.accounting import Accountant
from lotusx.sim.book import OrderBook
from lotusx.sim.market import MarketSpec
from lotusx.sim.model import (
    ZERO,
    BookDelta,
    Event,
    ExecType,
    Fill,
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


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """What a client asks the engine to do; validated by the dialect beforehand."""

    account: str
    symbol: str
    side: Side
    type: OrderType
    qty: Decimal
    price: Decimal | None = None
    tif: TimeInForce = TimeInForce.GTC
    client_id: str | None = None
    post_only: bool = False
    reduce_only: bool = False
    quote_qty: Decimal | None = None
    cancel_crossing_post_only: bool = False  # accept, then cancel (Bybit) instead of refusing


class Engine:
    """Books, orders and fills of one market; every public call is one event batch."""

    def __init__(
        self,
        market: str,
        specs: Iterable[MarketSpec],
        accountant: Accountant,
        clock: Callable[[], int],
        publish: Callable[[Event], None],
        first_order_id: int = 1,
        history: int = 1000,
    ) -> None:
        self.market = market
        self.specs = {s.symbol: s for s in specs}
        self.books = {sym: OrderBook(sym) for sym in self.specs}
        self.accountant = accountant
        self.clock = clock
        self.publish = publish
        self.ephemeral: set[str] = set()
        self.orders: dict[int, Order] = {}
        self.by_account: dict[tuple[str, str], list[int]] = {}
        self.open_client_ids: dict[tuple[str, str], int] = {}
        self.open_orders_by_account: dict[str, dict[int, Order]] = {}
        self.fills: dict[tuple[str, str], list[Fill]] = {}
        self.trades: dict[str, deque[Trade]] = {sym: deque(maxlen=history) for sym in self.specs}
        self.last_price = {s.symbol: s.initial_price for s in self.specs.values()}
        self._next_order_id = first_order_id
        self._next_trade_id = dict.fromkeys(self.specs, 1)
        self._seq = 0
        self._depth = 0
        self._events: list[Event] = []
        self._changes: dict[str, tuple[dict[Decimal, Decimal], dict[Decimal, Decimal]]] = {}

    # ----------------------------------------------------------------- batching
    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group several calls into one event batch (one update id per touched symbol)."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._flush()

    def _flush(self) -> None:
        now = self.clock()
        events, self._events = self._events, []
        changes, self._changes = self._changes, {}
        for sym, (bids, asks) in changes.items():
            book = self.books[sym]
            book.update_id += 1
            events.append(BookDelta(self.market, sym, book.update_id, bids, asks, now))
        events.extend(self.accountant.drain())
        for ev in events:
            self.publish(ev)

    def _touch(self, sym: str, side: Side, price: Decimal) -> None:
        book = self.books[sym]
        level = book.side(side).levels.get(price)
        bids, asks = self._changes.setdefault(sym, ({}, {}))
        (bids if side is Side.BUY else asks)[price] = level.qty if level else ZERO

    def _emit(self, order: Order, exec_type: ExecType, fill: Fill | None = None) -> None:
        self._events.append(OrderEvent(copy.copy(order), exec_type, fill, order.updated_ms))

    # ----------------------------------------------------------------- queries
    def spec(self, symbol: str) -> MarketSpec:
        return self.specs[symbol]

    def get(
        self, account: str, symbol: str, order_id: int | None = None, client_id: str | None = None
    ) -> Order:
        """Find an order of `account` by id or by client id (open orders first)."""
        if order_id is not None:
            order = self.orders.get(order_id)
            if (
                order
                and order.account == account
                and order.symbol == symbol
                and (client_id is None or order.client_id == client_id)
            ):
                return order
            raise Rejected(RejectReason.UNKNOWN_ORDER)
        if client_id is not None:
            oid = self.open_client_ids.get((account, client_id))
            if oid is not None and self.orders[oid].symbol == symbol:
                return self.orders[oid]
            for oid in reversed(self.by_account.get((account, symbol), [])):
                if self.orders[oid].client_id == client_id:
                    return self.orders[oid]
        raise Rejected(RejectReason.UNKNOWN_ORDER)

    def open_orders(self, account: str, symbol: str | None = None) -> list[Order]:
        orders = self.open_orders_by_account.get(account, {}).values()
        return sorted(
            (o for o in orders if symbol is None or o.symbol == symbol), key=lambda o: o.order_id
        )

    def all_orders(self, account: str, symbol: str) -> list[Order]:
        return [self.orders[i] for i in self.by_account.get((account, symbol), [])]

    def account_fills(self, account: str, symbol: str) -> list[Fill]:
        return self.fills.get((account, symbol), [])

    # ----------------------------------------------------------------- commands
    def place(self, req: OrderRequest) -> Order:
        """Accept, match and possibly rest an order; raises `Rejected`."""
        with self.batch():
            return self._place(req)

    def place_many(self, reqs: list[OrderRequest]) -> list[Order | Rejected]:
        """Several placements in one batch; each item succeeds or fails alone."""
        out: list[Order | Rejected] = []
        with self.batch():
            for req in reqs:
                try:
                    out.append(self._place(req))
                except Rejected as exc:
                    out.append(exc)
        return out

    def cancel(
        self, account: str, symbol: str, order_id: int | None = None, client_id: str | None = None
    ) -> Order:
        with self.batch():
            order = self.get(account, symbol, order_id, client_id)
            if not order.status.is_open:
                raise Rejected(RejectReason.UNKNOWN_ORDER, "order is not open")
            self._finish(order, OrderStatus.CANCELED, ExecType.CANCELED)
            return order

    def cancel_many(
        self, account: str, symbol: str, ids: list[tuple[int | None, str | None]]
    ) -> list[Order | Rejected]:
        out: list[Order | Rejected] = []
        with self.batch():
            for oid, cid in ids:
                try:
                    out.append(self.cancel(account, symbol, oid, cid))
                except Rejected as exc:
                    out.append(exc)
        return out

    def cancel_all(self, account: str, symbol: str) -> list[Order]:
        with self.batch():
            orders = self.open_orders(account, symbol)
            for order in orders:
                self._finish(order, OrderStatus.CANCELED, ExecType.CANCELED)
            return orders

    def amend(
        self,
        account: str,
        symbol: str,
        order_id: int | None = None,
        client_id: str | None = None,
        price: Decimal | None = None,
        qty: Decimal | None = None,
    ) -> Order:
        """Change price and/or quantity.

        A price change or a size increase loses time priority (and may match); a size
        decrease keeps it.
        """
        with self.batch():
            order = self.get(account, symbol, order_id, client_id)
            if not order.status.is_open or order.price is None:
                raise Rejected(RejectReason.UNKNOWN_ORDER, "order is not open")
            new_price = order.price if price is None else price
            new_qty = order.orig_qty if qty is None else qty
            if new_qty <= order.executed_qty:
                raise Rejected(RejectReason.INVALID_AMEND, "quantity not above executed")
            book = self.books[symbol]
            moves = new_price != order.price or new_qty > order.orig_qty
            if moves and order.post_only and self._crosses_other(book, order, new_price):
                raise Rejected(RejectReason.POST_ONLY_WOULD_TAKE)
            self.accountant.resize(order, new_price, new_qty)
            now = self.clock()
            if not moves:
                side = book.side(order.side)
                side.levels[order.price].qty -= order.orig_qty - new_qty
                order.orig_qty = new_qty
                order.updated_ms = now
                self._touch(symbol, order.side, order.price)
                self._emit(order, ExecType.AMENDMENT)
                return order
            book.side(order.side).remove(order)
            self._touch(symbol, order.side, order.price)
            order.price, order.orig_qty, order.updated_ms = new_price, new_qty, now
            self._seq += 1
            order.seq = self._seq
            self._emit(order, ExecType.AMENDMENT)
            self._match(order)
            if order.status.is_open and (
                book.crosses(order.side, order.price)
                or (order.reduce_only and self.accountant.reduce_only_cap(order) <= 0)
            ):
                self._finish(order, OrderStatus.EXPIRED, ExecType.EXPIRED)
            elif order.status.is_open:
                self._rest(order)
            return order

    def rename(self, order: Order, client_id: str) -> None:
        """Give an open order a new client order id (unique among open orders)."""
        owner = self.open_client_ids.get((order.account, client_id))
        if owner is not None and owner != order.order_id:
            raise Rejected(RejectReason.DUPLICATE_CLIENT_ID)
        self.open_client_ids.pop((order.account, order.client_id), None)
        order.client_id = client_id
        if order.status.is_open:
            self.open_client_ids[(order.account, client_id)] = order.order_id

    # ----------------------------------------------------------------- internals
    def _crosses_other(self, book: OrderBook, order: Order, price: Decimal) -> bool:
        best = book.side(order.side.opposite).best()
        if best is None:
            return False
        return price >= best if order.side is Side.BUY else price <= best

    def _place(self, req: OrderRequest) -> Order:
        book = self.books[req.symbol]
        now = self.clock()
        cid = req.client_id or f"sim-{self._next_order_id}"
        if (req.account, cid) in self.open_client_ids:
            raise Rejected(RejectReason.DUPLICATE_CLIENT_ID)
        crossing_post_only = req.post_only and book.crosses(req.side, req.price)
        if crossing_post_only and not req.cancel_crossing_post_only:
            raise Rejected(RejectReason.POST_ONLY_WOULD_TAKE)
        order = Order(
            order_id=self._next_order_id,
            account=req.account,
            market=self.market,
            symbol=req.symbol,
            side=req.side,
            type=req.type,
            tif=req.tif,
            price=req.price,
            orig_qty=req.qty,
            client_id=cid,
            created_ms=now,
            post_only=req.post_only,
            reduce_only=req.reduce_only,
            quote_qty=req.quote_qty,
            updated_ms=now,
            working_ms=now,
        )
        if req.reduce_only and self.accountant.reduce_only_cap(order) <= 0:
            raise Rejected(RejectReason.REDUCE_ONLY_REJECTED)
        est = ZERO
        if req.type is OrderType.MARKET and req.side is Side.BUY and req.quote_qty is None:
            if book.available(req.side, None) <= 0:
                est = ZERO
            else:
                est = book.cost(req.side, req.qty, None)
        self.accountant.reserve(order, est)
        self._next_order_id += 1
        self._seq += 1
        order.seq = self._seq
        self.orders[order.order_id] = order
        if req.account not in self.ephemeral:
            self.by_account.setdefault((req.account, req.symbol), []).append(order.order_id)
        self.open_client_ids[(req.account, cid)] = order.order_id
        self.open_orders_by_account.setdefault(req.account, {})[order.order_id] = order
        self._emit(order, ExecType.NEW)
        if crossing_post_only:
            order.tags["post_only_canceled"] = "1"
            self._finish(order, OrderStatus.CANCELED, ExecType.CANCELED)
            return order
        if (
            req.tif is TimeInForce.FOK
            and req.price is not None
            and book.available(req.side, req.price) < req.qty
        ):
            self._finish(order, OrderStatus.EXPIRED, ExecType.EXPIRED)
            return order
        self._match(order)
        if not order.status.is_open:
            return order
        stuck = (order.reduce_only and self.accountant.reduce_only_cap(order) <= 0) or (
            book.crosses(order.side, order.price)
        )  # capped taker: never rest a crossed book
        if order.type is OrderType.MARKET or order.tif is not TimeInForce.GTC or stuck:
            self._finish(order, OrderStatus.EXPIRED, ExecType.EXPIRED)
        else:
            self._rest(order)
        return order

    def _rest(self, order: Order) -> None:
        assert order.price is not None
        self.books[order.symbol].side(order.side).add(order)
        self._touch(order.symbol, order.side, order.price)

    def _match(self, taker: Order) -> None:
        book = self.books[taker.symbol]
        spec = self.specs[taker.symbol]
        opposite = book.side(taker.side.opposite)
        spent = ZERO
        for level in opposite.iter_best_first():
            if taker.price is not None and (
                level.price > taker.price if taker.side is Side.BUY else level.price < taker.price
            ):
                break
            for maker in list(level.orders.values()):
                if not maker.status.is_open:
                    continue
                want = taker.remaining
                if taker.quote_qty is not None:
                    want = spec.floor_qty((taker.quote_qty - spent) / level.price)
                if taker.reduce_only:
                    want = min(want, self.accountant.reduce_only_cap(taker))
                if want <= 0:
                    return
                qty = min(want, maker.remaining)
                if maker.reduce_only:
                    qty = min(qty, self.accountant.reduce_only_cap(maker))
                    if qty <= 0:
                        self._finish(maker, OrderStatus.EXPIRED, ExecType.EXPIRED)
                        continue
                self._execute(taker, maker, level.price, qty)
                spent += qty * level.price
            if taker.remaining <= 0:
                return

    def _execute(self, taker: Order, maker: Order, price: Decimal, qty: Decimal) -> None:
        sym = taker.symbol
        now = self.clock()
        trade_id = self._next_trade_id[sym]
        self._next_trade_id[sym] += 1
        book = self.books[sym]
        level = book.side(maker.side).levels[price]
        level.qty -= qty
        t_fill, m_fill = self.accountant.settle(trade_id, taker, maker, price, qty, now)
        for order, fill in ((taker, t_fill), (maker, m_fill)):
            order.executed_qty += qty
            order.cum_quote += qty * price
            order.updated_ms = now
            if order.account not in self.ephemeral:
                self.fills.setdefault((order.account, sym), []).append(fill)
        buyer, seller = (taker, maker) if taker.side is Side.BUY else (maker, taker)
        trade = Trade(
            trade_id,
            self.market,
            sym,
            price,
            qty,
            buyer.order_id,
            seller.order_id,
            maker is buyer,
            now,
        )
        self.trades[sym].append(trade)
        self.last_price[sym] = price
        self._events.append(trade)
        if maker.remaining <= 0:
            del level.orders[maker.order_id]
            if not level.orders:
                side = book.side(maker.side)
                del side.levels[price]
                side.prices.remove(price)
            maker.status = OrderStatus.FILLED
            self._close(maker)
        else:
            maker.status = OrderStatus.PARTIALLY_FILLED
        self._touch(sym, maker.side, price)
        taker.status = OrderStatus.FILLED if taker.remaining <= 0 else OrderStatus.PARTIALLY_FILLED
        if taker.status is OrderStatus.FILLED:
            self._close(taker)
        self._emit(taker, ExecType.TRADE, t_fill)
        self._emit(maker, ExecType.TRADE, m_fill)
        self._sweep_reduce_only(taker.account, sym, taker.order_id)
        self._sweep_reduce_only(maker.account, sym, maker.order_id)

    def _sweep_reduce_only(self, account: str, symbol: str, skip: int) -> None:
        for order in self.open_orders(account, symbol):
            if (
                order.reduce_only
                and order.order_id != skip
                and order.price is not None
                and self.accountant.reduce_only_cap(order) <= 0
            ):
                self._finish(order, OrderStatus.EXPIRED, ExecType.EXPIRED)

    def _close(self, order: Order) -> None:
        """Bookkeeping when an order leaves the open set (status already final)."""
        self.accountant.release(order)
        self.open_client_ids.pop((order.account, order.client_id), None)
        self.open_orders_by_account.get(order.account, {}).pop(order.order_id, None)
        if order.account in self.ephemeral:
            self.orders.pop(order.order_id, None)

    def _finish(self, order: Order, status: OrderStatus, exec_type: ExecType) -> None:
        book = self.books[order.symbol]
        level = book.side(order.side).levels.get(order.price) if order.price else None
        if order.price is not None and level is not None and order.order_id in level.orders:
            book.side(order.side).remove(order)
            self._touch(order.symbol, order.side, order.price)
        order.status = status
        order.updated_ms = self.clock()
        self._close(order)
        self._emit(order, exec_type)
