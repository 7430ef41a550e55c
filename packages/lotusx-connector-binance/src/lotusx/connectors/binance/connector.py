"""`BinanceConnector`: Binance Spot and USDⓈ-M perpetuals behind one LotusX connector.

The unified symbol picks the API: ``BTC/USDT`` is spot ``BTCUSDT`` (``/api``),
``BTC/USDT:USDT`` is the USDⓈ-M perpetual ``BTCUSDT`` (``/fapi``). Native ids come from the
loaded instruments. Spot and futures are separate hosts with separate limits, so each has its
own `RestClient` (``self.rest`` for spot and wallet calls, and its sibling
``self.futures_rest``) with its own quotas and error table, sharing one HTTP session, clock and
signer.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping, Sequence
from decimal import Decimal
from typing import ClassVar, TypeVar, Unpack

import msgspec

from lotusx.core import recovery
from lotusx.core.book import BookSync, L2Book, SyncResult
from lotusx.core.capabilities import Capability
from lotusx.core.clock import wall_ms
from lotusx.core.connector import Connector, ConnectorOptions, OrderTransport
from lotusx.core.errors import (
    BadSymbol,
    ConfigurationError,
    ExchangeError,
    InvalidOrderError,
    NotSupportedError,
    OrderNotFound,
    RequestNotSent,
)
from lotusx.core.observability import BOOK_RESYNCS
from lotusx.core.ratelimit import Quota, RateLimiter
from lotusx.core.recovery import Gap
from lotusx.core.retry import resolve_placement
from lotusx.core.streaming import Conflation
from lotusx.core.transport.rest import BodyFormat, Endpoint, RestClient
from lotusx.core.transport.ws import Overflow, Reset, WsSession
from lotusx.core.transport.wsapi import WsApiClient
from lotusx.core.types import (
    AmendRequest,
    Balance,
    Candle,
    Deposit,
    FeeRate,
    Fill,
    FundingRate,
    IndexPrice,
    Instrument,
    LeverageBracket,
    MarketKind,
    MarkPrice,
    Order,
    OrderBook,
    OrderRequest,
    OrderStatus,
    OrderType,
    Position,
    RateLimitRule,
    ServerTime,
    Side,
    SubAccount,
    Symbol,
    SymbolLike,
    SystemStatus,
    Ticker,
    Trade,
    Transfer,
    TransferStatus,
    Withdrawal,
    as_symbol,
)

from . import endpoints as ep
from . import wire as w
from .endpoints import MAINNET, TESTNET, Venue
from .errors import error_table
from .signer import BinanceSigner
from .streams import (
    BALANCE_EVENT,
    KEEPALIVE_SECONDS,
    ORDER_EVENT,
    POSITION_EVENT,
    MarketProtocol,
    UserDataStream,
    book_policy,
    candle_channel,
    depth_channel,
    mark_price_channel,
    merge,
    snapshot_too_old,
    to_delta,
    trade_channel,
)
from .wsapi import URL_KEY, BinanceWsApi, OrderSocket

__all__ = ["BinanceConnector", "estimate_liquidation_price", "new_client_order_id"]

T = TypeVar("T")
_KIND = {Venue.SPOT: MarketKind.SPOT, Venue.FUTURES: MarketKind.LINEAR}
_SNAPSHOT_LIMIT = 1000
_SNAPSHOT_TRIES = 5


def new_client_order_id() -> str:
    """A fresh id valid on both APIs (``[A-Za-z0-9_-]``, at most 36 characters)."""
    return "lx" + uuid.uuid4().hex


def estimate_liquidation_price(
    brackets: Sequence[LeverageBracket],
    side: Side,
    quantity: Decimal,
    entry_price: Decimal,
    leverage: Decimal,
) -> Decimal | None:
    """Liquidation price of an isolated, one-way position opened at ``entry_price``.

    Binance's formula with the isolated wallet ``WB = Q·EP / leverage`` as the only margin::

        LP = (WB + cum − s·Q·EP) / (Q·MMR − s·Q)        s = +1 long, −1 short

    where ``MMR`` (maintenance margin rate) and ``cum`` (maintenance amount) are those of the
    bracket holding the entry notional ``Q·EP``. At ``LP`` the margin balance
    ``WB + s·Q·(LP − EP)`` equals the maintenance margin ``Q·LP·MMR − cum``. None when the
    position can never be liquidated (a long at 1x: ``LP <= 0``).
    """
    if quantity <= 0 or entry_price <= 0 or leverage <= 0:
        raise ValueError("quantity, entry_price and leverage must be positive")
    if not brackets:
        raise ValueError("no leverage brackets")
    notional = quantity * entry_price
    ordered = sorted(brackets, key=lambda b: b.notional_floor)
    bracket = next(
        (b for b in ordered if b.notional_floor <= notional < b.notional_cap), ordered[-1]
    )
    if leverage > bracket.max_leverage:
        raise InvalidOrderError(
            str(bracket.symbol),
            "max_leverage",
            f"{leverage}x exceeds {bracket.max_leverage}x at notional {notional}",
        )
    s = 1 if side is Side.BUY else -1
    wallet = notional / leverage
    price = (wallet + bracket.maintenance_amount - s * notional) / (
        quantity * bracket.maintenance_margin_rate - s * quantity
    )
    return price if price > 0 else None


class BinanceConnector(Connector):
    """Binance Spot + USDⓈ-M perpetual futures."""

    name = "binance"
    mainnet_urls = MAINNET
    testnet_urls = TESTNET
    listen_key_keepalive: float = KEEPALIVE_SECONDS  # seconds between listen-key keep-alives
    order_transports = frozenset({OrderTransport.REST, OrderTransport.WS})
    emulated: ClassVar[Mapping[Capability, str]] = {
        Capability.PLACE_BATCH_ORDERS: (
            "spot: one request per order, not atomic (USDⓈ-M: batchOrders)"
        ),
        Capability.CANCEL_BATCH: (
            "spot: one request per order, not atomic (USDⓈ-M: DELETE batchOrders)"
        ),
    }

    def __init__(
        self,
        *,
        recv_window: int = 5000,
        **options: Unpack[ConnectorOptions],
    ) -> None:
        self._recv_window = recv_window
        super().__init__(**options)
        self.futures_rest = self.rest.sibling(
            errors=error_table(Venue.FUTURES),
            limiter=RateLimiter(self.name, list(ep.DEFAULT_QUOTAS[Venue.FUTURES])),
        )
        self._rate_rules: dict[Venue, list[w.RateLimitWire]] = {}
        self._market_ws: dict[Venue, WsSession] = {}
        self._user_ws: dict[Venue, UserDataStream] = {}
        self._leverage: dict[Symbol, Decimal] = {}
        #: The WebSocket API connections orders go over (``order_transport="ws"``).
        self._order_ws: dict[Venue, OrderSocket] = {}

    # ------------------------------------------------------------------ plumbing

    def _build_rest(self) -> RestClient:
        signer = None
        if self.credentials is not None:
            signer = BinanceSigner(self.credentials, self._recv_window)
        return RestClient(
            self.name,
            self.urls,
            errors=error_table(Venue.SPOT),
            signer=signer,
            limiter=RateLimiter(self.name, list(ep.DEFAULT_QUOTAS[Venue.SPOT])),
            clock=self.clock,
            header_observer=ep.observe_headers,
            timeout=self.timeout,
        )

    def _client(self, venue: Venue) -> RestClient:
        return self.rest if venue is Venue.SPOT else self.futures_rest

    async def _call(
        self,
        endpoint: Endpoint,
        decode: type[T],
        params: Mapping[str, object] | None = None,
        *,
        costs: Mapping[str, int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> T:
        venue = Venue.SPOT if endpoint.base == "spot_rest" else Venue.FUTURES
        body = None
        if endpoint.body is BodyFormat.FORM and params:
            body = {k: v for k, v in params.items() if v is not None}
            params = None
        return await self._client(venue).request(
            endpoint, decode, params=params, body=body or None, costs=costs, headers=headers
        )

    async def _order_request(
        self,
        method: str,
        endpoint: Endpoint,
        decode: type[T],
        params: Mapping[str, object],
    ) -> T:
        """One order action: WebSocket API ``method`` (with ``order_transport="ws"``), else, or
        when the socket could not take it, REST ``endpoint``; same params, same reply shape."""
        venue = Venue.SPOT if endpoint.base == "spot_rest" else Venue.FUTURES
        socket = self._order_ws.get(venue)

        async def over_rest() -> T:
            return await self._call(endpoint, decode, params)

        if socket is None:
            return await over_rest()

        async def over_ws() -> T:
            return await socket.call(method, endpoint, params, decode)

        return await self._order_call(over_ws, over_rest)

    async def open(self) -> None:
        await self.rest.open()  # the futures client shares its session
        await self.sync_time()
        if self.order_transport is OrderTransport.WS and self.credentials is not None:
            for venue in Venue:
                client = WsApiClient(
                    self.name,
                    self.urls[URL_KEY[venue]],
                    BinanceWsApi(venue),
                    name=f"{venue}-orders",
                    limiter=self._client(venue).limiter,
                    timeout=self.timeout,
                )
                self._order_ws[venue] = OrderSocket(
                    client,
                    self.credentials,
                    recv_window=self._recv_window,
                    clock=self.clock,
                    errors=error_table(venue),
                    limiter=self._client(venue).limiter,
                )
            starts = [s.client.start(wait=self.timeout) for s in self._order_ws.values()]
            for outcome in await asyncio.gather(*starts, return_exceptions=True):
                if isinstance(outcome, RequestNotSent):  # orders go over REST until it is up
                    self.log.warning("order_socket_not_ready", error=str(outcome))
                elif isinstance(outcome, BaseException):
                    raise outcome

    async def close(self) -> None:
        sockets = [*self._order_ws.values()]
        self._order_ws.clear()
        for socket in sockets:
            await socket.client.close()
        sessions = [*self._market_ws.values()]
        users = [*self._user_ws.values()]
        self._market_ws.clear()
        self._user_ws.clear()
        for user in users:
            await user.close()
        for session in sessions:
            await session.close()
        await self.rest.close()

    @staticmethod
    def _venue_of(symbol: Symbol) -> Venue:
        if symbol.kind is MarketKind.SPOT:
            return Venue.SPOT
        if symbol.kind is MarketKind.LINEAR:
            return Venue.FUTURES
        raise BadSymbol(
            f"{symbol}: inverse (COIN-M) markets are not supported",
            exchange="binance",
            endpoint="instruments",
        )

    async def _resolve(self, symbol: SymbolLike) -> tuple[Instrument, Venue]:
        sym = as_symbol(symbol)
        venue = self._venue_of(sym)
        return await self.instrument(sym), venue

    def _symbol(self, venue: Venue, native: str) -> Symbol | None:
        """The unified symbol of a native id, or None for markets LotusX does not name."""
        found = self._native.get((_KIND[venue], native))
        return None if found is None else found.symbol

    def _only_futures(self, sym: Symbol, capability: Capability, what: str) -> None:
        if self._venue_of(sym) is Venue.SPOT:
            raise NotSupportedError(self.name, capability.value, f"{sym} is spot; {what}")

    @staticmethod
    def _ids(order_id: str | None, client_order_id: str | None, sym: Symbol) -> dict[str, object]:
        if order_id is not None:
            return {"orderId": order_id}
        if client_order_id is not None:
            return {"origClientOrderId": client_order_id}
        raise InvalidOrderError(str(sym), "order_id", "give order_id or client_order_id")

    # ------------------------------------------------------------------ market data

    async def get_instruments(self, kind: MarketKind | None = None) -> list[Instrument]:
        venues = [v for v in Venue if kind is None or _KIND[v] is kind]
        infos = await asyncio.gather(*(self._exchange_info(v) for v in venues))
        found: list[Instrument] = []
        for venue, info in zip(venues, infos, strict=True):
            for sym in info.symbols:
                inst = w.to_instrument(sym, venue)
                if inst is not None:
                    found.append(inst)
        return found

    async def _exchange_info(self, venue: Venue) -> w.ExchangeInfoWire:
        endpoint = ep.SPOT_EXCHANGE_INFO if venue is Venue.SPOT else ep.FUT_EXCHANGE_INFO
        info = await self._call(endpoint, w.ExchangeInfoWire)
        limiter = self._client(venue).limiter
        for rule in info.rateLimits:
            name = ep.quota_name(rule.rateLimitType, rule.interval, rule.intervalNum)
            unit = ep.quota_unit(rule.rateLimitType)
            window = ep.WINDOW_MS.get(rule.interval)
            if name is not None and unit is not None and window is not None:
                limiter.set_quota(Quota(name, rule.limit, window * rule.intervalNum, unit=unit))
        self._rate_rules[venue] = list(info.rateLimits)
        return info

    async def get_orderbook(self, symbol: SymbolLike, depth: int = 100) -> OrderBook:
        inst, venue = await self._resolve(symbol)
        wire = await self._depth(inst, venue, depth)
        return w.to_orderbook(wire, inst.symbol, depth, self.clock.now_ms())

    async def _depth(self, inst: Instrument, venue: Venue, depth: int) -> w.DepthWire:
        if venue is Venue.SPOT:
            limit = min(max(depth, 1), ep.SPOT_DEPTH_MAX)
            endpoint, costs = ep.SPOT_DEPTH, ep.spot_depth_costs(limit)
        else:
            limit = ep.futures_depth_limit(depth)
            endpoint, costs = ep.FUT_DEPTH, ep.futures_depth_costs(limit)
        params = {"symbol": inst.native_id, "limit": limit}
        return await self._call(endpoint, w.DepthWire, params, costs=costs)

    async def get_trades(self, symbol: SymbolLike, limit: int = 100) -> list[Trade]:
        inst, venue = await self._resolve(symbol)
        endpoint = ep.SPOT_TRADES if venue is Venue.SPOT else ep.FUT_TRADES
        params = {"symbol": inst.native_id, "limit": min(limit, 1000)}
        wires = await self._call(endpoint, list[w.TradeWire], params)
        return [w.to_trade(t, inst.symbol) for t in wires]

    async def get_candles(
        self,
        symbol: SymbolLike,
        interval: str = "1m",
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int = 100,
    ) -> list[Candle]:
        inst, venue = await self._resolve(symbol)
        if venue is Venue.SPOT:
            limit, endpoint, costs = min(limit, 1000), ep.SPOT_KLINES, None
        else:
            limit = min(limit, 1500)
            endpoint, costs = ep.FUT_KLINES, ep.futures_klines_costs(limit)
        params = {
            "symbol": inst.native_id,
            "interval": interval,
            "startTime": start,
            "endTime": end,
            "limit": limit,
        }
        wires = await self._call(endpoint, list[w.KlineWire], params, costs=costs)
        now = self.clock.now_ms()
        return [w.to_candle(k, inst.symbol, interval, now) for k in wires]

    async def get_ticker(self, symbol: SymbolLike) -> Ticker:
        inst, venue = await self._resolve(symbol)
        params = {"symbol": inst.native_id}
        if venue is Venue.SPOT:
            day = await self._call(ep.SPOT_TICKER_24H, w.Ticker24hWire, params)
            return w.to_ticker(day, inst.symbol, None)
        day, book = await asyncio.gather(
            self._call(ep.FUT_TICKER_24H, w.Ticker24hWire, params),
            self._call(ep.FUT_BOOK_TICKER, w.BookTickerWire, params),
        )
        return w.to_ticker(day, inst.symbol, book)

    async def _premium(self, symbol: SymbolLike, capability: Capability) -> w.PremiumIndexWire:
        sym = as_symbol(symbol)
        self._only_futures(sym, capability, "only perpetuals have a mark/index price and funding")
        inst = await self.instrument(sym)
        return await self._call(
            ep.FUT_PREMIUM_INDEX, w.PremiumIndexWire, {"symbol": inst.native_id}
        )

    async def get_mark_price(self, symbol: SymbolLike) -> MarkPrice:
        wire = await self._premium(symbol, Capability.GET_MARK_PRICE)
        return w.to_mark_price(wire, as_symbol(symbol))

    async def get_index_price(self, symbol: SymbolLike) -> IndexPrice:
        wire = await self._premium(symbol, Capability.GET_INDEX_PRICE)
        return IndexPrice(as_symbol(symbol), wire.indexPrice, wire.time)

    async def get_funding_rate(self, symbol: SymbolLike) -> FundingRate:
        wire = await self._premium(symbol, Capability.GET_FUNDING_RATE)
        return w.to_current_funding(wire, as_symbol(symbol))

    async def get_funding_history(
        self,
        symbol: SymbolLike,
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int = 100,
    ) -> list[FundingRate]:
        sym = as_symbol(symbol)
        self._only_futures(sym, Capability.GET_FUNDING_HISTORY, "spot has no funding")
        inst = await self.instrument(sym)
        params = {
            "symbol": inst.native_id,
            "startTime": start,
            "endTime": end,
            "limit": min(limit, 1000),
        }
        wires = await self._call(ep.FUT_FUNDING_RATE, list[w.FundingRateWire], params)
        return [w.to_funding(f, sym) for f in wires]

    async def get_liquidation_price(
        self,
        symbol: SymbolLike,
        *,
        side: Side | None = None,
        quantity: Decimal | None = None,
        entry_price: Decimal | None = None,
        leverage: Decimal | None = None,
    ) -> Decimal | None:
        sym = as_symbol(symbol)
        self._only_futures(
            sym, Capability.GET_LIQUIDATION_PRICE, "spot positions cannot be liquidated"
        )
        hypothetical = (side, quantity, entry_price)
        if all(v is None for v in hypothetical):
            positions = await self.get_positions(sym)
            return positions[0].liquidation_price if positions else None
        if side is None or quantity is None or entry_price is None:
            raise InvalidOrderError(
                str(sym), "liquidation", "a hypothetical position needs side, quantity, entry_price"
            )
        if leverage is None:
            leverage = await self._current_leverage(sym)
        brackets = await self.get_leverage_brackets(sym)
        price = estimate_liquidation_price(brackets, side, quantity, entry_price, leverage)
        if price is None:
            return None
        # on the tick, toward the entry (the conservative side): a long up, a short down
        inst = await self.instrument(sym)
        return inst.round_price(price, side.opposite)

    async def _current_leverage(self, sym: Symbol) -> Decimal:
        inst = await self.instrument(sym)
        rows = await self._call(
            ep.FUT_POSITION_RISK, list[w.PositionRiskWire], {"symbol": inst.native_id}
        )
        if not rows:
            raise ExchangeError(
                f"no leverage setting for {sym}", exchange=self.name, endpoint="positionRisk"
            )
        self._leverage[sym] = rows[0].leverage
        return rows[0].leverage

    # ------------------------------------------------------------------ trading

    async def place_order(self, request: OrderRequest) -> Order:
        inst, venue = await self._resolve(request.symbol)
        self._will_trade(inst, request)
        return await self._acknowledged(await self._place(inst, venue, request))

    async def _place(self, inst: Instrument, venue: Venue, request: OrderRequest) -> Order:
        """One ``order.place`` / ``POST order``; its RESULT ack is the order after matching
        (status, fills)."""
        client_id = request.client_order_id or new_client_order_id()
        sym = inst.symbol

        async def lookup() -> Order:
            return await self.get_order(sym, client_order_id=client_id)

        if venue is Venue.SPOT:
            params = w.spot_order_params(request, inst.native_id, client_id)

            async def place() -> Order:
                wire = await self._order_request(
                    "order.place", ep.SPOT_ORDER, w.SpotOrderWire, params
                )
                return w.spot_order(wire, sym)

            endpoint = ep.SPOT_ORDER.name
        else:
            params = w.futures_order_params(request, inst.native_id, client_id)

            async def place() -> Order:
                wire = await self._order_request(
                    "order.place", ep.FUT_ORDER, w.FuturesOrderWire, params
                )
                return w.futures_order(wire, sym)

            endpoint = ep.FUT_ORDER.name
        return await resolve_placement(
            place, lookup, exchange=self.name, endpoint=endpoint, client_order_id=client_id
        )

    async def place_batch_orders(
        self, requests: Sequence[OrderRequest]
    ) -> list[Order | ExchangeError]:
        """Futures: ``batchOrders`` in chunks of 5. Spot has no batch endpoint: one call each,
        concurrently (emulated, not atomic). Every request is validated before anything is
        sent."""
        resolved = [await self._resolve(r.symbol) for r in requests]
        for (inst, _), request in zip(resolved, requests, strict=True):
            self._will_trade(inst, request)
        results: list[Order | ExchangeError | None] = [None] * len(requests)
        spot = [i for i, (_, venue) in enumerate(resolved) if venue is Venue.SPOT]
        futures = [i for i, (_, venue) in enumerate(resolved) if venue is Venue.FUTURES]

        async def one(i: int) -> None:
            inst, venue = resolved[i]
            try:
                results[i] = await self._place(inst, venue, requests[i])
            except ExchangeError as exc:
                results[i] = exc

        async def chunk(indices: list[int]) -> None:
            orders = await self._place_futures_chunk(
                [(resolved[i][0], requests[i]) for i in indices]
            )
            for i, item in zip(indices, orders, strict=True):
                results[i] = item

        size = ep.FUTURES_BATCH_MAX
        chunks = [futures[i : i + size] for i in range(0, len(futures), size)]
        await asyncio.gather(*(one(i) for i in spot), *(chunk(c) for c in chunks))
        done = [r for r in results if r is not None]
        return [await self._acknowledged(r) if isinstance(r, Order) else r for r in done]

    async def _place_futures_chunk(
        self, items: list[tuple[Instrument, OrderRequest]]
    ) -> list[Order | ExchangeError]:
        ids = [r.client_order_id or new_client_order_id() for _, r in items]
        batch = [
            w.batch_item(w.futures_order_params(r, inst.native_id, cid))
            for (inst, r), cid in zip(items, ids, strict=True)
        ]
        params = {"batchOrders": msgspec.json.encode(batch).decode()}

        async def place() -> list[Order | ExchangeError]:
            raws = await self._call(ep.FUT_BATCH_ORDERS, list[msgspec.Raw], params)
            return self._batch_results(raws, ep.FUT_BATCH_ORDERS.name)

        async def lookup() -> list[Order | ExchangeError]:
            found: list[Order | ExchangeError] = []
            for (inst, _), cid in zip(items, ids, strict=True):
                try:
                    found.append(await self.get_order(inst.symbol, client_order_id=cid))
                except OrderNotFound as exc:
                    found.append(exc)
            if all(isinstance(f, OrderNotFound) for f in found):
                raise found[0]  # type: ignore[misc]
            return found

        return await resolve_placement(
            place,
            lookup,
            exchange=self.name,
            endpoint=ep.FUT_BATCH_ORDERS.name,
            client_order_id=",".join(ids),
        )

    def _batch_results(self, raws: list[msgspec.Raw], endpoint: str) -> list[Order | ExchangeError]:
        """A futures batch answer, item by item: an order (with its known creation time, a
        cancel ack has none) or that item's typed error."""
        out: list[Order | ExchangeError] = []
        table = self.futures_rest.errors
        for raw in raws:
            try:
                head = msgspec.json.decode(raw, type=w.CodeMsgWire)
                if head.code is not None:
                    out.append(table.build(str(head.code), head.msg, endpoint, raw=bytes(raw)))
                    continue
                wire = msgspec.json.decode(raw, type=w.FuturesOrderWire)
            except msgspec.ValidationError as exc:
                raise table.unexpected(endpoint, f"malformed batch item: {exc}") from exc
            sym = self._symbol(Venue.FUTURES, wire.symbol)
            if sym is None:
                raise w.unexpected(f"batch answer for unknown symbol {wire.symbol!r}")
            out.append(w.futures_order(wire, sym, created_at=self._created_at(sym, wire.orderId)))
        return out

    def _created_at(self, symbol: Symbol, order_id: int) -> int | None:
        """When the order was made, as known here (acks for an existing order do not say)."""
        known = self.orders.find(symbol, str(order_id))
        return None if known is None else known.created_at

    async def amend_order(self, request: AmendRequest) -> Order:
        """Futures: ``order.modify`` (``PUT /fapi/v1/order``). Spot: ``amend.keepPriority`` when
        only the quantity goes down (queue priority kept), else ``cancelReplace`` (a new order
        id, same client id). Over the WebSocket API or REST, as ``order_transport`` says.
        ``quantity`` is the order's new total quantity, fills included.

        What the venue needs besides the change (side, the other of price and quantity, the
        filled size) comes from `orders`; only an order this connector never saw is read first.
        """
        inst, venue = await self._resolve(request.symbol)
        sym = inst.symbol
        known = self.orders.find(sym, request.order_id, request.client_order_id)
        current = known or await self._known_order(sym, request.order_id, request.client_order_id)
        price = request.price if request.price is not None else current.price
        quantity = request.quantity if request.quantity is not None else current.quantity
        if current.type is not OrderType.LIMIT or price is None:
            raise InvalidOrderError(str(sym), "type", "only limit orders can be amended")
        inst.check_order(OrderRequest(sym, current.side, OrderType.LIMIT, quantity, price))
        self._check_not_filled(sym, quantity, current)
        if venue is Venue.FUTURES:
            params = {
                "symbol": inst.native_id,
                "orderId": current.order_id,
                "side": current.side.value.upper(),
                "quantity": quantity,
                "price": price,
            }
            wire = await self._order_request(
                "order.modify", ep.FUT_ORDER_MODIFY, w.FuturesOrderWire, params
            )
            amended = w.futures_order(wire, sym, created_at=current.created_at)
        elif price == current.price and quantity < current.quantity:
            params = {
                "symbol": inst.native_id,
                "orderId": current.order_id,
                "newQty": quantity,
                "newClientOrderId": current.client_order_id,  # keep it (else Binance draws one)
            }
            kept = await self._order_request(
                "order.amend.keepPriority", ep.SPOT_AMEND_KEEP_PRIORITY, w.SpotAmendWire, params
            )
            amended = w.spot_amended(kept, sym, current.created_at)
        else:
            amended = await self._spot_replace(inst, current, price, quantity, read=known is None)
        return await self._acknowledged(amended)

    async def _spot_replace(
        self, inst: Instrument, current: Order, price: Decimal, quantity: Decimal, *, read: bool
    ) -> Order:
        """``cancelReplace`` (``STOP_ON_FAILURE``) sized ``quantity`` minus what filled.

        ``current`` comes from `orders` (``read``: from the venue just now), so its filled size
        may be stale. Where it is 0 the cancel goes with ``cancelRestrictions=ONLY_NEW``: a fill
        since then fails the cancel and nothing is placed; only then is the order read and the
        replacement sent again, sized from the read. A partly filled order has no such guard,
        so unless just read it is read first."""
        sym = inst.symbol
        if current.filled_quantity != 0 and not read:
            current = self.orders.remember(await self.get_order(sym, order_id=current.order_id))
            self._check_not_filled(sym, quantity, current)
        if current.filled_quantity != 0:
            return await self._cancel_replace(inst, current, price, quantity)
        try:
            return await self._cancel_replace(inst, current, price, quantity)
        except OrderNotFound:
            fresh = self.orders.remember(await self.get_order(sym, order_id=current.order_id))
            if fresh.status is not OrderStatus.PARTIALLY_FILLED:
                raise  # gone (filled, canceled): the cancel's own error
        self._check_not_filled(sym, quantity, fresh)
        return await self._cancel_replace(inst, fresh, price, quantity)

    @staticmethod
    def _check_not_filled(sym: Symbol, quantity: Decimal, order: Order) -> None:
        if quantity <= order.filled_quantity:
            raise InvalidOrderError(
                str(sym), "quantity", f"{quantity} <= already filled {order.filled_quantity}"
            )

    async def _cancel_replace(
        self, inst: Instrument, current: Order, price: Decimal, quantity: Decimal
    ) -> Order:
        replacement = OrderRequest(
            inst.symbol,
            current.side,
            OrderType.LIMIT,
            quantity - current.filled_quantity,
            price,
            current.time_in_force,
        )
        params = {
            **w.spot_order_params(
                replacement, inst.native_id, current.client_order_id or new_client_order_id()
            ),
            "cancelReplaceMode": "STOP_ON_FAILURE",
            "cancelOrderId": current.order_id,
            "cancelRestrictions": (
                "ONLY_NEW" if current.filled_quantity == 0 else "ONLY_PARTIALLY_FILLED"
            ),
        }
        result = await self._order_request(
            "order.cancelReplace", ep.SPOT_CANCEL_REPLACE, w.CancelReplaceWire, params
        )
        replaced = w.spot_replaced(result, inst.symbol)
        if result.cancelResponse is not None:  # the old order id, now canceled
            old = w.spot_order(result.cancelResponse, inst.symbol, created_at=current.created_at)
            self.orders.remember(old)
        return replaced

    async def cancel_order(
        self,
        symbol: SymbolLike,
        *,
        order_id: str | None = None,
        client_order_id: str | None = None,
    ) -> Order:
        """One ``order.cancel`` / ``DELETE order``: its ack is the order as canceled (fills
        included); the creation time, which the ack lacks, comes from `orders`."""
        inst, venue = await self._resolve(symbol)
        sym = inst.symbol
        params = {"symbol": inst.native_id, **self._ids(order_id, client_order_id, sym)}
        if venue is Venue.SPOT:
            spot = await self._order_request(
                "order.cancel", ep.SPOT_ORDER_CANCEL, w.SpotOrderWire, params
            )
            canceled = w.spot_order(spot, sym, created_at=self._created_at(sym, spot.orderId))
        else:
            fut = await self._order_request(
                "order.cancel", ep.FUT_ORDER_CANCEL, w.FuturesOrderWire, params
            )
            canceled = w.futures_order(fut, sym, created_at=self._created_at(sym, fut.orderId))
        return await self._acknowledged(canceled)

    async def cancel_batch(
        self, symbol: SymbolLike, order_ids: Sequence[str]
    ) -> list[Order | ExchangeError]:
        """Futures: ``DELETE batchOrders`` in chunks of 10. Spot: one cancel each, concurrently
        (emulated, not atomic)."""
        inst, venue = await self._resolve(symbol)
        if venue is Venue.SPOT:

            async def one(order_id: str) -> Order | ExchangeError:
                try:
                    return await self.cancel_order(inst.symbol, order_id=order_id)
                except ExchangeError as exc:
                    return exc

            return list(await asyncio.gather(*(one(i) for i in order_ids)))
        out: list[Order | ExchangeError] = []
        size = ep.FUTURES_BATCH_CANCEL_MAX
        for start in range(0, len(order_ids), size):
            chunk = [int(i) for i in order_ids[start : start + size]]
            params = {
                "symbol": inst.native_id,
                "orderIdList": msgspec.json.encode(chunk).decode(),
            }
            raws = await self._call(ep.FUT_BATCH_CANCEL, list[msgspec.Raw], params)
            out.extend(self._batch_results(raws, ep.FUT_BATCH_CANCEL.name))
        return [await self._acknowledged(r) if isinstance(r, Order) else r for r in out]

    async def cancel_all(self, symbol: SymbolLike) -> None:
        inst, venue = await self._resolve(symbol)
        params = {"symbol": inst.native_id}
        if venue is Venue.FUTURES:
            await self._call(ep.FUT_CANCEL_ALL, w.CodeMsgWire, params)
            return
        try:
            await self._call(ep.SPOT_CANCEL_ALL, list[msgspec.Raw], params)
        except OrderNotFound:
            return  # spot answers -2011 when there was nothing to cancel

    async def get_order(
        self,
        symbol: SymbolLike,
        *,
        order_id: str | None = None,
        client_order_id: str | None = None,
    ) -> Order:
        inst, venue = await self._resolve(symbol)
        params = {"symbol": inst.native_id, **self._ids(order_id, client_order_id, inst.symbol)}
        if venue is Venue.SPOT:
            spot = await self._call(ep.SPOT_ORDER_GET, w.SpotOrderWire, params)
            return w.spot_order(spot, inst.symbol)
        fut = await self._call(ep.FUT_ORDER_GET, w.FuturesOrderWire, params)
        return w.futures_order(fut, inst.symbol)

    async def get_open_orders(self, symbol: SymbolLike | None = None) -> list[Order]:
        await self.load_instruments()
        if symbol is not None:
            inst, venue = await self._resolve(symbol)
            return await self._open_orders(venue, inst.native_id)
        spot, futures = await asyncio.gather(
            self._open_orders(Venue.SPOT, None), self._open_orders(Venue.FUTURES, None)
        )
        return [*spot, *futures]

    async def _open_orders(self, venue: Venue, native: str | None) -> list[Order]:
        params = {"symbol": native}
        out: list[Order] = []
        if venue is Venue.SPOT:
            endpoint = ep.SPOT_OPEN_ORDERS if native else ep.SPOT_OPEN_ORDERS_ALL
            for spot in await self._call(endpoint, list[w.SpotOrderWire], params):
                sym = self._symbol(venue, spot.symbol)
                if sym is not None:
                    out.append(w.spot_order(spot, sym))
            return out
        endpoint = ep.FUT_OPEN_ORDERS if native else ep.FUT_OPEN_ORDERS_ALL
        for fut in await self._call(endpoint, list[w.FuturesOrderWire], params):
            sym = self._symbol(venue, fut.symbol)
            if sym is not None:
                out.append(w.futures_order(fut, sym))
        return out

    async def get_fills(
        self,
        symbol: SymbolLike,
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int = 100,
    ) -> list[Fill]:
        inst, venue = await self._resolve(symbol)
        params = {
            "symbol": inst.native_id,
            "startTime": start,
            "endTime": end,
            "limit": min(limit, 1000),
        }
        if venue is Venue.SPOT:
            spot = await self._call(ep.SPOT_MY_TRADES, list[w.SpotFillWire], params)
            return [w.spot_fill(f, inst.symbol) for f in spot]
        fut = await self._call(ep.FUT_USER_TRADES, list[w.FuturesFillWire], params)
        return [w.futures_fill(f, inst.symbol) for f in fut]

    # ------------------------------------------------------------------ account

    async def get_balances(self, wallet: str | None = None) -> list[Balance]:
        """Wallets: ``spot`` (``/api/v3/account``), ``futures`` (``/fapi/v2/balance``); both
        when None. Zero balances are left out."""
        if wallet not in (None, "spot", "futures"):
            raise ConfigurationError(f"binance wallets are 'spot' and 'futures', not {wallet!r}")
        calls: list[Awaitable[list[Balance]]] = []
        if wallet in (None, "spot"):
            calls.append(self._spot_balances())
        if wallet in (None, "futures"):
            calls.append(self._futures_balances())
        return [b for group in await asyncio.gather(*calls) for b in group]

    async def _spot_balances(self) -> list[Balance]:
        account = await self._call(ep.SPOT_ACCOUNT, w.SpotAccountWire, {"omitZeroBalances": True})
        return w.spot_balances(account)

    async def _futures_balances(self) -> list[Balance]:
        rows = await self._call(ep.FUT_BALANCE, list[w.FuturesBalanceWire])
        return [
            w.futures_balance(r.asset, r.balance, r.crossWalletBalance)
            for r in rows
            if r.balance or r.crossWalletBalance
        ]

    async def get_positions(self, symbol: SymbolLike | None = None) -> list[Position]:
        """Open USDⓈ-M positions (one-way mode), or the one for ``symbol``."""
        await self.load_instruments()
        params: dict[str, object] = {}
        if symbol is not None:
            sym = as_symbol(symbol)
            self._only_futures(sym, Capability.GET_POSITIONS, "spot has balances, not positions")
            params["symbol"] = (await self.instrument(sym)).native_id
        rows = await self._call(ep.FUT_POSITION_RISK, list[w.PositionRiskWire], params)
        out: list[Position] = []
        for row in rows:
            found = self._symbol(Venue.FUTURES, row.symbol)
            if found is None:
                continue
            self._leverage[found] = row.leverage
            if row.positionAmt != 0:
                out.append(w.to_position(row, found))
        return out

    async def get_fee_rates(self, symbol: SymbolLike) -> FeeRate:
        inst, venue = await self._resolve(symbol)
        params = {"symbol": inst.native_id}
        if venue is Venue.SPOT:
            spot = await self._call(ep.SPOT_COMMISSION, w.SpotCommissionWire, params)
            return w.spot_fee(spot, inst.symbol)
        fut = await self._call(ep.FUT_COMMISSION, w.FuturesCommissionWire, params)
        return w.futures_fee(fut, inst.symbol)

    async def get_leverage_brackets(self, symbol: SymbolLike) -> list[LeverageBracket]:
        sym = as_symbol(symbol)
        self._only_futures(sym, Capability.GET_LEVERAGE_BRACKETS, "spot has no leverage")
        inst = await self.instrument(sym)
        answer = await self._call(
            ep.FUT_LEVERAGE_BRACKET,
            list[w.SymbolBracketsWire] | w.SymbolBracketsWire,  # type: ignore[arg-type]
            {"symbol": inst.native_id},
        )
        entries: list[w.SymbolBracketsWire] = answer if isinstance(answer, list) else [answer]
        for entry in entries:
            if entry.symbol == inst.native_id:
                return w.to_brackets(entry, sym)
        raise w.unexpected(f"no leverage brackets for {inst.native_id}")

    async def set_leverage(self, symbol: SymbolLike, leverage: int) -> Decimal:
        sym = as_symbol(symbol)
        self._only_futures(sym, Capability.SET_LEVERAGE, "spot has no leverage")
        inst = await self.instrument(sym)
        params = {"symbol": inst.native_id, "leverage": leverage}
        answer = await self._call(ep.FUT_LEVERAGE, w.LeverageWire, params)
        self._leverage[sym] = Decimal(answer.leverage)
        return Decimal(answer.leverage)

    async def get_subaccounts(self) -> list[SubAccount]:
        """Sub-accounts of this master account; ``account_id`` and ``name`` are the email."""
        answer = await self._call(ep.SAPI_SUB_ACCOUNTS, w.SubAccountListWire, {"limit": 200})
        return [SubAccount(s.email, s.email, s.isFreeze) for s in answer.subAccounts]

    # ------------------------------------------------------------------ funds

    async def internal_transfer(
        self, asset: str, amount: Decimal, from_account: str, to_account: str
    ) -> Transfer:
        """Accounts: ``spot``, ``futures`` (this account's USDⓈ-M wallet), ``sub:<email>`` (a
        sub-account's spot wallet) or ``sub:<email>:futures``."""
        source, target = _account(from_account), _account(to_account)
        if source == target:
            raise ConfigurationError("internal_transfer: source and destination are the same")
        if source[0] is None and target[0] is None:
            kind = f"{_UNIVERSAL[source[1]]}_{_UNIVERSAL[target[1]]}"
            params = {"type": kind, "asset": asset, "amount": amount}
            wire = await self._call(ep.SAPI_TRANSFER, w.TransferIdWire, params)
        else:
            params = {
                "fromEmail": source[0],
                "toEmail": target[0],
                "fromAccountType": _SUB_ACCOUNT_TYPE[source[1]],
                "toAccountType": _SUB_ACCOUNT_TYPE[target[1]],
                "asset": asset,
                "amount": amount,
            }
            wire = await self._call(ep.SAPI_SUB_TRANSFER, w.TransferIdWire, params)
        return Transfer(
            transfer_id=str(wire.tranId),
            asset=asset,
            amount=amount,
            from_account=from_account,
            to_account=to_account,
            status=TransferStatus.COMPLETED,
            timestamp=self.clock.now_ms(),
        )

    async def withdraw(
        self,
        asset: str,
        amount: Decimal,
        address: str,
        *,
        network: str | None = None,
        tag: str | None = None,
    ) -> Withdrawal:
        """Sent once with a ``withdrawOrderId``; an unknown outcome is resolved from history."""
        client_id = new_client_order_id()
        params = {
            "coin": asset,
            "address": address,
            "amount": amount,
            "network": network,
            "addressTag": tag,
            "withdrawOrderId": client_id,
        }
        now = self.clock.now_ms()

        async def send() -> Withdrawal:
            wire = await self._call(ep.SAPI_WITHDRAW, w.WithdrawIdWire, params)
            return Withdrawal(
                wire.id, asset, amount, address, network, None, TransferStatus.PENDING, None, now
            )

        async def lookup() -> Withdrawal:
            rows = await self._call(
                ep.SAPI_WITHDRAWALS, list[w.WithdrawWire], {"withdrawOrderId": client_id}
            )
            for row in rows:
                if row.withdrawOrderId == client_id:
                    return w.to_withdrawal(row)
            raise OrderNotFound(
                f"no withdrawal {client_id}", exchange=self.name, endpoint=ep.SAPI_WITHDRAWALS.name
            )

        return await resolve_placement(
            send,
            lookup,
            exchange=self.name,
            endpoint=ep.SAPI_WITHDRAW.name,
            client_order_id=client_id,
        )

    async def get_deposit_history(
        self,
        asset: str | None = None,
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int = 100,
    ) -> list[Deposit]:
        params = {"coin": asset, "startTime": start, "endTime": end, "limit": min(limit, 1000)}
        rows = await self._call(ep.SAPI_DEPOSITS, list[w.DepositWire], params)
        return [w.to_deposit(r) for r in rows]

    async def get_withdrawal_history(
        self,
        asset: str | None = None,
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int = 100,
    ) -> list[Withdrawal]:
        params = {"coin": asset, "startTime": start, "endTime": end, "limit": min(limit, 1000)}
        rows = await self._call(ep.SAPI_WITHDRAWALS, list[w.WithdrawWire], params)
        return [w.to_withdrawal(r) for r in rows]

    # ------------------------------------------------------------------ system

    async def sync_time(self) -> ServerTime:
        """Measure the server clock (round-trip midpoint) and correct ``self.clock``."""
        sent = wall_ms()
        wire = await self._call(ep.SPOT_TIME, w.ServerTimeWire)
        received = wall_ms()
        sample = self.clock.observe(sent, wire.serverTime, received)
        if abs(sample.offset_ms - self.clock.offset_ms) > sample.round_trip_ms // 2 + 1:
            # The kept estimate lies outside what this round trip allows (the clock stepped):
            # older samples are stale, start again from this one.
            self.clock.reset()
            sample = self.clock.observe(sent, wire.serverTime, received)
        return ServerTime(
            wire.serverTime, sample.local_ms, self.clock.offset_ms, sample.round_trip_ms
        )

    async def get_system_status(self) -> SystemStatus:
        """``/sapi/v1/system/status``; the testnets have no ``/sapi``, so there both pings."""
        if self.testnet:
            await asyncio.gather(
                self._call(ep.SPOT_PING, w.EmptyWire), self._call(ep.FUT_PING, w.EmptyWire)
            )
            return SystemStatus(True, "testnet ping ok", self.clock.now_ms())
        wire = await self._call(ep.SAPI_SYSTEM_STATUS, w.SystemStatusWire)
        return SystemStatus(wire.status == 0, wire.msg, self.clock.now_ms())

    async def get_rate_limits(self) -> list[RateLimitRule]:
        """Both APIs' published quotas (kind ``spot:request_weight``...), with current use."""
        for venue in Venue:
            if venue not in self._rate_rules:
                await self._exchange_info(venue)
        rules: list[RateLimitRule] = []
        for venue, wires in self._rate_rules.items():
            limiter = self._client(venue).limiter
            known = {q.name for q in limiter.quotas}
            for rule in wires:
                name = ep.quota_name(rule.rateLimitType, rule.interval, rule.intervalNum)
                used = limiter.used(name) if name in known and name is not None else None
                rules.append(w.to_rate_limit_rule(rule, venue, used))
        return rules

    # ------------------------------------------------------------------ public streams

    def _market_session(self, venue: Venue) -> WsSession:
        session = self._market_ws.get(venue)
        if session is None:
            url = self.urls[f"{venue}_ws"].rstrip("/") + "/stream"
            session = WsSession(
                self.name, url, MarketProtocol(self.name), name=f"{venue}-market", stale_after=60.0
            )
            self._market_ws[venue] = session
        return session

    def stream_orderbook(self, symbol: SymbolLike, depth: int = 20) -> AsyncIterator[OrderBook]:
        """The top ``depth`` levels after every diff, only while the book is consistent."""
        sym = as_symbol(symbol)
        self._venue_of(sym)
        return self._book_stream(sym, depth)

    async def _book_stream(self, sym: Symbol, depth: int) -> AsyncIterator[OrderBook]:
        inst, venue = await self._resolve(sym)
        session = self._market_session(venue)
        sub = await session.subscribe(depth_channel(inst.native_id), overflow=Overflow.RESET)
        sync = BookSync(L2Book(sym, inst.price_decimals), book_policy(venue))
        decode = msgspec.json.Decoder(w.DepthEventWire).decode
        try:
            # Snapshot as soon as the stream is open: a quiet market may send no diff for a
            # long time, and the sequence rule catches any change between the two.
            await session.wait_connected(self.timeout)
            result = await self._book_snapshot(sync, inst, venue, None)
            need_snapshot = result is SyncResult.RESYNC
            conflation = Conflation(sub)
            if result is SyncResult.APPLIED and not sync.book.crossed:
                yield sync.book.snapshot(depth)
            async for item in sub:
                if isinstance(item, Reset):
                    result = sync.reset(item.reason)
                else:
                    try:
                        event = decode(item)
                    except (msgspec.ValidationError, msgspec.DecodeError):
                        result = sync.reset("malformed_event")
                    else:
                        result = sync.on_delta(to_delta(event))
                        if result is SyncResult.BUFFERED and need_snapshot:
                            need_snapshot = False
                            result = await self._book_snapshot(sync, inst, venue, event.U)
                if result is SyncResult.RESYNC:
                    BOOK_RESYNCS.labels(self.name, sync.last_resync_reason).inc()
                    need_snapshot = True
                elif (
                    result is SyncResult.APPLIED
                    and sync.live
                    and not sync.book.crossed
                    and conflation.ready()
                ):
                    yield sync.book.snapshot(depth)
        finally:
            await sub.close()

    async def _book_snapshot(
        self, sync: BookSync, inst: Instrument, venue: Venue, first_u: int | None
    ) -> SyncResult:
        """Fetch a REST snapshot no older than the first buffered diff and replay the buffer."""
        for _ in range(_SNAPSHOT_TRIES):
            snap = await self._depth(inst, venue, _SNAPSHOT_LIMIT)
            if first_u is None or not snapshot_too_old(snap.lastUpdateId, first_u):
                try:
                    return sync.on_snapshot(
                        snap.bids, snap.asks, snap.lastUpdateId, timestamp=snap.T or snap.E or 0
                    )
                except ValueError:
                    return sync.reset("malformed_snapshot")
            await asyncio.sleep(0.1)
        return sync.reset("snapshot_too_old")

    async def _market_stream(
        self,
        sym: Symbol,
        channel: Callable[[str, Venue], str],
        convert: Callable[[bytes, Symbol], T],
    ) -> AsyncIterator[T]:
        inst, venue = await self._resolve(sym)
        sub = await self._market_session(venue).subscribe(
            channel(inst.native_id, venue), overflow=Overflow.DROP_OLDEST
        )
        try:
            async for item in sub:
                if isinstance(item, Reset):
                    continue  # stateless items: nothing to rebuild
                try:
                    yield convert(bytes(item), inst.symbol)
                except (msgspec.ValidationError, msgspec.DecodeError) as exc:
                    self.log.warning("ws_malformed_payload", channel=sub.channel, error=str(exc))
        finally:
            await sub.close()

    def stream_trades(self, symbol: SymbolLike) -> AsyncIterator[Trade]:
        decode = msgspec.json.Decoder(w.TradeEventWire).decode
        return self._market_stream(
            as_symbol(symbol), trade_channel, lambda raw, sym: w.trade_event(decode(raw), sym)
        )

    def stream_candles(self, symbol: SymbolLike, interval: str = "1m") -> AsyncIterator[Candle]:
        decode = msgspec.json.Decoder(w.KlineEventWire).decode
        return self._market_stream(
            as_symbol(symbol),
            lambda native, _venue: candle_channel(native, interval),
            lambda raw, sym: w.kline_event(decode(raw), sym),
        )

    def stream_mark_price(self, symbol: SymbolLike) -> AsyncIterator[MarkPrice]:
        sym = as_symbol(symbol)
        self._only_futures(sym, Capability.STREAM_MARK_PRICE, "only perpetuals have a mark price")
        decode = msgspec.json.Decoder(w.MarkPriceEventWire).decode
        return self._market_stream(
            sym,
            lambda native, _venue: mark_price_channel(native),
            lambda raw, s: w.mark_price_event(decode(raw), s),
        )

    # ------------------------------------------------------------------ private streams

    def _user_stream(self, venue: Venue) -> UserDataStream:
        stream = self._user_ws.get(venue)
        if stream is None:
            if self.credentials is None:
                raise ConfigurationError("binance user-data streams need api_key/secret")
            create, keep, drop = (
                (ep.SPOT_LISTEN_KEY, ep.SPOT_LISTEN_KEY_KEEPALIVE, ep.SPOT_LISTEN_KEY_CLOSE)
                if venue is Venue.SPOT
                else (ep.FUT_LISTEN_KEY, ep.FUT_LISTEN_KEY_KEEPALIVE, ep.FUT_LISTEN_KEY_CLOSE)
            )
            headers = {"X-MBX-APIKEY": self.credentials.api_key}

            async def create_key() -> str:
                return (await self._call(create, w.ListenKeyWire, headers=headers)).listenKey

            async def keepalive(key: str) -> None:
                params = {"listenKey": key} if venue is Venue.SPOT else None
                await self._call(keep, msgspec.Raw, params, headers=headers)

            async def close_key(key: str) -> None:
                params = {"listenKey": key} if venue is Venue.SPOT else None
                await self._call(drop, msgspec.Raw, params, headers=headers)

            stream = UserDataStream(
                self.name,
                venue,
                self.urls[f"{venue}_ws"],
                create_key,
                keepalive,
                close_key=close_key,
                keepalive_seconds=self.listen_key_keepalive,
            )
            self._user_ws[venue] = stream
        return stream

    async def user_stream_ready(
        self, kind: MarketKind | None = None, timeout: float = 10.0
    ) -> None:
        """Wait until the user-data connections that running private streams use are open
        (a private stream connects when first iterated)."""

        async def ready() -> None:
            for venue in self._venues(kind):
                while venue not in self._user_ws:  # noqa: ASYNC110 - created by the stream
                    await asyncio.sleep(0.01)
                await self._user_ws[venue].session.wait_connected(timeout)

        await asyncio.wait_for(ready(), timeout)

    def _venues(self, kind: MarketKind | None) -> list[Venue]:
        """The venues a private stream covers; refuses at call time without keys."""
        if self.credentials is None:
            raise ConfigurationError("binance user-data streams need api_key/secret")
        if kind is MarketKind.INVERSE:
            raise NotSupportedError("binance", "inverse", "COIN-M is not supported")
        return [v for v in Venue if kind is None or _KIND[v] is kind]

    async def _private(
        self, venue: Venue, event: str, convert: Callable[[bytes], list[T]]
    ) -> AsyncGenerator[T | Gap, None]:
        await self.load_instruments()
        sub = await self._user_stream(venue).subscribe(event)
        pushes = recovery.private_pushes(sub, convert, self.log)
        async with contextlib.aclosing(pushes):
            async for push in pushes:
                yield push

    def _order_events(self, venue: Venue, raw: bytes) -> list[tuple[Order, Fill | None]]:
        if venue is Venue.SPOT:
            spot = _EXECUTION_REPORT(raw)
            sym = self._symbol(venue, spot.s)
            return [] if sym is None else [w.execution_report(spot, sym)]
        fut = _ORDER_TRADE_UPDATE(raw)
        sym = self._symbol(venue, fut.o.s)
        return [] if sym is None else [w.order_trade_update(fut, sym)]

    def stream_orders(self, kind: MarketKind | None = None) -> AsyncIterator[Order]:
        def streams(venue: Venue) -> AsyncIterator[Order]:
            pushes = self._private(
                venue,
                ORDER_EVENT[venue],
                lambda raw: [o for o, _ in self._order_events(venue, raw)],
            )
            return recovery.orders_across_gaps(
                self, pushes, _KIND[venue], open_orders=lambda: self._open_orders(venue, None)
            )

        return merge(*(streams(v) for v in self._venues(kind)))

    def stream_fills(self, kind: MarketKind | None = None) -> AsyncIterator[Fill]:
        def streams(venue: Venue) -> AsyncIterator[Fill]:
            pushes = self._private(
                venue,
                ORDER_EVENT[venue],
                lambda raw: [f for _, f in self._order_events(venue, raw) if f is not None],
            )
            return recovery.fills_across_gaps(
                self, pushes, _KIND[venue], open_orders=lambda: self._open_orders(venue, None)
            )

        return merge(*(streams(v) for v in self._venues(kind)))

    def stream_balances(self, kind: MarketKind | None = None) -> AsyncIterator[Balance]:
        def spot(raw: bytes) -> list[Balance]:
            return w.spot_balance_event(_ACCOUNT_POSITION(raw))

        def futures(raw: bytes) -> list[Balance]:
            update = _ACCOUNT_UPDATE(raw)
            return [w.futures_balance(b.a, b.wb, b.cw) for b in update.a.B]

        convert = {Venue.SPOT: spot, Venue.FUTURES: futures}

        def streams(venue: Venue) -> AsyncIterator[Balance]:
            pushes = self._private(venue, BALANCE_EVENT[venue], convert[venue])
            wallet = "spot" if venue is Venue.SPOT else "futures"
            return recovery.balances_across_gaps(self, pushes, wallet)

        return merge(*(streams(v) for v in self._venues(kind)))

    def stream_positions(self) -> AsyncIterator[Position]:
        self._venues(MarketKind.LINEAR)
        return self._positions_stream()

    async def _positions_stream(self) -> AsyncIterator[Position]:
        await self.get_positions()  # seeds the leverage of every symbol

        def convert(raw: bytes) -> list[Position]:
            update = _ACCOUNT_UPDATE(raw)
            out: list[Position] = []
            for p in update.a.P:
                sym = self._symbol(Venue.FUTURES, p.s)
                if sym is not None and p.ps in ("BOTH", "LONG", "SHORT"):
                    leverage = self._leverage.get(sym, Decimal(0))
                    out.append(w.update_position(p, sym, leverage, update.T))
            return out

        pushes = self._private(Venue.FUTURES, POSITION_EVENT, convert)
        positions = recovery.positions_across_gaps(self, pushes)
        async with contextlib.aclosing(positions):
            async for position in positions:
                yield position


_EXECUTION_REPORT = msgspec.json.Decoder(w.ExecutionReportWire).decode
_ORDER_TRADE_UPDATE = msgspec.json.Decoder(w.OrderTradeUpdateWire).decode
_ACCOUNT_POSITION = msgspec.json.Decoder(w.OutboundAccountPositionWire).decode
_ACCOUNT_UPDATE = msgspec.json.Decoder(w.AccountUpdateWire).decode

_UNIVERSAL = {"spot": "MAIN", "futures": "UMFUTURE"}
_SUB_ACCOUNT_TYPE = {"spot": "SPOT", "futures": "USDT_FUTURE"}


def _account(name: str) -> tuple[str | None, str]:
    """``spot`` → (None, spot); ``sub:a@b.c`` → (a@b.c, spot); ``sub:a@b.c:futures`` → futures."""
    if name in _UNIVERSAL:
        return None, name
    if name.startswith("sub:"):
        email, _, wallet = name[4:].partition(":")
        wallet = wallet or "spot"
        if email and wallet in _UNIVERSAL:
            return email, wallet
    raise ConfigurationError(
        f"unknown binance account {name!r}: use 'spot', 'futures', 'sub:<email>[:futures]'"
    )
