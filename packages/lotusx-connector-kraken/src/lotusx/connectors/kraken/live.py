"""`KrakenLive`: the WebSocket side of `KrakenConnector` (public and private streams), and the
symbol helpers both sides share.

Public books keep a `BookSync` per subscription (spot: local numbering and the CRC32 checksum;
futures: contiguous ``seq``); private streams go through `lotusx.core.recovery` so a reconnect
is followed by a REST catch-up. The REST side (`KrakenConnector`) provides `_ws_token`,
`_spot_open` and `_futures_open`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from decimal import Decimal
from typing import TypeVar

import msgspec

from lotusx.core import recovery
from lotusx.core.book import BookSync, Delta, L2Book, MonotonicSequence, SyncResult
from lotusx.core.capabilities import Capability
from lotusx.core.connector import Connector
from lotusx.core.errors import (
    BadSymbol,
    ConfigurationError,
    ExchangeError,
    InvalidOrderError,
    NotSupportedError,
)
from lotusx.core.recovery import Gap
from lotusx.core.streaming import Conflation, merge
from lotusx.core.transport.ws import Overflow, Reset, WsSession
from lotusx.core.types import (
    Balance,
    Candle,
    Fill,
    Instrument,
    MarketKind,
    MarkPrice,
    Order,
    OrderBook,
    OrderStatus,
    Position,
    Side,
    Symbol,
    SymbolLike,
    Trade,
    as_symbol,
)

from . import endpoints as ep
from . import wire as w
from .endpoints import Venue
from .signer import FuturesSigner
from .streams import (
    FuturesBookSequence,
    FuturesPrivateProtocol,
    FuturesPublicProtocol,
    KrakenChecksum,
    SpotPrivateProtocol,
    SpotPublicProtocol,
)

__all__ = ["KrakenLive"]

T = TypeVar("T")
_KIND = {Venue.SPOT: MarketKind.SPOT, Venue.FUTURES: MarketKind.LINEAR}
_BOOK_DEPTHS = (10, 25, 100, 500, 1000)


class KrakenLive(Connector):
    """Streams and shared helpers; `KrakenConnector` adds the REST capabilities."""

    _ws: dict[str, WsSession]
    _futures_signer: FuturesSigner | None
    _spot_names: dict[str, Instrument]
    _assets: dict[str, str]

    async def _ws_token(self) -> str:
        """A fresh spot WebSocket token (``GetWebSocketsToken``)."""
        raise NotImplementedError

    async def _spot_open(self, inst: Instrument | None) -> list[Order]:
        raise NotImplementedError

    async def _futures_open(self, native: str | None) -> list[Order]:
        raise NotImplementedError

    def _need_spot(self, what: str) -> None:
        if not self.urls.get("spot_rest"):
            raise ConfigurationError(
                f"kraken {what}: spot has no sandbox; with testnet=True only Kraken Futures "
                "(demo-futures.kraken.com) is available"
            )

    @staticmethod
    def _venue_of(symbol: Symbol) -> Venue:
        if symbol.kind is MarketKind.SPOT:
            return Venue.SPOT
        if symbol.kind is MarketKind.LINEAR:
            return Venue.FUTURES
        raise BadSymbol(
            f"{symbol}: inverse futures are not supported (linear perpetuals only)",
            exchange="kraken",
            endpoint="instruments",
        )

    async def _resolve(self, symbol: SymbolLike) -> tuple[Instrument, Venue]:
        sym = as_symbol(symbol)
        venue = self._venue_of(sym)
        if venue is Venue.SPOT:
            self._need_spot(str(sym))
        return await self.instrument(sym), venue

    def _only_futures(self, sym: Symbol, capability: Capability, what: str) -> None:
        if self._venue_of(sym) is Venue.SPOT:
            raise NotSupportedError(self.name, capability.value, f"{sym} is spot; {what}")

    def _spot_symbol(self, name: str) -> Symbol | None:
        found = self._spot_names.get(name)
        return None if found is None else found.symbol

    def _futures_symbol(self, native: str) -> Symbol | None:
        found = self._native.get((MarketKind.LINEAR, native)) or self._native.get(
            (MarketKind.LINEAR, native.upper())
        )
        return None if found is None else found.symbol

    def _asset(self, name: str) -> str:
        """A Kraken asset name (``XXBT``, ``XBT``, ``XBT.F``) in unified form (``BTC``...)."""
        base, dot, suffix = name.partition(".")
        unified = self._assets.get(base) or w.unified_asset(base)
        return f"{unified}.{suffix}" if dot else unified

    def _native_asset(self, asset: str) -> str:
        return w.native_asset(asset)

    # ------------------------------------------------------------------ public streams

    def _session(self, name: str) -> WsSession:
        session = self._ws.get(name)
        if session is not None:
            return session
        if name == "spot":
            self._need_spot("streams")
            session = WsSession(
                self.name,
                self.urls["spot_ws"],
                SpotPublicProtocol(self.name),
                name="spot",
                stale_after=60.0,
            )
        elif name == "spot_private":
            self._need_spot("private streams")
            if self.credentials is None:
                raise ConfigurationError("kraken private streams need api_key/secret")

            session = WsSession(
                self.name,
                self.urls["spot_ws_auth"],
                SpotPrivateProtocol(self._ws_token, self.name),
                name="spot-private",
                stale_after=60.0,
            )
        elif name == "futures":
            session = WsSession(
                self.name,
                self.urls["futures_ws"],
                FuturesPublicProtocol(self.name),
                name="futures",
                stale_after=None,
            )
        else:
            if self._futures_signer is None:
                raise ConfigurationError("kraken futures private streams need API keys")
            session = WsSession(
                self.name,
                self.urls["futures_ws"],
                FuturesPrivateProtocol(self._futures_signer, self.name),
                name="futures-private",
                stale_after=None,
            )
        self._ws[name] = session
        return session

    def stream_orderbook(self, symbol: SymbolLike, depth: int = 20) -> AsyncIterator[OrderBook]:
        """Spot: the v2 ``book`` (checksum verified after every message); Futures: the
        ``book`` feed (contiguous ``seq``). Either resubscribes on any inconsistency."""
        sym = as_symbol(symbol)
        venue = self._venue_of(sym)
        if venue is Venue.SPOT:
            return self._spot_book(sym, depth)
        return self._futures_book(sym, depth)

    async def _spot_book(self, sym: Symbol, depth: int) -> AsyncIterator[OrderBook]:
        inst = await self.instrument(sym)
        wanted = next((d for d in _BOOK_DEPTHS if d >= depth), _BOOK_DEPTHS[-1])
        session = self._session("spot")
        protocol = session.protocol
        assert isinstance(protocol, SpotPublicProtocol)
        ws_symbol = str(sym)
        # One book subscription per pair and connection, at one depth, fixed while any stream
        # reads it (resubscribes ask for the same depth): a stream needing more levels than the
        # live subscription carries is refused, a shallower one shares it.
        live = protocol.book_users.get(ws_symbol, 0)
        subscribed = protocol.depths.get(ws_symbol) if live else None
        if subscribed is not None and wanted > subscribed:
            raise ConfigurationError(
                f"kraken: the {ws_symbol} book is already streamed at depth {subscribed}; "
                f"a depth-{depth} stream needs those streams closed first (Kraken sends one "
                "depth per pair on a connection)"
            )
        if subscribed is None:
            protocol.depths[ws_symbol] = subscribed = wanted
        protocol.book_users[ws_symbol] = live + 1
        try:
            sub = await session.subscribe(f"book:{ws_symbol}", overflow=Overflow.RESET)
        except BaseException:
            self._book_user_gone(protocol, ws_symbol)
            raise
        book = L2Book(sym, inst.price_decimals, max_depth=subscribed)
        # The checksum covers the whole top of the book: verified when a book is handed out,
        # so states skipped by conflation cost nothing (a mismatch still resyncs).
        sync = BookSync(
            book,
            MonotonicSequence(),
            checksum=KrakenChecksum(),
            defer_checksum=True,
            exchange=self.name,
        )
        decode = msgspec.json.Decoder(w.WsBookWire).decode
        conflation = Conflation(sub)
        number = 0
        try:
            if live:  # joining a live subscription: ask for a fresh snapshot to start from
                await sub.resubscribe()
            async for item in sub:
                if isinstance(item, Reset):
                    sync.reset(item.reason)
                    continue
                try:
                    message = decode(item)
                    data = message.data[0]
                    bids, asks = w.ws_levels(data.bids), w.ws_levels(data.asks)
                except (msgspec.ValidationError, msgspec.DecodeError, IndexError, ValueError):
                    result = sync.reset("malformed_event")
                else:
                    number += 1
                    stamp = w.iso_to_ms(data.timestamp) if data.timestamp else self.clock.now_ms()
                    if message.type == "snapshot":
                        result = sync.on_snapshot(
                            bids, asks, number, timestamp=stamp, checksum=data.checksum
                        )
                    elif not sync.live:
                        continue  # an update of the subscription being replaced
                    else:
                        result = sync.on_delta(
                            Delta(
                                number, number, bids, asks, timestamp=stamp, checksum=data.checksum
                            )
                        )
                if result is SyncResult.RESYNC:
                    self.log.warning("book_resync", symbol=str(sym), reason=sync.last_resync_reason)
                    await sub.resubscribe()
                elif result is SyncResult.APPLIED and sync.live and conflation.ready():
                    if sync.verify() is SyncResult.RESYNC:
                        self.log.warning("book_resync", symbol=str(sym), reason="checksum")
                        await sub.resubscribe()
                    else:
                        yield book.snapshot(depth)
        finally:
            self._book_user_gone(protocol, ws_symbol)
            await sub.close()

    @staticmethod
    def _book_user_gone(protocol: SpotPublicProtocol, ws_symbol: str) -> None:
        left = protocol.book_users.get(ws_symbol, 0) - 1
        if left > 0:
            protocol.book_users[ws_symbol] = left
        else:
            protocol.book_users.pop(ws_symbol, None)
            protocol.depths.pop(ws_symbol, None)

    async def _futures_book(self, sym: Symbol, depth: int) -> AsyncIterator[OrderBook]:
        inst = await self.instrument(sym)
        session = self._session("futures")
        sub = await session.subscribe(f"book:{inst.native_id}", overflow=Overflow.RESET)
        book = L2Book(sym, inst.price_decimals)
        sync = BookSync(book, FuturesBookSequence(), exchange=self.name)
        decode = msgspec.json.Decoder(w.FWsBookWire).decode
        conflation = Conflation(sub)
        try:
            async for item in sub:
                if isinstance(item, Reset):
                    sync.reset(item.reason)
                    continue
                try:
                    result = _futures_book_message(sync, decode(item))
                except (msgspec.ValidationError, msgspec.DecodeError, ValueError):
                    result = sync.reset("malformed_event")
                if result is SyncResult.RESYNC:
                    self.log.warning("book_resync", symbol=str(sym), reason=sync.last_resync_reason)
                    await sub.resubscribe()
                elif result is SyncResult.APPLIED and sync.live and conflation.ready():
                    yield book.snapshot(depth)
        finally:
            await sub.close()

    async def _public(
        self, session_name: str, channel: str, convert: Callable[[bytes], list[T]]
    ) -> AsyncGenerator[T, None]:
        sub = await self._session(session_name).subscribe(channel, overflow=Overflow.DROP_OLDEST)
        try:
            async for item in sub:
                if isinstance(item, Reset):
                    continue
                try:
                    values = convert(bytes(item))
                except (
                    msgspec.ValidationError,
                    msgspec.DecodeError,
                    ExchangeError,
                    ValueError,
                ) as exc:
                    self.log.warning("ws_malformed_payload", channel=channel, error=str(exc))
                    continue
                for value in values:
                    yield value
        finally:
            await sub.close()

    def stream_trades(self, symbol: SymbolLike) -> AsyncIterator[Trade]:
        sym = as_symbol(symbol)
        return self._trades(sym)

    async def _trades(self, sym: Symbol) -> AsyncIterator[Trade]:
        inst, venue = await self._resolve(sym)
        if venue is Venue.SPOT:
            decode = msgspec.json.Decoder(w.WsTradeWire).decode

            def convert_spot(raw: bytes) -> list[Trade]:
                msg = decode(raw)
                if msg.type == "snapshot":
                    return []  # history, not new trades (as on futures)
                return [w.ws_trade(t, sym) for t in msg.data]

            stream = self._public("spot", f"trade:{sym}", convert_spot)
        else:
            decode_f = msgspec.json.Decoder(w.FWsTradeWire).decode

            def convert(raw: bytes) -> list[Trade]:
                msg = decode_f(raw)
                if msg.feed != "trade" or msg.price is None or msg.qty is None:
                    return []  # the snapshot replays history: only new trades are streamed
                return [
                    Trade(
                        sym,
                        msg.uid or "",
                        msg.price,
                        msg.qty,
                        Side.BUY if msg.side == "buy" else Side.SELL,
                        msg.time or 0,
                    )
                ]

            stream = self._public("futures", f"trade:{inst.native_id}", convert)
        async with contextlib.aclosing(stream):
            async for trade in stream:
                yield trade

    def stream_candles(self, symbol: SymbolLike, interval: str = "1m") -> AsyncIterator[Candle]:
        sym = as_symbol(symbol)
        if self._venue_of(sym) is Venue.FUTURES:
            raise NotSupportedError(
                self.name,
                Capability.STREAM_CANDLES.value,
                "Kraken Futures WebSocket has no candle feed",
            )
        minutes = ep.OHLC_INTERVALS.get(interval)
        if minutes is None:
            raise InvalidOrderError(str(sym), "interval", f"{interval!r} not supported")
        decode = msgspec.json.Decoder(w.WsOhlcWire).decode

        def convert(raw: bytes) -> list[Candle]:
            now = self.clock.now_ms()
            return [w.ws_candle(c, sym, interval, now) for c in decode(raw).data]

        return self._public("spot", f"ohlc:{sym}:{minutes}", convert)

    def stream_mark_price(self, symbol: SymbolLike) -> AsyncIterator[MarkPrice]:
        sym = as_symbol(symbol)
        self._only_futures(sym, Capability.STREAM_MARK_PRICE, "only perpetuals have a mark price")
        return self._marks(sym)

    async def _marks(self, sym: Symbol) -> AsyncIterator[MarkPrice]:
        inst = await self.instrument(sym)
        decode = msgspec.json.Decoder(_FTickerFeed).decode

        def convert(raw: bytes) -> list[MarkPrice]:
            msg = decode(raw)
            if msg.markPrice is None:
                return []
            return [MarkPrice(sym, msg.markPrice, msg.index, msg.time or self.clock.now_ms())]

        stream = self._public("futures", f"ticker:{inst.native_id}", convert)
        async with contextlib.aclosing(stream):
            async for mark in stream:
                yield mark

    # ------------------------------------------------------------------ private streams

    def _private_venues(self, kind: MarketKind | None) -> list[Venue]:
        if self.credentials is None:
            raise ConfigurationError("kraken private streams need api_key/secret")
        if kind is MarketKind.INVERSE:
            raise NotSupportedError(self.name, "inverse", "inverse futures are not supported")
        venues = [v for v in Venue if kind is None or _KIND[v] is kind]
        if not self.urls.get("spot_rest"):
            venues = [v for v in venues if v is not Venue.SPOT]
        return venues

    async def _private(
        self, venue: Venue, channel: str, convert: Callable[[bytes], Sequence[T]]
    ) -> AsyncGenerator[T | Gap, None]:
        await self.load_instruments()
        name = "spot_private" if venue is Venue.SPOT else "futures_private"
        sub = await self._session(name).subscribe(channel, overflow=Overflow.RAISE)

        def checked(raw: bytes) -> list[T]:
            try:
                return list(convert(raw))
            except (ExchangeError, ValueError) as exc:
                # A value Kraken does not document (unknown status...): lost data, like a
                # malformed push: the channel is resubscribed and the gap caught up from REST.
                raise msgspec.ValidationError(str(exc)) from exc

        pushes = recovery.private_pushes(sub, checked, self.log)
        async with contextlib.aclosing(pushes):
            async for push in pushes:
                yield push

    def _spot_executions(self) -> Callable[[bytes], list[tuple[Order | None, Fill | None]]]:
        decode = msgspec.json.Decoder(w.ExecutionsWire).decode
        states: dict[str, w.ExecWire] = {}

        def convert(raw: bytes) -> list[tuple[Order | None, Fill | None]]:
            out: list[tuple[Order | None, Fill | None]] = []
            for event in decode(raw).data:
                state = w.merge_exec(states.get(event.order_id), event)
                sym = self._spot_symbol(state.symbol or "")
                if sym is None:
                    continue
                order = w.exec_order(state, sym)
                if order is not None and not order.status.is_open:
                    states.pop(event.order_id, None)
                else:
                    states[event.order_id] = msgspec.structs.replace(
                        state,
                        exec_type=None,
                        exec_id=None,
                        last_qty=None,
                        last_price=None,
                        fees=None,
                        liquidity_ind=None,
                    )
                out.append((order, w.exec_fill(state, sym)))
            return out

        return convert

    def _futures_orders(self) -> Callable[[bytes], list[Order]]:
        decode = msgspec.json.Decoder(w.FWsOpenOrdersWire).decode
        known: dict[str, Order] = {}

        def convert(raw: bytes) -> list[Order]:
            msg = decode(raw)
            out = []
            for item in msg.orders or ([msg.order] if msg.order else []):
                sym = self._futures_symbol(item.instrument)
                if sym is None:
                    continue
                status = _closed_status(msg.reason) if msg.is_cancel else None
                order = w.fws_order(item, sym, status)
                if order.status.is_open:
                    known[order.order_id] = order
                else:
                    known.pop(order.order_id, None)
                out.append(order)
            if msg.is_cancel and msg.order is None and msg.order_id is not None:
                before = known.pop(msg.order_id, None)
                if before is not None:
                    closed = _closed_status(msg.reason)
                    filled = closed is OrderStatus.FILLED
                    out.append(
                        msgspec.structs.replace(
                            before,
                            status=closed,
                            filled_quantity=before.quantity if filled else before.filled_quantity,
                            updated_at=self.clock.now_ms(),
                        )
                    )
            return out

        return convert

    def stream_orders(self, kind: MarketKind | None = None) -> AsyncIterator[Order]:
        def streams(venue: Venue) -> AsyncIterator[Order]:
            if venue is Venue.SPOT:
                executions = self._spot_executions()
                pushes = self._private(
                    venue, "executions", lambda raw: [o for o, _ in executions(raw) if o]
                )
                reader = lambda: self._spot_open(None)  # noqa: E731
            else:
                convert_orders = self._futures_orders()
                pushes = self._private(venue, "open_orders", convert_orders)
                reader = lambda: self._futures_open(None)  # noqa: E731
            return recovery.orders_across_gaps(self, pushes, _KIND[venue], open_orders=reader)

        return merge(*(streams(v) for v in self._private_venues(kind)))

    def stream_fills(self, kind: MarketKind | None = None) -> AsyncIterator[Fill]:
        def streams(venue: Venue) -> AsyncIterator[Fill]:
            if venue is Venue.SPOT:
                executions = self._spot_executions()
                pushes = self._private(
                    venue, "executions", lambda raw: [f for _, f in executions(raw) if f]
                )
                reader = lambda: self._spot_open(None)  # noqa: E731
            else:
                decode = msgspec.json.Decoder(w.FWsFillsWire).decode

                def convert(raw: bytes) -> list[Fill]:
                    msg = decode(raw)
                    if msg.feed == "fills_snapshot":
                        return []  # history, not new fills
                    out = []
                    for f in msg.fills:
                        sym = self._futures_symbol(f.instrument)
                        if sym is not None:
                            out.append(w.fws_fill(f, sym))
                    return out

                pushes = self._private(venue, "fills", convert)
                reader = lambda: self._futures_open(None)  # noqa: E731
            return recovery.fills_across_gaps(self, pushes, _KIND[venue], open_orders=reader)

        return merge(*(streams(v) for v in self._private_venues(kind)))

    def stream_balances(self, kind: MarketKind | None = None) -> AsyncIterator[Balance]:
        """Spot ``balances`` pushes carry totals only, so each push is followed by a
        ``BalanceEx`` read of the assets it names (exact free/locked). Futures: the
        ``balances`` feed's multi-collateral wallet."""

        def streams(venue: Venue) -> AsyncIterator[Balance]:
            if venue is Venue.SPOT:
                return recovery.balances_across_gaps(self, self._spot_balance_pushes(), "spot")
            decode = msgspec.json.Decoder(w.FWsBalancesWire).decode

            def convert(raw: bytes) -> list[Balance]:
                flex = decode(raw).flex_futures
                if flex is None:
                    return []
                return w.flex_balances(w.FlexAccountWire(currencies=flex.currencies))

            pushes = self._private(venue, "balances", convert)
            return recovery.balances_across_gaps(self, pushes, "futures")

        return merge(*(streams(v) for v in self._private_venues(kind)))

    async def _spot_balance_pushes(self) -> AsyncGenerator[Balance | Gap, None]:
        """Each pushed spot total (exact, as pushed) with the amount on hold for open orders
        read from ``BalanceEx`` (the push does not carry it)."""
        decode = msgspec.json.Decoder(w.WsBalancesWire).decode

        def convert(raw: bytes) -> list[tuple[str, Decimal]]:
            out = []
            for item in decode(raw).data:
                total = item.spot_total()
                if total is not None:
                    out.append((self._asset(item.asset), total))
            return out

        pushes = self._private(Venue.SPOT, "balances", convert)
        async with contextlib.aclosing(pushes):
            async for item in pushes:
                if isinstance(item, Gap):
                    yield item
                    continue
                asset, total = item
                held = {b.asset: b.locked for b in await self.get_balances("spot")}
                hold = min(held.get(asset, Decimal(0)), total)
                yield Balance(asset, total - hold, hold, "spot")

    def stream_positions(self) -> AsyncIterator[Position]:
        self._private_venues(MarketKind.LINEAR)
        decode = msgspec.json.Decoder(w.FWsPositionsWire).decode

        def convert(raw: bytes) -> list[Position]:
            msg = decode(raw)
            out = []
            for p in msg.positions:
                sym = self._futures_symbol(p.instrument)
                if sym is not None:
                    out.append(w.fws_position(p, sym, msg.timestamp or self.clock.now_ms()))
            return out

        pushes = self._private(Venue.FUTURES, "open_positions", convert)
        return recovery.positions_across_gaps(self, pushes)


def _futures_book_message(sync: BookSync, message: w.FWsBookWire) -> SyncResult:
    """Apply one ``book_snapshot`` or one-level ``book`` delta (ValueError: a bad number)."""
    if message.feed == "book_snapshot":
        return sync.on_snapshot(
            [(w.raw_text(lv.price), w.raw_text(lv.qty)) for lv in message.bids],
            [(w.raw_text(lv.price), w.raw_text(lv.qty)) for lv in message.asks],
            message.seq,
            timestamp=message.timestamp,
        )
    if message.side not in ("buy", "sell") or w.NULL_RAW in (message.price, message.qty):
        return sync.reset("malformed_event")
    level = [(w.raw_text(message.price), w.raw_text(message.qty))]
    bids, asks = (level, []) if message.side == "buy" else ([], level)
    return sync.on_delta(Delta(message.seq, message.seq, bids, asks, timestamp=message.timestamp))


class _FTickerFeed(msgspec.Struct, kw_only=True):
    markPrice: Decimal | None = None  # noqa: N815
    index: Decimal | None = None
    time: int | None = None


def _closed_status(reason: str | None) -> OrderStatus:
    """A futures ``open_orders`` removal by its ``reason``: ``full_fill`` is FILLED, an IOC
    order that could not execute (``ioc_order_failed_because_it_would_not_be_executed``, …) is
    EXPIRED, everything else (user or system cancels) CANCELED."""
    if reason == "full_fill":
        return OrderStatus.FILLED
    if (reason or "").startswith("ioc_order_failed"):
        return OrderStatus.EXPIRED
    return OrderStatus.CANCELED
