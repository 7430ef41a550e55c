"""`BybitConnector`: Bybit v5 spot and linear perpetuals (unified trading account).

The unified symbol picks the category: ``BTC/USDT`` is ``category=spot`` ``BTCUSDT``,
``BTC/USDT:USDT`` is ``category=linear`` ``BTCUSDT``; native ids come from the loaded
instruments. One REST host serves both categories, so there is one `RestClient`, one error table
and one limiter holding the IP quota and the per-UID per-endpoint quotas. Every reply is an
envelope whose ``retCode`` is checked while decoding (`errors.Envelope`).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping, Sequence
from decimal import Decimal
from typing import TypeVar, Unpack

import msgspec

from lotusx.core import recovery
from lotusx.core.book import L2Book, SyncResult
from lotusx.core.capabilities import Capability
from lotusx.core.clock import wall_ms
from lotusx.core.connector import Connector, ConnectorOptions, OrderTransport
from lotusx.core.errors import (
    BadRequest,
    BadSymbol,
    ConfigurationError,
    ExchangeError,
    ExchangeUnavailable,
    InvalidOrderError,
    NotSupportedError,
    OrderNotFound,
    PostOnlyWouldTake,
    RequestNotSent,
)
from lotusx.core.ratelimit import RateLimiter
from lotusx.core.recovery import Gap
from lotusx.core.retry import resolve_placement
from lotusx.core.streaming import Conflation
from lotusx.core.transport.rest import Endpoint, RestClient
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
from . import wsapi
from .endpoints import MAINNET, TESTNET
from .errors import POST_ONLY_REJECT, Envelope, check_reply, error_table
from .signer import BybitSigner
from .streams import (
    EXECUTION_TOPIC,
    ORDER_TOPIC,
    POSITION_TOPIC,
    WALLET_TOPIC,
    BybitBook,
    PrivateProtocol,
    PublicProtocol,
    book_topic,
    kline_topic,
    merge,
    ticker_topic,
    trade_topic,
)

__all__ = [
    "ACCOUNT_TYPES",
    "BybitConnector",
    "estimate_liquidation_price",
    "new_client_order_id",
    "parse_account",
]

T = TypeVar("T")
SPOT, LINEAR = w.SPOT, w.LINEAR
_NO_ID = "give order_id or client_order_id"

# Transfer/balance account names → Bybit ``accountType``. A unified account trades spot and
# derivatives from one wallet, so the portable names ``spot`` and ``futures`` are that wallet too.
ACCOUNT_TYPES: Mapping[str, str] = {
    "unified": "UNIFIED",
    "spot": "UNIFIED",
    "futures": "UNIFIED",
    "funding": "FUND",
}


def new_client_order_id() -> str:
    """A fresh ``orderLinkId`` (letters and digits, 34 of the 36 characters allowed)."""
    return "lx" + uuid.uuid4().hex


def parse_account(name: str) -> tuple[str | None, str]:
    """``unified`` (or ``spot``, ``futures``) → (None, UNIFIED); ``funding`` → (None, FUND);
    ``sub:<uid>`` → (uid, UNIFIED); ``sub:<uid>:funding`` → (uid, FUND). The first element is the
    sub-account's member id, None for this account."""
    if name in ACCOUNT_TYPES:
        return None, ACCOUNT_TYPES[name]
    if name.startswith("sub:"):
        uid, _, wallet = name[4:].partition(":")
        wallet = wallet or "unified"
        if uid.isdigit() and wallet in ACCOUNT_TYPES:
            return uid, ACCOUNT_TYPES[wallet]
    raise ConfigurationError(
        f"unknown bybit account {name!r}: use 'unified', 'funding', 'sub:<uid>[:funding]'"
    )


def estimate_liquidation_price(
    brackets: Sequence[LeverageBracket],
    side: Side,
    quantity: Decimal,
    entry_price: Decimal,
    leverage: Decimal,
) -> Decimal | None:
    """Liquidation price of an isolated, one-way position opened at ``entry_price``.

    Bybit's isolated-margin rule: the position is liquidated when its margin, the initial margin
    ``IM = Q·EP / leverage`` plus the unrealised PnL, falls to the maintenance margin
    ``MM = Q·EP·MMR − mmDeduction`` of the risk-limit tier holding the entry notional ``Q·EP``::

        LP = EP − (IM − MM) / Q      long
        LP = EP + (IM − MM) / Q      short

    Fees, funding and added margin are not modelled. None when ``LP <= 0`` (never liquidated).
    """
    if quantity <= 0 or entry_price <= 0 or leverage <= 0:
        raise ValueError("quantity, entry_price and leverage must be positive")
    if not brackets:
        raise ValueError("no risk-limit tiers")
    notional = quantity * entry_price
    ordered = sorted(brackets, key=lambda b: b.notional_cap)
    tier = next((b for b in ordered if notional <= b.notional_cap), ordered[-1])
    if leverage > tier.max_leverage:
        raise InvalidOrderError(
            str(tier.symbol),
            "max_leverage",
            f"{leverage}x exceeds {tier.max_leverage}x at notional {notional}",
        )
    initial = notional / leverage
    maintenance = notional * tier.maintenance_margin_rate - tier.maintenance_amount
    move = (initial - maintenance) / quantity
    price = entry_price - move if side is Side.BUY else entry_price + move
    return price if price > 0 else None


class BybitConnector(Connector):
    """Bybit v5: spot and USDT/USDC linear perpetuals of a unified trading account."""

    name = "bybit"
    mainnet_urls = MAINNET
    testnet_urls = TESTNET
    order_transports = frozenset({OrderTransport.REST, OrderTransport.WS})

    def __init__(
        self,
        *,
        recv_window: int = 5000,
        **options: Unpack[ConnectorOptions],
    ) -> None:
        self._recv_window = recv_window
        super().__init__(**options)
        self._public_ws: dict[str, WsSession] = {}
        self._private_ws: WsSession | None = None
        self._trade_ws: WsApiClient | None = None
        self._trade_protocol: wsapi.TradeProtocol | None = None
        self._leverage: dict[Symbol, Decimal] = {}
        self._uid: str | None = None

    # ------------------------------------------------------------------ plumbing

    def _build_rest(self) -> RestClient:
        signer = None
        if self.credentials is not None:
            signer = BybitSigner(self.credentials, self._recv_window)
        return RestClient(
            self.name,
            self.urls,
            errors=error_table(),
            signer=signer,
            limiter=RateLimiter(self.name, list(ep.DEFAULT_QUOTAS)),
            clock=self.clock,
            header_observer=ep.observe_headers,
            reply_check=check_reply,
            timeout=self.timeout,
        )

    async def _envelope(
        self,
        endpoint: Endpoint,
        params: Mapping[str, object] | None = None,
        *,
        category: str | None = None,
        count: int = 1,
    ) -> Envelope:
        """Send ``endpoint``: GET parameters in the query, POST parameters as a JSON body."""
        costs = ep.costs(endpoint, category, count)
        if endpoint.method == "GET":
            return await self.rest.request(endpoint, Envelope, params=params, costs=costs)
        body = {k: v for k, v in (params or {}).items() if v is not None}
        return await self.rest.request(endpoint, Envelope, body=body, costs=costs)

    def _decode(self, endpoint: Endpoint, raw: msgspec.Raw, kind: type[T]) -> T:
        try:
            return msgspec.json.decode(raw, type=kind)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise self.rest.errors.unexpected(
                endpoint.name, f"malformed result: {exc}", bytes(raw)
            ) from exc

    async def _call(
        self,
        endpoint: Endpoint,
        kind: type[T],
        params: Mapping[str, object] | None = None,
        *,
        category: str | None = None,
        count: int = 1,
    ) -> T:
        envelope = await self._envelope(endpoint, params, category=category, count=count)
        return self._decode(endpoint, envelope.result, kind)

    async def _call_timed(
        self,
        endpoint: Endpoint,
        kind: type[T],
        params: Mapping[str, object] | None = None,
        *,
        category: str | None = None,
    ) -> tuple[T, int]:
        envelope = await self._envelope(endpoint, params, category=category)
        return self._decode(endpoint, envelope.result, kind), envelope.time or self.clock.now_ms()

    async def _order_envelope(
        self,
        endpoint: Endpoint,
        params: Mapping[str, object],
        *,
        category: str,
        count: int = 1,
    ) -> Envelope:
        """One order action's request over the chosen transport (`Connector._order_call`): the
        trade socket, else REST; either way the reply is the REST envelope."""

        async def over_ws() -> Envelope:
            return await self._ws_envelope(endpoint, params, category=category, count=count)

        async def over_rest() -> Envelope:
            return await self._envelope(endpoint, params, category=category, count=count)

        return await self._order_call(over_ws, over_rest)

    async def _order_timed(
        self, endpoint: Endpoint, kind: type[T], params: Mapping[str, object], category: str
    ) -> tuple[T, int]:
        """`_order_envelope` decoded, with the venue's time of the reply."""
        envelope = await self._order_envelope(endpoint, params, category=category)
        return self._decode(endpoint, envelope.result, kind), envelope.time or self.clock.now_ms()

    async def _ws_envelope(
        self,
        endpoint: Endpoint,
        params: Mapping[str, object],
        *,
        category: str,
        count: int = 1,
    ) -> Envelope:
        """``endpoint`` as a trade-socket request (``op`` = its name, ``args`` = its body).

        The per-UID quota is booked here, before the request is stamped (a wait in the limiter
        must not age ``X-BAPI-TIMESTAMP``), and corrected from the reply's ``X-Bapi-Limit*``.
        `RequestNotSent` (the caller goes over REST) when the socket is not up, or when Bybit
        answers 10019 (restarting: not taken; the connection is renewed)."""
        client, protocol = self._trade_ws, self._trade_protocol
        op = endpoint.name
        if client is None or protocol is None or not client.ready:
            raise RequestNotSent("trade socket is not connected", exchange=self.name, endpoint=op)
        limiter = self.rest.limiter
        charged = ep.ws_costs(endpoint, category, count)
        await limiter.acquire(charged)
        request_id = protocol.request_id(client.next_id())
        message = wsapi.request_message(
            op, request_id, params, self.clock.now_ms(), self._recv_window
        )
        frame = await client.request(op, request_id, message)
        reply = wsapi.decode_reply(frame, op)
        ep.observe_headers(reply.header, limiter, charged, limiter.now_ms())
        if reply.retCode == wsapi.RESTARTING:
            await client.drop()
            raise RequestNotSent(
                f"trade service restarting: {reply.retMsg}", exchange=self.name, endpoint=op
            )
        if reply.retCode != 0:
            raise wsapi.reply_error(reply, op, frame)
        return wsapi.to_envelope(reply)

    async def open(self) -> None:
        await self.rest.open()
        await self.sync_time()
        if self.order_transport is OrderTransport.WS and self.credentials is not None:
            self._trade_protocol = wsapi.TradeProtocol(self.credentials, self.clock.now_ms)
            self._trade_ws = WsApiClient(
                self.name,
                self.urls["ws_trade"],
                self._trade_protocol,
                name="trade",
                timeout=self.timeout,
            )
            try:
                await self._trade_ws.start(wait=self.timeout)
            except RequestNotSent as exc:  # it keeps connecting; orders go over REST meanwhile
                self.log.warning("trade_socket_not_ready", error=str(exc))

    async def close(self) -> None:
        trade, self._trade_ws = self._trade_ws, None
        if trade is not None:
            await trade.close()
        sessions = list(self._public_ws.values())
        if self._private_ws is not None:
            sessions.append(self._private_ws)
        self._public_ws.clear()
        self._private_ws = None
        for session in sessions:
            await session.close()
        await self.rest.close()

    @staticmethod
    def _category(symbol: Symbol) -> str:
        if symbol.kind is MarketKind.SPOT:
            return SPOT
        if symbol.kind is MarketKind.LINEAR:
            return LINEAR
        raise BadSymbol(
            f"{symbol}: inverse contracts are not supported",
            exchange="bybit",
            endpoint="instruments",
        )

    async def _resolve(self, symbol: SymbolLike) -> tuple[Instrument, str]:
        sym = as_symbol(symbol)
        category = self._category(sym)
        return await self.instrument(sym), category

    def _symbol(self, category: str, native: str) -> Symbol | None:
        """The unified symbol of a native id, or None for markets LotusX does not name."""
        kind = w.KIND.get(category)
        found = None if kind is None else self._native.get((kind, native))
        return None if found is None else found.symbol

    def _only_linear(self, sym: Symbol, capability: Capability, what: str) -> None:
        if self._category(sym) == SPOT:
            raise NotSupportedError(self.name, capability.value, f"{sym} is spot; {what}")

    def _settle_coins(self) -> list[str]:
        return sorted({i.symbol.settle for i in self._instruments.values() if i.symbol.settle})

    # ------------------------------------------------------------------ market data

    async def get_instruments(self, kind: MarketKind | None = None) -> list[Instrument]:
        categories = [c for c, k in w.KIND.items() if kind is None or k is kind]
        pages = await asyncio.gather(*(self._instruments_of(c) for c in categories))
        return [inst for page in pages for inst in page]

    async def _instruments_of(self, category: str) -> list[Instrument]:
        found: list[Instrument] = []
        cursor: str | None = None
        while True:
            params: dict[str, object] = {"category": category}
            if category != SPOT:  # spot has no pagination
                params |= {"limit": ep.INSTRUMENTS_PAGE, "cursor": cursor}
            page = await self._call(ep.INSTRUMENTS, w.InstrumentsWire, params)
            for item in page.items:
                inst = w.to_instrument(item, category)
                if inst is not None:
                    found.append(inst)
            if category == SPOT or not page.nextPageCursor or not page.items:
                return found
            cursor = page.nextPageCursor

    async def _book(self, inst: Instrument, category: str, depth: int) -> w.BookWire:
        params = {
            "category": category,
            "symbol": inst.native_id,
            "limit": min(max(depth, 1), ep.ORDERBOOK_MAX),
        }
        return await self._call(ep.ORDERBOOK, w.BookWire, params)

    async def get_orderbook(self, symbol: SymbolLike, depth: int = 100) -> OrderBook:
        inst, category = await self._resolve(symbol)
        book = await self._book(inst, category, depth)
        return w.to_orderbook(book, inst.symbol, depth, self.clock.now_ms())

    async def get_trades(self, symbol: SymbolLike, limit: int = 100) -> list[Trade]:
        """Most recent public trades, oldest first (Bybit lists them newest first)."""
        inst, category = await self._resolve(symbol)
        params = {
            "category": category,
            "symbol": inst.native_id,
            "limit": min(max(limit, 1), ep.TRADES_MAX[category]),
        }
        page = await self._call(ep.RECENT_TRADES, w.TradesWire, params)
        return [w.to_trade(t, inst.symbol) for t in reversed(page.items)]

    async def get_candles(
        self,
        symbol: SymbolLike,
        interval: str = "1m",
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int = 100,
    ) -> list[Candle]:
        inst, category = await self._resolve(symbol)
        params = {
            "category": category,
            "symbol": inst.native_id,
            "interval": w.native_interval(interval),
            "start": start,
            "end": end,
            "limit": min(max(limit, 1), ep.KLINE_MAX),
        }
        page = await self._call(ep.KLINE, w.KlinesWire, params)
        now = self.clock.now_ms()
        candles = [w.to_candle(row, inst.symbol, interval, now) for row in page.items]
        return sorted(candles, key=lambda c: c.open_time)

    async def _ticker(self, inst: Instrument, category: str) -> tuple[w.TickerWire, int]:
        params = {"category": category, "symbol": inst.native_id}
        page, time_ms = await self._call_timed(ep.TICKERS, w.TickersWire, params)
        for item in page.items:
            if item.symbol == inst.native_id:
                return item, time_ms
        raise w.unexpected(f"no {category} ticker for {inst.native_id}")

    async def get_ticker(self, symbol: SymbolLike) -> Ticker:
        inst, category = await self._resolve(symbol)
        ticker, time_ms = await self._ticker(inst, category)
        return w.to_ticker(ticker, inst.symbol, time_ms)

    async def _linear_ticker(
        self, symbol: SymbolLike, capability: Capability
    ) -> tuple[w.TickerWire, int, Symbol]:
        sym = as_symbol(symbol)
        self._only_linear(sym, capability, "only perpetuals have a mark/index price and funding")
        inst = await self.instrument(sym)
        ticker, time_ms = await self._ticker(inst, LINEAR)
        return ticker, time_ms, sym

    async def get_mark_price(self, symbol: SymbolLike) -> MarkPrice:
        ticker, time_ms, sym = await self._linear_ticker(symbol, Capability.GET_MARK_PRICE)
        return w.to_mark_price(ticker, sym, time_ms)

    async def get_index_price(self, symbol: SymbolLike) -> IndexPrice:
        ticker, time_ms, sym = await self._linear_ticker(symbol, Capability.GET_INDEX_PRICE)
        return IndexPrice(sym, w.num(ticker.indexPrice, "indexPrice"), time_ms)

    async def get_funding_rate(self, symbol: SymbolLike) -> FundingRate:
        ticker, _, sym = await self._linear_ticker(symbol, Capability.GET_FUNDING_RATE)
        return w.to_current_funding(ticker, sym)

    async def get_funding_history(
        self,
        symbol: SymbolLike,
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int = 100,
    ) -> list[FundingRate]:
        sym = as_symbol(symbol)
        self._only_linear(sym, Capability.GET_FUNDING_HISTORY, "spot has no funding")
        inst = await self.instrument(sym)
        params = {
            "category": LINEAR,
            "symbol": inst.native_id,
            "startTime": start,
            "endTime": end,
            "limit": min(max(limit, 1), ep.FUNDING_MAX),
        }
        page = await self._call(ep.FUNDING_HISTORY, w.FundingHistoryWire, params)
        return sorted((w.to_funding(f, sym) for f in page.items), key=lambda f: f.funding_time)

    async def get_liquidation_price(
        self,
        symbol: SymbolLike,
        *,
        side: Side | None = None,
        quantity: Decimal | None = None,
        entry_price: Decimal | None = None,
        leverage: Decimal | None = None,
    ) -> Decimal | None:
        """The open position's ``liqPrice``, or an estimate for a hypothetical isolated position
        (`estimate_liquidation_price`), rounded to the tick toward the entry."""
        sym = as_symbol(symbol)
        self._only_linear(
            sym, Capability.GET_LIQUIDATION_PRICE, "spot positions cannot be liquidated"
        )
        if side is None and quantity is None and entry_price is None:
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
        inst = await self.instrument(sym)
        return inst.round_price(price, side.opposite)

    async def _current_leverage(self, sym: Symbol) -> Decimal:
        inst = await self.instrument(sym)
        params = {"category": LINEAR, "symbol": inst.native_id}
        page = await self._call(ep.POSITIONS, w.PositionsWire, params, category=LINEAR)
        for row in page.items:
            if row.symbol == inst.native_id and row.leverage:
                self._leverage[sym] = w.num(row.leverage, "leverage")
                return self._leverage[sym]
        raise ExchangeError(
            f"no leverage setting for {sym}", exchange=self.name, endpoint=ep.POSITIONS.name
        )

    # ------------------------------------------------------------------ orders: lookups

    async def _find_order(
        self,
        inst: Instrument,
        category: str,
        order_id: str | None,
        client_order_id: str | None,
    ) -> w.OrderWire:
        """Realtime (open and recently closed orders), then history; `OrderNotFound` if neither
        knows the order."""
        params: dict[str, object] = {"category": category, "symbol": inst.native_id}
        if order_id is not None:
            params["orderId"] = order_id
        elif client_order_id is not None:
            params["orderLinkId"] = client_order_id
        else:
            raise InvalidOrderError(str(inst.symbol), "order_id", _NO_ID)
        for endpoint in (ep.ORDER_REALTIME, ep.ORDER_HISTORY):
            page = await self._call(endpoint, w.OrdersWire, params, category=category)
            for row in page.items:
                if row.orderId == order_id or (
                    order_id is None and row.orderLinkId == client_order_id
                ):
                    return row
        raise OrderNotFound(
            f"no {category} order {order_id or client_order_id} on {inst.native_id}",
            exchange=self.name,
            endpoint=ep.ORDER_REALTIME.name,
        )

    def _checked(self, row: w.OrderWire, symbol: Symbol, endpoint: str) -> Order:
        """A lost placement's order as looked up, or `PostOnlyWouldTake` when Bybit canceled a
        post-only order that would have taken (it accepts the request, then cancels)."""
        order = w.to_order(row, symbol)
        if row.rejectReason == POST_ONLY_REJECT and not order.status.is_open:
            raise PostOnlyWouldTake(
                f"post-only order {row.orderLinkId or row.orderId} would take liquidity",
                exchange=self.name,
                endpoint=endpoint,
                code=POST_ONLY_REJECT,
            )
        return order

    async def get_order(
        self,
        symbol: SymbolLike,
        *,
        order_id: str | None = None,
        client_order_id: str | None = None,
    ) -> Order:
        inst, category = await self._resolve(symbol)
        row = await self._find_order(inst, category, order_id, client_order_id)
        return w.to_order(row, inst.symbol)

    async def get_open_orders(self, symbol: SymbolLike | None = None) -> list[Order]:
        await self.load_instruments()
        if symbol is not None:
            inst, category = await self._resolve(symbol)
            return await self._open_orders(category, {"symbol": inst.native_id})
        scopes: list[tuple[str, dict[str, object]]] = [(SPOT, {})]
        scopes += [(LINEAR, {"settleCoin": coin}) for coin in self._settle_coins()]
        pages = await asyncio.gather(*(self._open_orders(c, p) for c, p in scopes))
        return [order for page in pages for order in page]

    async def _open_orders(self, category: str, scope: dict[str, object]) -> list[Order]:
        out: list[Order] = []
        cursor: str | None = None
        while True:
            params = {
                "category": category,
                **scope,
                "openOnly": 0,
                "limit": ep.REALTIME_PAGE,
                "cursor": cursor,
            }
            page = await self._call(ep.ORDER_REALTIME, w.OrdersWire, params, category=category)
            for row in page.items:
                sym = self._symbol(category, row.symbol)
                if sym is not None:
                    order = w.to_order(row, sym)
                    if order.status.is_open:
                        out.append(order)
            if not page.nextPageCursor or not page.items:
                return out
            cursor = page.nextPageCursor

    async def get_fills(
        self,
        symbol: SymbolLike,
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int = 100,
    ) -> list[Fill]:
        """Trade executions, oldest first (funding and settlement records left out)."""
        inst, category = await self._resolve(symbol)
        fills: list[Fill] = []
        cursor: str | None = None
        while len(fills) < limit:
            params = {
                "category": category,
                "symbol": inst.native_id,
                "startTime": start,
                "endTime": end,
                "limit": min(limit - len(fills), ep.EXECUTION_PAGE),
                "cursor": cursor,
            }
            page = await self._call(ep.EXECUTIONS, w.ExecutionsWire, params, category=category)
            for row in page.items:
                if row.execType not in w.NON_FILL_EXEC_TYPES:
                    fills.append(w.to_fill(row, inst.symbol))
            if not page.nextPageCursor or not page.items:
                break
            cursor = page.nextPageCursor
        return sorted(fills[:limit], key=lambda f: f.timestamp)

    # ------------------------------------------------------------------ orders: placement

    async def place_order(self, request: OrderRequest) -> Order:
        inst, category = await self._resolve(request.symbol)
        self._will_trade(inst, request)
        return await self._place(inst, category, request)

    async def _place(self, inst: Instrument, category: str, request: OrderRequest) -> Order:
        """One ``create``: the order as its acknowledgement tells (ACCEPTED); a lost reply is
        resolved by looking the ``orderLinkId`` up."""
        client_id = request.client_order_id or new_client_order_id()
        params = w.order_params(request, category, inst.native_id, client_id)
        sym = inst.symbol
        endpoint = ep.ORDER_CREATE.name

        async def place() -> Order:
            ack, at_ms = await self._order_timed(ep.ORDER_CREATE, w.IdsWire, params, category)
            return w.to_placed(request, ack, client_id, at_ms)

        async def lookup() -> Order:
            row = await self._find_order(inst, category, None, client_id)
            return self._checked(row, sym, endpoint)

        order = await resolve_placement(
            place, lookup, exchange=self.name, endpoint=endpoint, client_order_id=client_id
        )
        return await self._acknowledged(order)

    async def _acknowledged_item(self, item: Order | ExchangeError) -> Order | ExchangeError:
        """A batch item through `_acknowledged` (an error item, or a failed read-back, is the
        item's error)."""
        if isinstance(item, ExchangeError):
            return item
        try:
            return await self._acknowledged(item)
        except ExchangeError as exc:
            return exc

    async def place_batch_orders(
        self, requests: Sequence[OrderRequest]
    ) -> list[Order | ExchangeError]:
        """``create-batch`` per category in chunks of 10 (one request for up to 10 orders of
        one category); every request is validated before anything is sent. Items keep the
        request order; a rejected item is its typed error."""
        resolved = [await self._resolve(r.symbol) for r in requests]
        for (inst, _), request in zip(resolved, requests, strict=True):
            self._will_trade(inst, request)
        results: list[Order | ExchangeError | None] = [None] * len(requests)
        chunks: list[list[int]] = []
        for category in (SPOT, LINEAR):
            indices = [i for i, (_, c) in enumerate(resolved) if c == category]
            size = ep.BATCH_MAX
            chunks += [indices[i : i + size] for i in range(0, len(indices), size)]

        async def run(indices: list[int]) -> None:
            items = [(resolved[i][0], requests[i]) for i in indices]
            placed = await self._place_chunk(resolved[indices[0]][1], items)
            for i, item in zip(indices, placed, strict=True):
                results[i] = await self._acknowledged_item(item)

        await asyncio.gather(*(run(c) for c in chunks))
        return [r for r in results if r is not None]

    async def _place_chunk(
        self, category: str, items: list[tuple[Instrument, OrderRequest]]
    ) -> list[Order | ExchangeError]:
        ids = [r.client_order_id or new_client_order_id() for _, r in items]
        body = {
            "category": category,
            "request": [
                w.batch_item(w.order_params(r, category, inst.native_id, cid))
                for (inst, r), cid in zip(items, ids, strict=True)
            ],
        }
        endpoint = ep.ORDER_CREATE_BATCH

        async def place() -> list[Order | ExchangeError]:
            envelope = await self._order_envelope(
                endpoint, body, category=category, count=len(items)
            )
            at_ms = envelope.time or self.clock.now_ms()
            answers = self._batch_answers(endpoint, envelope, len(items))
            placed: list[Order | ExchangeError] = []
            for (_, request), cid, answer in zip(items, ids, answers, strict=True):
                try:
                    if isinstance(answer, ExchangeError):
                        raise answer
                    placed.append(w.to_placed(request, answer, cid, at_ms))
                except ExchangeError as exc:
                    placed.append(exc)
            return placed

        async def lookup() -> list[Order | ExchangeError]:
            found: list[Order | ExchangeError] = []
            for (inst, _), cid in zip(items, ids, strict=True):
                try:
                    row = await self._find_order(inst, category, None, cid)
                    found.append(self._checked(row, inst.symbol, endpoint.name))
                except (OrderNotFound, PostOnlyWouldTake) as exc:
                    found.append(exc)
            if all(isinstance(f, OrderNotFound) for f in found):
                raise found[0]  # type: ignore[misc]
            return found

        return await resolve_placement(
            place,
            lookup,
            exchange=self.name,
            endpoint=endpoint.name,
            client_order_id=",".join(ids),
        )

    def _batch_answers(
        self, endpoint: Endpoint, envelope: Envelope, count: int
    ) -> list[w.BatchItemWire | ExchangeError]:
        """Pair ``result.list`` with ``retExtInfo.list``: an item whose ``code`` is not 0 is
        the mapped `ExchangeError` (through the same table as whole replies)."""
        result = self._decode(endpoint, envelope.result, w.BatchResultWire)
        ext = (
            w.ExtInfoWire()
            if bytes(envelope.retExtInfo) in (b"null", b"{}")
            else self._decode(endpoint, envelope.retExtInfo, w.ExtInfoWire)
        )
        if len(result.items) != count:
            raise w.unexpected(f"batch answered {len(result.items)} items for {count}")
        out: list[w.BatchItemWire | ExchangeError] = []
        for k, item in enumerate(result.items):
            status = ext.items[k] if k < len(ext.items) else w.CodeMsgWire()
            if status.code != 0 or not item.orderId:
                out.append(
                    self.rest.errors.build(
                        str(status.code),
                        status.msg or "rejected",
                        endpoint.name,
                        http_status=200,
                        raw=msgspec.json.encode(status),
                    )
                )
            else:
                out.append(item)
        return out

    # ------------------------------------------------------------------ orders: changes

    async def amend_order(self, request: AmendRequest) -> Order:
        """``POST /v5/order/amend``: order id kept. ``quantity`` is the new total quantity,
        fills included; only the fields given are sent. The order's side, type and size come
        from what this connector knows of it (one read first only for an order it never saw)."""
        inst, category = await self._resolve(request.symbol)
        current = await self._known_order(inst.symbol, request.order_id, request.client_order_id)
        params = self._amend_params(inst, category, current, request)
        ack, at_ms = await self._order_timed(ep.ORDER_AMEND, w.IdsWire, params, category)
        return await self._acknowledged(w.to_amended(current, request, ack, at_ms))

    @staticmethod
    def _amend_params(
        inst: Instrument, category: str, current: Order, request: AmendRequest
    ) -> dict[str, object]:
        if request.price is None and request.quantity is None:
            raise InvalidOrderError(str(inst.symbol), "amend", "nothing to change")
        price = request.price if request.price is not None else current.price
        quantity = request.quantity if request.quantity is not None else current.quantity
        if current.type is not OrderType.LIMIT or price is None:
            raise InvalidOrderError(str(inst.symbol), "type", "only limit orders can be amended")
        inst.check_order(OrderRequest(inst.symbol, current.side, OrderType.LIMIT, quantity, price))
        if quantity <= current.filled_quantity:
            raise InvalidOrderError(
                str(inst.symbol),
                "quantity",
                f"{quantity} <= already filled {current.filled_quantity}",
            )
        params: dict[str, object] = {
            "category": category,
            "symbol": inst.native_id,
            "orderId": current.order_id,
        }
        if request.quantity is not None:
            params["qty"] = request.quantity
        if request.price is not None:
            params["price"] = request.price
        return params

    async def amend_batch(self, requests: Sequence[AmendRequest]) -> list[Order | ExchangeError]:
        """``POST /v5/order/amend-batch`` per category, chunks of 10 (not a core capability)."""
        prepared: list[tuple[str, dict[str, object], AmendRequest, Order]] = []
        for request in requests:
            inst, category = await self._resolve(request.symbol)
            current = await self._known_order(
                inst.symbol, request.order_id, request.client_order_id
            )
            params = self._amend_params(inst, category, current, request)
            prepared.append((category, params, request, current))
        results: list[Order | ExchangeError] = []
        for category in (SPOT, LINEAR):
            group = [p for p in prepared if p[0] == category]
            for start in range(0, len(group), ep.BATCH_MAX):
                chunk = group[start : start + ep.BATCH_MAX]
                body = {"category": category, "request": [w.batch_item(p[1]) for p in chunk]}
                envelope = await self._order_envelope(
                    ep.ORDER_AMEND_BATCH, body, category=category, count=len(chunk)
                )
                at_ms = envelope.time or self.clock.now_ms()
                answers = self._batch_answers(ep.ORDER_AMEND_BATCH, envelope, len(chunk))
                for (_, _, request, current), answer in zip(chunk, answers, strict=True):
                    try:
                        if isinstance(answer, ExchangeError):
                            raise answer
                        amended = w.to_amended(current, request, answer, at_ms)
                    except ExchangeError as exc:
                        results.append(exc)
                    else:
                        results.append(await self._acknowledged_item(amended))
        return results

    async def cancel_order(
        self,
        symbol: SymbolLike,
        *,
        order_id: str | None = None,
        client_order_id: str | None = None,
    ) -> Order:
        """``POST /v5/order/cancel``; the order returned is what this connector knew of it,
        canceled (read after the cancel only for an order it never saw)."""
        inst, category = await self._resolve(symbol)
        params: dict[str, object] = {"category": category, "symbol": inst.native_id}
        if order_id is not None:
            params["orderId"] = order_id
        elif client_order_id is not None:
            params["orderLinkId"] = client_order_id
        else:
            raise InvalidOrderError(str(inst.symbol), "order_id", _NO_ID)
        ack, at_ms = await self._order_timed(ep.ORDER_CANCEL, w.IdsWire, params, category)
        known = await self._known_order(inst.symbol, ack.orderId or order_id, client_order_id)
        return await self._acknowledged(w.to_canceled(known, ack, at_ms))

    async def cancel_batch(
        self, symbol: SymbolLike, order_ids: Sequence[str]
    ) -> list[Order | ExchangeError]:
        """``POST /v5/order/cancel-batch`` in chunks of 10; items keep the request order."""
        inst, category = await self._resolve(symbol)
        out: list[Order | ExchangeError] = []
        for start in range(0, len(order_ids), ep.BATCH_MAX):
            chunk = list(order_ids[start : start + ep.BATCH_MAX])
            body = {
                "category": category,
                "request": [{"symbol": inst.native_id, "orderId": i} for i in chunk],
            }
            envelope = await self._order_envelope(
                ep.ORDER_CANCEL_BATCH, body, category=category, count=len(chunk)
            )
            at_ms = envelope.time or self.clock.now_ms()
            answers = self._batch_answers(ep.ORDER_CANCEL_BATCH, envelope, len(chunk))

            async def one(
                order_id: str, answer: w.BatchItemWire | ExchangeError, at_ms: int = at_ms
            ) -> Order | ExchangeError:
                try:
                    if isinstance(answer, ExchangeError):
                        raise answer
                    known = await self._known_order(inst.symbol, order_id, None)
                    canceled = w.to_canceled(known, answer, at_ms)
                except ExchangeError as exc:
                    return exc
                return await self._acknowledged_item(canceled)

            out.extend(
                await asyncio.gather(*(one(i, a) for i, a in zip(chunk, answers, strict=True)))
            )
        return out

    async def cancel_all(self, symbol: SymbolLike) -> None:
        inst, category = await self._resolve(symbol)
        params = {"category": category, "symbol": inst.native_id}
        await self._call(ep.ORDER_CANCEL_ALL, w.CancelAllWire, params, category=category)

    # ------------------------------------------------------------------ account

    async def get_balances(self, wallet: str | None = None) -> list[Balance]:
        """Wallets: ``unified`` (``/v5/account/wallet-balance?accountType=UNIFIED``, the default;
        ``spot`` and ``futures`` name the same wallet) and ``funding`` (the FUND account, from
        ``/v5/asset/transfer/query-account-coins-balance``). Each balance carries the wallet name
        asked for. Zero balances are left out."""
        wallet = wallet or "unified"
        account = ACCOUNT_TYPES.get(wallet)
        if account == "UNIFIED":
            page = await self._call(ep.WALLET_BALANCE, w.WalletWire, {"accountType": "UNIFIED"})
            return [b for acct in page.items for b in w.wallet_balances(acct, wallet)]
        if account == "FUND":
            fund = await self._call(ep.FUND_BALANCE, w.FundBalanceWire, {"accountType": "FUND"})
            return w.fund_balances(fund, wallet)
        raise ConfigurationError(
            f"bybit wallets are 'unified' (alias 'spot', 'futures') and 'funding', not {wallet!r}"
        )

    async def get_positions(self, symbol: SymbolLike | None = None) -> list[Position]:
        """Open linear positions (one-way mode), or the one for ``symbol``."""
        await self.load_instruments()
        scopes: list[dict[str, object]]
        if symbol is not None:
            sym = as_symbol(symbol)
            self._only_linear(sym, Capability.GET_POSITIONS, "spot has balances, not positions")
            scopes = [{"symbol": (await self.instrument(sym)).native_id}]
        else:
            scopes = [{"settleCoin": coin} for coin in self._settle_coins()]
        out: list[Position] = []
        for scope in scopes:
            cursor: str | None = None
            while True:
                params = {
                    "category": LINEAR,
                    **scope,
                    "limit": ep.POSITIONS_PAGE,
                    "cursor": cursor,
                }
                page = await self._call(ep.POSITIONS, w.PositionsWire, params, category=LINEAR)
                for row in page.items:
                    found = self._symbol(LINEAR, row.symbol)
                    if found is None:
                        continue
                    if row.leverage:
                        self._leverage[found] = w.num(row.leverage, "leverage")
                    position = w.to_position(row, found)
                    if position.quantity:
                        out.append(position)
                if not page.nextPageCursor or not page.items:
                    break
                cursor = page.nextPageCursor
        return out

    async def get_fee_rates(self, symbol: SymbolLike) -> FeeRate:
        inst, category = await self._resolve(symbol)
        params = {"category": category, "symbol": inst.native_id}
        page = await self._call(ep.FEE_RATE, w.FeesWire, params, category=category)
        for row in page.items:
            if row.symbol in ("", inst.native_id):
                return w.to_fee(row, inst.symbol)
        raise w.unexpected(f"no fee rate for {inst.native_id}")

    async def get_leverage_brackets(self, symbol: SymbolLike) -> list[LeverageBracket]:
        """The symbol's risk-limit tiers (``/v5/market/risk-limit``) as leverage brackets."""
        sym = as_symbol(symbol)
        self._only_linear(sym, Capability.GET_LEVERAGE_BRACKETS, "spot has no leverage")
        inst = await self.instrument(sym)
        rows: list[w.RiskLimitWire] = []
        cursor: str | None = None
        while True:
            params = {"category": LINEAR, "symbol": inst.native_id, "cursor": cursor}
            page = await self._call(ep.RISK_LIMIT, w.RiskLimitsWire, params)
            rows += [r for r in page.items if r.symbol == inst.native_id]
            if not page.nextPageCursor or not page.items:
                break
            cursor = page.nextPageCursor
        if not rows:
            raise w.unexpected(f"no risk-limit tiers for {inst.native_id}")
        return w.to_brackets(rows, sym)

    async def set_leverage(self, symbol: SymbolLike, leverage: int) -> Decimal:
        """Both sides' leverage (one-way mode); "not modified" (110043) counts as success."""
        sym = as_symbol(symbol)
        self._only_linear(sym, Capability.SET_LEVERAGE, "spot has no leverage")
        inst = await self.instrument(sym)
        params = {
            "category": LINEAR,
            "symbol": inst.native_id,
            "buyLeverage": str(leverage),
            "sellLeverage": str(leverage),
        }
        try:
            await self._call(ep.SET_LEVERAGE, msgspec.Raw, params, category=LINEAR)
        except BadRequest as exc:
            if exc.code != "110043":
                raise
        self._leverage[sym] = Decimal(leverage)
        return Decimal(leverage)

    async def get_subaccounts(self) -> list[SubAccount]:
        """Sub-accounts of this master account; ``account_id`` is the member id (UID)."""
        page = await self._call(ep.SUB_MEMBERS, w.SubMembersWire)
        return [
            SubAccount(str(s.uid), s.username or str(s.uid), s.status != 1) for s in page.subMembers
        ]

    async def _own_uid(self) -> str:
        if self._uid is None:
            info = await self._call(ep.QUERY_API, w.QueryApiWire)
            self._uid = str(info.userID)
        return self._uid

    # ------------------------------------------------------------------ funds

    async def internal_transfer(
        self, asset: str, amount: Decimal, from_account: str, to_account: str
    ) -> Transfer:
        """Accounts: ``unified``, ``funding`` (this account's UNIFIED / FUND), ``sub:<uid>``
        (a sub-account's UNIFIED) or ``sub:<uid>:funding``. Within this account:
        ``inter-transfer``; with a sub-account: ``universal-transfer`` (master keys)."""
        source, target = parse_account(from_account), parse_account(to_account)
        if source == target:
            raise ConfigurationError(
                f"internal_transfer: {from_account!r} and {to_account!r} are the same Bybit "
                "account (spot and futures both trade from the unified account)"
            )
        transfer_id = str(uuid.uuid4())
        params: dict[str, object] = {
            "transferId": transfer_id,
            "coin": asset,
            "amount": amount,
            "fromAccountType": source[1],
            "toAccountType": target[1],
        }
        if source[0] is None and target[0] is None:
            endpoint = ep.INTER_TRANSFER
        else:
            endpoint = ep.UNIVERSAL_TRANSFER
            own = await self._own_uid()
            params["fromMemberId"] = int(source[0] or own)
            params["toMemberId"] = int(target[0] or own)
        result = await self._call(endpoint, w.TransferResultWire, params)
        return Transfer(
            transfer_id=result.transferId or transfer_id,
            asset=asset,
            amount=amount,
            from_account=from_account,
            to_account=to_account,
            status=w.transfer_status(result.status),
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
        """``POST /v5/asset/withdraw/create`` with a ``requestId``: Bybit deduplicates on it, so
        an unanswered request is sent again (same body) rather than looked up."""
        if network is None:
            raise ConfigurationError("bybit withdrawals need the network (Bybit's chain)")
        now = self.clock.now_ms()
        params = {
            "coin": asset,
            "chain": network,
            "address": address,
            "tag": tag,
            "amount": amount,
            "timestamp": now,
            "forceChain": 0,
            "requestId": uuid.uuid4().hex,
        }
        result = await self._call(ep.WITHDRAW, w.WithdrawIdWire, params)
        return Withdrawal(
            str(result.id), asset, amount, address, network, None, _PENDING, None, now
        )

    async def get_deposit_history(
        self,
        asset: str | None = None,
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int = 100,
    ) -> list[Deposit]:
        """On-chain deposits, oldest first (Bybit's default window: the last 30 days)."""
        rows: list[Deposit] = []
        cursor: str | None = None
        while len(rows) < limit:
            params = {
                "coin": asset,
                "startTime": start,
                "endTime": end,
                "limit": min(limit - len(rows), ep.RECORDS_PAGE),
                "cursor": cursor,
            }
            page = await self._call(ep.DEPOSIT_RECORDS, w.DepositRecordsWire, params)
            rows += [w.to_deposit(r) for r in page.rows]
            if not page.nextPageCursor or not page.rows:
                break
            cursor = page.nextPageCursor
        return sorted(rows[:limit], key=lambda d: d.timestamp)

    async def get_withdrawal_history(
        self,
        asset: str | None = None,
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int = 100,
    ) -> list[Withdrawal]:
        """On-chain and internal withdrawals (``withdrawType=2``), oldest first."""
        rows: list[Withdrawal] = []
        cursor: str | None = None
        while len(rows) < limit:
            params = {
                "coin": asset,
                "withdrawType": 2,
                "startTime": start,
                "endTime": end,
                "limit": min(limit - len(rows), ep.RECORDS_PAGE),
                "cursor": cursor,
            }
            page = await self._call(ep.WITHDRAW_RECORDS, w.WithdrawRecordsWire, params)
            rows += [w.to_withdrawal(r) for r in page.rows]
            if not page.nextPageCursor or not page.rows:
                break
            cursor = page.nextPageCursor
        return sorted(rows[:limit], key=lambda x: x.timestamp)

    # ------------------------------------------------------------------ system

    async def sync_time(self) -> ServerTime:
        """Measure the server clock (round-trip midpoint) and correct ``self.clock``."""
        sent = wall_ms()
        wire = await self._call(ep.TIME, w.ServerTimeWire)
        received = wall_ms()
        server = w.server_ms(wire)
        sample = self.clock.observe(sent, server, received)
        if abs(sample.offset_ms - self.clock.offset_ms) > sample.round_trip_ms // 2 + 1:
            # The kept estimate lies outside what this round trip allows (the clock stepped).
            self.clock.reset()
            sample = self.clock.observe(sent, server, received)
        return ServerTime(server, sample.local_ms, self.clock.offset_ms, sample.round_trip_ms)

    async def get_system_status(self) -> SystemStatus:
        """Not operational while ``/v5/system/status`` lists an ``ongoing`` maintenance, or when
        Bybit answers as unavailable."""
        try:
            page, time_ms = await self._call_timed(ep.SYSTEM_STATUS, w.SystemStatusWire)
        except ExchangeUnavailable as exc:
            return SystemStatus(False, exc.exchange_message, self.clock.now_ms())
        ongoing = [m.title or "maintenance" for m in page.items if m.state == "ongoing"]
        if ongoing:
            return SystemStatus(False, "; ".join(ongoing), time_ms)
        return SystemStatus(True, "normal", time_ms)

    async def get_rate_limits(self) -> list[RateLimitRule]:
        """Every quota the limiter enforces (``ip_5s``, ``<endpoint>:<category|all>``), with the
        limits Bybit last reported in ``X-Bapi-Limit`` and the current use."""
        limiter = self.rest.limiter
        return [
            RateLimitRule(
                kind=q.name,
                scope="ip" if q.name == ep.IP_QUOTA.name else "uid",
                window_ms=q.window_ms,
                limit=q.limit,
                used=limiter.used(q.name),
            )
            for q in limiter.quotas
        ]

    # ------------------------------------------------------------------ public streams

    def _public_session(self, category: str) -> WsSession:
        session = self._public_ws.get(category)
        if session is None:
            session = WsSession(
                self.name,
                self.urls[f"ws_public_{category}"],
                PublicProtocol(self.name),
                name=f"{category}-public",
                stale_after=60.0,
            )
            self._public_ws[category] = session
        return session

    def stream_orderbook(self, symbol: SymbolLike, depth: int = 20) -> AsyncIterator[OrderBook]:
        """``orderbook.{d}.{symbol}`` (d: the smallest of 1/50/200/1000 holding ``depth``): the
        book after its snapshot and after every delta, while it is consistent."""
        sym = as_symbol(symbol)
        self._category(sym)
        return self._book_stream(sym, depth)

    async def _book_stream(self, sym: Symbol, depth: int) -> AsyncIterator[OrderBook]:
        inst, category = await self._resolve(sym)
        topic = book_topic(ep.ws_book_depth(depth), inst.native_id)
        sub = await self._public_session(category).subscribe(topic, overflow=Overflow.RESET)
        state = BybitBook(L2Book(sym, inst.price_decimals), self.name)
        decode = msgspec.json.Decoder(w.WsMessageWire).decode
        conflation = Conflation(sub)
        try:
            async for item in sub:
                if isinstance(item, Reset):
                    state.reset(item.reason)
                    if item.reason == "overflow":  # a reconnect resubscribes by itself
                        await sub.resubscribe()
                    continue
                try:
                    message = decode(item)
                except (msgspec.ValidationError, msgspec.DecodeError):
                    result = state.reset("malformed_event")
                else:
                    result = state.on_message(message)
                if result is SyncResult.RESYNC:
                    await sub.resubscribe()  # Bybit answers a subscription with a snapshot
                elif result is SyncResult.APPLIED and state.live and conflation.ready():
                    yield state.snapshot(depth)
        finally:
            await sub.close()

    async def _market_stream(
        self,
        sym: Symbol,
        topic: Callable[[str], str],
        convert: Callable[[w.WsMessageWire, Symbol], list[T]],
        category: str | None = None,
    ) -> AsyncIterator[T]:
        inst, resolved = await self._resolve(sym)
        session = self._public_session(category or resolved)
        sub = await session.subscribe(topic(inst.native_id), overflow=Overflow.DROP_OLDEST)
        decode = msgspec.json.Decoder(w.WsMessageWire).decode
        try:
            async for item in sub:
                if isinstance(item, Reset):
                    continue  # stateless items: nothing to rebuild
                try:
                    converted = convert(decode(item), inst.symbol)
                except (msgspec.ValidationError, msgspec.DecodeError) as exc:
                    self.log.warning("ws_malformed_payload", channel=sub.channel, error=str(exc))
                    continue
                for value in converted:
                    yield value
        finally:
            await sub.close()

    def stream_trades(self, symbol: SymbolLike) -> AsyncIterator[Trade]:
        sym = as_symbol(symbol)
        self._category(sym)

        def convert(message: w.WsMessageWire, s: Symbol) -> list[Trade]:
            rows = w.decode_raw(message.data, list[w.PublicTradeWire])
            return [w.public_trade(r, s) for r in rows]

        return self._market_stream(sym, trade_topic, convert)

    def stream_candles(self, symbol: SymbolLike, interval: str = "1m") -> AsyncIterator[Candle]:
        sym = as_symbol(symbol)
        self._category(sym)
        native = w.native_interval(interval)

        def convert(message: w.WsMessageWire, s: Symbol) -> list[Candle]:
            rows = w.decode_raw(message.data, list[w.KlineEventWire])
            return [w.kline_event(r, s) for r in rows]

        return self._market_stream(sym, lambda n: kline_topic(native, n), convert)

    def stream_mark_price(self, symbol: SymbolLike) -> AsyncIterator[MarkPrice]:
        """``tickers.{symbol}`` on the linear stream: a snapshot then deltas of the changed
        fields, merged here; an item whenever the mark or index price changes."""
        sym = as_symbol(symbol)
        self._only_linear(sym, Capability.STREAM_MARK_PRICE, "only perpetuals have a mark price")
        state: dict[str, Decimal | None] = {"mark": None, "index": None}

        def convert(message: w.WsMessageWire, s: Symbol) -> list[MarkPrice]:
            data = w.decode_raw(message.data, w.TickerEventWire)
            if message.type == "snapshot":
                state["mark"] = state["index"] = None
            if data.markPrice is None and data.indexPrice is None:
                return []
            if data.markPrice:
                state["mark"] = w.num(data.markPrice, "markPrice")
            if data.indexPrice:
                state["index"] = w.num(data.indexPrice, "indexPrice")
            mark = state["mark"]
            if mark is None:
                return []
            return [MarkPrice(s, mark, state["index"], message.ts or self.clock.now_ms())]

        return self._market_stream(sym, ticker_topic, convert, LINEAR)

    # ------------------------------------------------------------------ private streams

    def _private_session(self) -> WsSession:
        if self.credentials is None:
            raise ConfigurationError("bybit private streams need api_key/secret")
        if self._private_ws is None:
            self._private_ws = WsSession(
                self.name,
                self.urls["ws_private"],
                PrivateProtocol(self.credentials, self.clock.now_ms, self.name),
                name="private",
                stale_after=60.0,
            )
        return self._private_ws

    async def private_stream_ready(self, timeout: float = 10.0) -> None:
        """Wait until the private connection that running private streams use is logged in
        (a private stream connects when first iterated)."""

        async def ready() -> None:
            while self._private_ws is None:  # noqa: ASYNC110 - created by the stream
                await asyncio.sleep(0.01)
            await self._private_ws.wait_connected(timeout)

        await asyncio.wait_for(ready(), timeout)

    def _categories(self, kind: MarketKind | None) -> set[str]:
        """The categories a private stream covers; refuses at call time without keys."""
        self._private_session()
        if kind is MarketKind.INVERSE:
            raise NotSupportedError(self.name, "inverse", "inverse contracts are not supported")
        return {c for c, k in w.KIND.items() if kind is None or k is kind}

    async def _private(
        self, topic: str, convert: Callable[[bytes], list[T]]
    ) -> AsyncGenerator[T | Gap, None]:
        await self.load_instruments()
        sub = await self._private_session().subscribe(topic, overflow=Overflow.RAISE)
        decode = msgspec.json.Decoder(w.WsMessageWire).decode

        def unwrap(raw: bytes) -> list[T]:
            return convert(bytes(decode(raw).data))

        pushes = recovery.private_pushes(sub, unwrap, self.log)
        async with contextlib.aclosing(pushes):
            async for push in pushes:
                yield push

    def stream_orders(self, kind: MarketKind | None = None) -> AsyncIterator[Order]:
        categories = self._categories(kind)

        def convert(raw: bytes) -> list[Order]:
            out: list[Order] = []
            for row in w.decode_raw(raw, list[w.OrderWire]):
                sym = self._symbol(row.category, row.symbol) if row.category in categories else None
                if sym is not None:
                    out.append(w.to_order(row, sym))
            return out

        pushes = self._private(ORDER_TOPIC, convert)
        return recovery.orders_across_gaps(self, pushes, kind)

    def stream_fills(self, kind: MarketKind | None = None) -> AsyncIterator[Fill]:
        categories = self._categories(kind)

        def convert(raw: bytes) -> list[Fill]:
            out: list[Fill] = []
            for row in w.decode_raw(raw, list[w.ExecutionWire]):
                if row.category not in categories or row.execType in w.NON_FILL_EXEC_TYPES:
                    continue
                sym = self._symbol(row.category, row.symbol)
                if sym is not None:
                    out.append(w.to_fill(row, sym))
            return out

        pushes = self._private(EXECUTION_TOPIC, convert)
        return recovery.fills_across_gaps(self, pushes, kind)

    def stream_balances(self, kind: MarketKind | None = None) -> AsyncIterator[Balance]:
        """The unified wallet (spot and linear share it, so ``kind`` selects nothing more)."""
        self._categories(kind)

        def convert(raw: bytes) -> list[Balance]:
            return [
                b
                for acct in w.decode_raw(raw, list[w.WalletAccountWire])
                if acct.accountType == "UNIFIED"
                for b in w.wallet_balances(acct, "unified")
            ]

        pushes = self._private(WALLET_TOPIC, convert)
        return recovery.balances_across_gaps(self, pushes, None)

    def stream_positions(self) -> AsyncIterator[Position]:
        self._categories(MarketKind.LINEAR)

        def convert(raw: bytes) -> list[Position]:
            out: list[Position] = []
            for row in w.decode_raw(raw, list[w.PositionWire]):
                sym = self._symbol(row.category or LINEAR, row.symbol)
                if sym is not None:
                    out.append(w.to_position(row, sym, self._leverage.get(sym)))
            return out

        pushes = self._private(POSITION_TOPIC, convert)
        return recovery.positions_across_gaps(self, pushes)

    def merged(self, *streams: AsyncIterator[T]) -> AsyncIterator[T]:
        """Interleave several streams of this connector (the first error ends all of them)."""
        return merge(*streams)


_PENDING = TransferStatus.PENDING
