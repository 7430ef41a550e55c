"""`CoinbaseConnector`: Coinbase Advanced Trade, spot products.

Unified ``BTC/USD`` is Coinbase's ``BTC-USD`` (base and quote from the product's
``base_currency_id``/``quote_currency_id``, native ids from the loaded products). Every REST
call goes to ``/api/v3/brokerage`` on one host with one limiter (30 requests/s per user for
signed calls, 10/s per IP for public ones) and one error table. Requests are authenticated by a
fresh JWT each (`signer.CoinbaseSigner`). Orders are always sent with a ``client_order_id``:
Coinbase answers a repeated one with the order it already holds, which is how a placement whose
answer was lost is resolved (the identical request is sent again, never a new one).

Every order action is one request (``POST /orders``, ``/orders/edit``, ``/orders/batch_cancel``);
the returned `Order` is built from the request, the acknowledgement and the orders this
connector knows (`Connector.orders`), which also give the order id of a client order id.

Not offered here (refused with `NotSupportedError`): derivatives (Coinbase's US futures and
INTX perpetuals use other endpoints and products), so mark/index/funding, positions, leverage
and liquidation prices; withdrawals and deposit histories (the Coinbase App API, not Advanced
Trade); batch placement (Coinbase has no batch order endpoint, and sending orders one by one
would not be the atomic request the capability promises); balance streams (the ``user``
channel carries orders only).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import OrderedDict
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, TypeVar, Unpack

import msgspec

from lotusx.core import recovery
from lotusx.core.book import L2Book, SyncResult
from lotusx.core.capabilities import Capability
from lotusx.core.clock import wall_ms
from lotusx.core.connector import Connector, ConnectorOptions
from lotusx.core.errors import (
    BadSymbol,
    ConfigurationError,
    ExchangeError,
    ExchangeUnavailable,
    InvalidOrderError,
    NotSupportedError,
    OrderNotFound,
)
from lotusx.core.ratelimit import RateLimiter
from lotusx.core.recovery import Gap
from lotusx.core.retry import resolve_placement
from lotusx.core.streaming import Conflation
from lotusx.core.transport.rest import Endpoint, RestClient
from lotusx.core.transport.ws import Overflow, Reset, WsSession
from lotusx.core.types import (
    AmendRequest,
    Balance,
    Candle,
    FeeRate,
    Fill,
    Instrument,
    MarketKind,
    Order,
    OrderBook,
    OrderRequest,
    OrderType,
    RateLimitRule,
    ServerTime,
    SubAccount,
    Symbol,
    SymbolLike,
    SystemStatus,
    Ticker,
    Trade,
    Transfer,
    TransferStatus,
    as_symbol,
)

from . import endpoints as ep
from . import wire as w
from .endpoints import MAINNET, TESTNET
from .errors import ClientOrderIdReused, error_table
from .signer import CoinbaseSigner
from .streams import (
    LEVEL2,
    MARKET_TRADES,
    USER,
    CoinbaseBook,
    CoinbaseProtocol,
    channel_of,
    merge,
    public_product,
)

__all__ = ["CoinbaseConnector", "new_client_order_id", "rfc3339"]

T = TypeVar("T")
_KEPT = 10_000  # orders a stream keeps per table (last pushed size, fills wanted or yielded)
_SEARCH_PAGES = 5  # pages of order history searched for a client order id
# /orders/historical/fills may lag the user channel: the fills of an order that grew are read
# again after these pauses (seconds) until they add up to its cumulative_quantity.
_FILL_RETRY_DELAYS = (0.1, 0.2, 0.4, 0.8, 1.6)
_FILL_TOLERANCE = Decimal("1e-8")
_NO_ID = "give order_id or client_order_id"
DEFAULT_WALLET = "spot"
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def new_client_order_id() -> str:
    """A fresh ``client_order_id`` (a UUID, as Coinbase's examples use)."""
    return str(uuid.uuid4())


def rfc3339(ms: int) -> str:
    """``YYYY-MM-DDTHH:MM:SS.mmmZ`` of a millisecond timestamp (UTC)."""
    seconds, millis = divmod(ms, 1000)
    days, rest = divmod(seconds, 86_400)
    day = date.fromordinal(_EPOCH_ORDINAL + days)
    hh, rest = divmod(rest, 3600)
    mm, ss = divmod(rest, 60)
    return f"{day.isoformat()}T{hh:02d}:{mm:02d}:{ss:02d}.{millis:03d}Z"


# batch_cancel failure reasons of an order that finished (or is being canceled) meanwhile:
# not errors to cancel_all.
_CANCEL_RACES = frozenset({"ORDER_IS_FULLY_FILLED", "DUPLICATE_CANCEL_REQUEST"})


class CoinbaseConnector(Connector):
    """Coinbase Advanced Trade: spot products of a Coinbase account (CDP API keys)."""

    name = "coinbase"
    mainnet_urls = MAINNET
    testnet_urls = TESTNET
    emulated: ClassVar[Mapping[Capability, str]] = {
        Capability.CANCEL_ALL: "open orders (historical/batch), then batch_cancel, 100 ids each",
    }

    def __init__(
        self,
        **options: Unpack[ConnectorOptions],
    ) -> None:
        self._signer: CoinbaseSigner | None = None
        super().__init__(**options)
        self._public_ws: WsSession | None = None
        self._user_ws: WsSession | None = None

    # ------------------------------------------------------------------ plumbing

    def _build_rest(self) -> RestClient:
        if self.credentials is not None:
            self._signer = CoinbaseSigner(self.credentials, self.urls["rest"])
        return RestClient(
            self.name,
            self.urls,
            errors=error_table(),
            signer=self._signer,
            limiter=RateLimiter(self.name, list(ep.DEFAULT_QUOTAS)),
            clock=self.clock,
            timeout=self.timeout,
        )

    async def _get(
        self, endpoint: Endpoint, kind: type[T], params: Mapping[str, object] | None = None
    ) -> T:
        return await self.rest.request(endpoint, kind, params=params, costs=ep.costs(endpoint))

    async def _post(self, endpoint: Endpoint, kind: type[T], body: Mapping[str, object]) -> T:
        return await self.rest.request(endpoint, kind, body=body, costs=ep.costs(endpoint))

    def _market(self, signed: Endpoint, public: Endpoint) -> Endpoint:
        """The authenticated market-data endpoint with keys, its public twin without."""
        return signed if self._signer is not None else public

    def _failure(self, endpoint: Endpoint, reason: str, message: str, raw: object) -> ExchangeError:
        """The mapped error of an in-body failure (HTTP 200)."""
        return self.rest.errors.build(
            reason or "UNKNOWN_FAILURE_REASON",
            message or reason or "refused",
            endpoint.name,
            http_status=200,
            raw=msgspec.json.encode(raw),
        )

    async def open(self) -> None:
        await self.rest.open()
        await self.sync_time()

    async def close(self) -> None:
        sessions = [s for s in (self._public_ws, self._user_ws) if s is not None]
        self._public_ws = self._user_ws = None
        for session in sessions:
            await session.close()
        await self.rest.close()

    async def _spot(self, symbol: SymbolLike) -> Instrument:
        sym = as_symbol(symbol)
        if sym.kind is not MarketKind.SPOT:
            raise BadSymbol(
                f"{sym}: only spot products are supported", exchange=self.name, endpoint="products"
            )
        return await self.instrument(sym)

    def _symbol(self, product_id: str) -> Symbol | None:
        found = self._native.get((MarketKind.SPOT, product_id))
        return None if found is None else found.symbol

    # ------------------------------------------------------------------ market data

    async def get_instruments(self, kind: MarketKind | None = None) -> list[Instrument]:
        """Spot products (``product_type=SPOT``); other kinds are not offered (empty list)."""
        if kind not in (None, MarketKind.SPOT):
            return []
        endpoint = self._market(ep.PRODUCTS, ep.PUBLIC_PRODUCTS)
        reply = await self._get(endpoint, w.ProductsWire, {"product_type": w.SPOT})
        return [i for p in reply.products if (i := w.to_instrument(p)) is not None]

    async def get_orderbook(self, symbol: SymbolLike, depth: int = 100) -> OrderBook:
        """``/product_book``: no update id (``sequence`` 0)."""
        inst = await self._spot(symbol)
        params = {"product_id": inst.native_id, "limit": min(max(depth, 1), ep.BOOK_MAX)}
        reply = await self._get(self._market(ep.BOOK, ep.PUBLIC_BOOK), w.BookReplyWire, params)
        return w.to_orderbook(reply.pricebook, inst.symbol, depth, self.clock.now_ms())

    async def _ticker(self, inst: Instrument, limit: int) -> w.TickerReplyWire:
        endpoint = ep.with_product(self._market(ep.TICKER, ep.PUBLIC_TICKER), inst.native_id)
        return await self._get(endpoint, w.TickerReplyWire, {"limit": limit})

    async def get_trades(self, symbol: SymbolLike, limit: int = 100) -> list[Trade]:
        """Most recent public trades, oldest first (Coinbase lists them newest first)."""
        inst = await self._spot(symbol)
        reply = await self._ticker(inst, min(max(limit, 1), ep.TRADES_MAX))
        return [w.to_trade(t, inst.symbol) for t in reversed(reply.trades)]

    async def get_ticker(self, symbol: SymbolLike) -> Ticker:
        """Best bid/ask and the last trade (``/products/{id}/ticker``); no 24 h statistics."""
        inst = await self._spot(symbol)
        return w.to_ticker(await self._ticker(inst, 1), inst.symbol, self.clock.now_ms())

    async def get_candles(
        self,
        symbol: SymbolLike,
        interval: str = "1m",
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int = 100,
    ) -> list[Candle]:
        """Up to 350 candles. Coinbase needs a window (and refuses one of more than 350
        candles): ``end`` defaults to now, ``start`` to ``limit`` intervals before it; a window
        longer than ``limit`` intervals is cut to ``limit`` intervals from ``start`` (both sent
        in UNIX seconds)."""
        inst = await self._spot(symbol)
        native, length = w.granularity(interval)
        limit = min(max(limit, 1), ep.CANDLES_MAX)
        end_ms = end if end is not None else self.clock.now_ms()
        start_ms = start if start is not None else end_ms - limit * length
        if start is not None:  # ``limit`` candles open in [start, start + (limit - 1) intervals]
            end_ms = min(end_ms, start_ms + (limit - 1) * length)
        params = {
            "start": str(start_ms // 1000),
            "end": str(end_ms // 1000),
            "granularity": native,
            "limit": limit,
        }
        endpoint = ep.with_product(self._market(ep.CANDLES, ep.PUBLIC_CANDLES), inst.native_id)
        reply = await self._get(endpoint, w.CandlesReplyWire, params)
        now = self.clock.now_ms()
        candles = sorted(
            (w.to_candle(c, inst.symbol, interval, now) for c in reply.candles),
            key=lambda c: c.open_time,
        )
        return candles[-limit:]

    # ------------------------------------------------------------------ orders: lookups

    async def _fetch(self, order_id: str) -> w.OrderWire:
        endpoint = ep.with_order(ep.GET_ORDER, order_id)
        return (await self._get(endpoint, w.GetOrderReplyWire)).order

    async def _search(self, inst: Instrument, client_order_id: str) -> w.OrderWire:
        """An order by client order id, from the product's order history (newest first)."""
        cursor: str | None = None
        for _ in range(_SEARCH_PAGES):
            params = {"product_ids": inst.native_id, "limit": ep.ORDERS_PAGE, "cursor": cursor}
            page = await self._get(ep.LIST_ORDERS, w.OrdersReplyWire, params)
            for row in page.orders:
                if row.client_order_id == client_order_id:
                    return row
            if not page.has_next or not page.cursor:
                break
            cursor = page.cursor
        raise OrderNotFound(
            f"no order with client_order_id {client_order_id} on {inst.native_id}",
            exchange=self.name,
            endpoint=ep.LIST_ORDERS.name,
        )

    async def _find(
        self, inst: Instrument, order_id: str | None, client_order_id: str | None
    ) -> w.OrderWire:
        if order_id is None and client_order_id is not None:
            known = self.orders.find(inst.symbol, None, client_order_id)
            if known is None:
                return await self._search(inst, client_order_id)
            order_id = known.order_id
        if order_id is None:
            raise InvalidOrderError(str(inst.symbol), "order_id", _NO_ID)
        row = await self._fetch(order_id)
        if row.product_id != inst.native_id:
            raise OrderNotFound(
                f"order {order_id} is on {row.product_id}, not {inst.native_id}",
                exchange=self.name,
                endpoint=ep.GET_ORDER.name,
            )
        return row

    async def get_order(
        self,
        symbol: SymbolLike,
        *,
        order_id: str | None = None,
        client_order_id: str | None = None,
    ) -> Order:
        """By order id (``/orders/historical/{id}``); by client order id through the orders
        this connector knows, else the product's recent order history. Remembered in
        `orders`."""
        inst = await self._spot(symbol)
        row = await self._find(inst, order_id, client_order_id)
        return self.orders.remember(w.to_order(row, inst.symbol))

    async def get_open_orders(self, symbol: SymbolLike | None = None) -> list[Order]:
        await self.load_instruments()
        params: dict[str, object] = {"order_status": "OPEN", "limit": ep.ORDERS_PAGE}
        if symbol is not None:
            params["product_ids"] = (await self._spot(symbol)).native_id
        out: list[Order] = []
        cursor: str | None = None
        while True:
            page = await self._get(ep.LIST_ORDERS, w.OrdersReplyWire, {**params, "cursor": cursor})
            for row in page.orders:
                sym = self._symbol(row.product_id)
                if sym is not None and w.is_handled(row):
                    order = w.to_order(row, sym)
                    if order.status.is_open:
                        out.append(self.orders.remember(order))
            if not page.has_next or not page.cursor:
                return out
            cursor = page.cursor

    async def get_fills(
        self,
        symbol: SymbolLike,
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int = 100,
    ) -> list[Fill]:
        """The account's fills on ``symbol``, oldest first."""
        inst = await self._spot(symbol)
        params = {
            "product_ids": inst.native_id,
            "start_sequence_timestamp": rfc3339(start) if start is not None else None,
            "end_sequence_timestamp": rfc3339(end) if end is not None else None,
        }
        return await self._fills(inst.symbol, params, limit)

    async def _fills(self, symbol: Symbol, params: Mapping[str, object], limit: int) -> list[Fill]:
        fills: list[Fill] = []
        entries: set[str] = set()
        cursor: str | None = None
        while len(fills) < limit:
            page_size = min(limit - len(fills), ep.FILLS_PAGE)
            query = {**params, "limit": page_size, "cursor": cursor}
            page = await self._get(ep.LIST_FILLS, w.FillsReplyWire, query)
            for row in page.fills:
                if not w.is_trade_fill(row):
                    self.log.warning(
                        "fill_adjustment_skipped",
                        trade_id=row.trade_id,
                        trade_type=row.trade_type,
                        entry_id=row.entry_id,
                    )
                    continue
                key = row.entry_id or row.trade_id  # the entry id names one row
                if key in entries:
                    continue
                entries.add(key)
                known = self.orders.find(symbol, row.order_id)
                fills.append(w.to_fill(row, symbol, known.client_order_id if known else None))
            if not page.cursor or not page.fills:
                break
            cursor = page.cursor
        return sorted(fills[:limit], key=lambda f: f.timestamp)

    # ------------------------------------------------------------------ orders: placement

    async def place_order(self, request: OrderRequest) -> Order:
        """``POST /orders`` with ``client_order_id`` (one is made when the request has none):
        one request. The order is the request ACCEPTED under Coinbase's ``order_id`` (the
        reply tells no state, fills or time); a ``client_order_id`` the reply shows on an order
        this connector knows returns that order as known.

        An answer that never came is resolved by sending the identical request again:
        Coinbase creates no second order for a known ``client_order_id`` and answers with the
        order it holds. A reply naming an order that is not this request (a reused id) is
        `ClientOrderIdReused`. A post-only order that would take is refused in the reply
        (`PostOnlyWouldTake`)."""
        inst = await self._spot(request.symbol)
        self._will_trade(inst, request)
        client_id = request.client_order_id or new_client_order_id()
        body = w.order_body(request, inst.native_id, client_id)

        async def send() -> Order:
            reply = await self._post(ep.CREATE_ORDER, w.CreateReplyWire, body)
            refusal = w.create_refusal(reply)
            if refusal is not None:
                raise self._failure(ep.CREATE_ORDER, *refusal, reply)
            order = w.to_accepted(reply, request, client_id, self.clock.now_ms())
            if w.held_instead(reply, request, inst.native_id):
                named = reply.success_response or w.SuccessWire()
                raise ClientOrderIdReused(
                    f"client_order_id {client_id} already names order {order.order_id} "
                    f"({named.product_id or '?'} {named.side or '?'}), not this request: "
                    "nothing was placed",
                    exchange=self.name,
                    endpoint=ep.CREATE_ORDER.name,
                    code="CLIENT_ORDER_ID_REUSED",
                )
            known = self.orders.find(inst.symbol, order.order_id)
            return order if known is None else known

        order = await resolve_placement(
            send, send, exchange=self.name, endpoint=ep.CREATE_ORDER.name, client_order_id=client_id
        )
        return await self._acknowledged(order)

    # ------------------------------------------------------------------ orders: changes

    async def amend_order(self, request: AmendRequest) -> Order:
        """``POST /orders/edit`` (price and size; the order id is kept): one request for an
        order this connector knows (one read first for another). ``quantity`` is the new total
        size, fills included; what is not given keeps its known value. The order returned is
        the known one with the edit applied (a read may show ``EDIT_QUEUED`` until Coinbase
        applies it)."""
        inst = await self._spot(request.symbol)
        if request.price is None and request.quantity is None:
            raise InvalidOrderError(str(inst.symbol), "amend", "nothing to change")
        known = await self._known_order(inst.symbol, request.order_id, request.client_order_id)
        price = request.price if request.price is not None else known.price
        quantity = request.quantity if request.quantity is not None else known.quantity
        if known.type is not OrderType.LIMIT or price is None:
            raise InvalidOrderError(str(inst.symbol), "type", "only limit orders can be amended")
        inst.check_order(OrderRequest(inst.symbol, known.side, OrderType.LIMIT, quantity, price))
        if quantity <= known.filled_quantity:
            raise InvalidOrderError(
                str(inst.symbol),
                "quantity",
                f"{quantity} <= already filled {known.filled_quantity}",
            )
        body = w.edit_body(known.order_id, price, quantity)
        reply = await self._post(ep.EDIT_ORDER, w.EditReplyWire, body)
        reason = w.edit_refusal(reply)
        if reason is not None:
            raise self._failure(ep.EDIT_ORDER, reason, "", reply)
        return await self._acknowledged(w.to_amended(reply, known, request, self.clock.now_ms()))

    async def _cancel(self, order_ids: Sequence[str]) -> list[w.CancelResultWire | ExchangeError]:
        """``/orders/batch_cancel`` in chunks of 100: per id, its result or its mapped error."""
        out: list[w.CancelResultWire | ExchangeError] = []
        for start in range(0, len(order_ids), ep.CANCEL_MAX):
            chunk = list(order_ids[start : start + ep.CANCEL_MAX])
            reply = await self._post(ep.CANCEL_ORDERS, w.CancelReplyWire, {"order_ids": chunk})
            by_id = {r.order_id: r for r in reply.results}
            for i, order_id in enumerate(chunk):
                result = by_id.get(order_id)
                if result is None and len(reply.results) == len(chunk):
                    result = reply.results[i]
                if result is None:
                    out.append(w.unexpected(f"batch_cancel answered nothing for {order_id}"))
                elif not result.success:
                    out.append(
                        self._failure(
                            ep.CANCEL_ORDERS,
                            result.failure_reason,
                            f"order {order_id}: {result.failure_reason or 'not canceled'}",
                            result,
                        )
                    )
                else:
                    out.append(result)
        return out

    async def _canceled(
        self, symbol: Symbol, order_id: str, result: w.CancelResultWire | ExchangeError
    ) -> Order:
        """The order a successful cancel result names: as known, canceled (read after the
        cancel only for an order this connector never saw)."""
        if isinstance(result, ExchangeError):
            raise result
        known = await self._known_order(symbol, order_id, None)
        return await self._acknowledged(w.to_canceled(result, known, self.clock.now_ms()))

    async def cancel_order(
        self,
        symbol: SymbolLike,
        *,
        order_id: str | None = None,
        client_order_id: str | None = None,
    ) -> Order:
        """``POST /orders/batch_cancel`` of the one order id: one request. A client order id
        names the order id through the orders this connector knows (read first otherwise)."""
        inst = await self._spot(symbol)
        if order_id is None:
            if client_order_id is None:
                raise InvalidOrderError(str(inst.symbol), "order_id", _NO_ID)
            order_id = (await self._known_order(inst.symbol, None, client_order_id)).order_id
        (result,) = await self._cancel([order_id])
        return await self._canceled(inst.symbol, order_id, result)

    async def cancel_batch(
        self, symbol: SymbolLike, order_ids: Sequence[str]
    ) -> list[Order | ExchangeError]:
        """``POST /orders/batch_cancel`` (100 ids a request); items keep the request order."""
        inst = await self._spot(symbol)
        results = await self._cancel(order_ids)

        async def one(
            order_id: str, result: w.CancelResultWire | ExchangeError
        ) -> Order | ExchangeError:
            try:
                return await self._canceled(inst.symbol, order_id, result)
            except ExchangeError as exc:
                return exc

        return list(
            await asyncio.gather(*(one(i, r) for i, r in zip(order_ids, results, strict=True)))
        )

    async def cancel_all(self, symbol: SymbolLike) -> None:
        """The product's open orders, canceled through ``batch_cancel`` (Coinbase has no
        cancel-all call); an order that finished meanwhile is not an error."""
        orders = await self.get_open_orders(symbol)
        results = await self._cancel([o.order_id for o in orders])
        for result in results:
            if (
                isinstance(result, ExchangeError)
                and not isinstance(result, OrderNotFound)
                and result.code not in _CANCEL_RACES
            ):
                raise result

    # ------------------------------------------------------------------ account

    async def get_balances(self, wallet: str | None = None) -> list[Balance]:
        """The accounts of the key's portfolio (``/accounts``, all pages): ``free`` is
        ``available_balance``, ``locked`` is ``hold``. Zero balances are left out. The one
        wallet is ``spot``."""
        wallet = wallet or DEFAULT_WALLET
        if wallet != DEFAULT_WALLET:
            raise ConfigurationError(f"coinbase has one wallet, 'spot', not {wallet!r}")
        out: list[Balance] = []
        cursor: str | None = None
        while True:
            params = {"limit": ep.ACCOUNTS_PAGE, "cursor": cursor}
            page = await self._get(ep.ACCOUNTS, w.AccountsReplyWire, params)
            for account in page.accounts:
                balance = w.to_balance(account, wallet)
                if balance.free or balance.locked:
                    out.append(balance)
            if not page.has_next or not page.cursor:
                return out
            cursor = page.cursor

    async def get_fee_rates(self, symbol: SymbolLike) -> FeeRate:
        """The account's spot fee tier (``/transaction_summary``), the same for every product."""
        inst = await self._spot(symbol)
        reply = await self._get(
            ep.TRANSACTION_SUMMARY, w.TransactionSummaryWire, {"product_type": w.SPOT}
        )
        return w.to_fee(reply, inst.symbol)

    async def _portfolios(self) -> list[w.PortfolioWire]:
        reply = await self._get(ep.PORTFOLIOS, w.PortfoliosReplyWire)
        return reply.portfolios

    async def get_subaccounts(self) -> list[SubAccount]:
        """The account's portfolios (Coinbase's sub-accounts), the default one included;
        ``account_id`` is the portfolio UUID; a deleted portfolio is ``frozen``."""
        return [SubAccount(p.uuid, p.name or p.uuid, p.deleted) for p in await self._portfolios()]

    async def _portfolio(self, name: str, portfolios: list[w.PortfolioWire]) -> str:
        if name in (DEFAULT_WALLET, "default"):
            found = next((p.uuid for p in portfolios if p.type == "DEFAULT"), None)
            if found is None:
                raise w.unexpected("no DEFAULT portfolio in /portfolios")
            return found
        if name.startswith("sub:"):
            key = name[4:]
            found = next((p.uuid for p in portfolios if key in (p.uuid, p.name)), None)
            if found is not None:
                return found
        raise ConfigurationError(
            f"unknown coinbase account {name!r}: use 'spot' (the default portfolio) or "
            "'sub:<portfolio uuid or name>'"
        )

    async def internal_transfer(
        self, asset: str, amount: Decimal, from_account: str, to_account: str
    ) -> Transfer:
        """``POST /portfolios/move_funds`` between portfolios: ``spot`` is the default
        portfolio, ``sub:<uuid or name>`` any other. Coinbase returns no transfer id: the one
        given is made here. Not resent when unanswered (Coinbase has no idempotency key)."""
        portfolios = await self._portfolios()
        source = await self._portfolio(from_account, portfolios)
        target = await self._portfolio(to_account, portfolios)
        if source == target:
            raise ConfigurationError(
                f"internal_transfer: {from_account!r} and {to_account!r} are the same portfolio"
            )
        body = w.move_funds_body(amount, asset, source, target)
        await self._post(ep.MOVE_FUNDS, w.MoveFundsReplyWire, body)
        return Transfer(
            transfer_id=str(uuid.uuid4()),
            asset=asset,
            amount=amount,
            from_account=from_account,
            to_account=to_account,
            status=TransferStatus.COMPLETED,
            timestamp=self.clock.now_ms(),
        )

    # ------------------------------------------------------------------ system

    async def sync_time(self) -> ServerTime:
        """Measure the server clock (``/time``, round-trip midpoint) and correct ``self.clock``:
        JWTs carry ``nbf``/``exp`` on that clock."""
        sent = wall_ms()
        wire = await self._get(ep.TIME, w.TimeWire)
        received = wall_ms()
        server = w.server_ms(wire)
        sample = self.clock.observe(sent, server, received)
        if abs(sample.offset_ms - self.clock.offset_ms) > sample.round_trip_ms // 2 + 1:
            self.clock.reset()
            sample = self.clock.observe(sent, server, received)
        return ServerTime(server, sample.local_ms, self.clock.offset_ms, sample.round_trip_ms)

    async def get_system_status(self) -> SystemStatus:
        """Advanced Trade has no status endpoint: operational when ``/time`` answers, not when
        Coinbase answers it as unavailable (5xx, maintenance)."""
        try:
            wire = await self._get(ep.TIME, w.TimeWire)
        except ExchangeUnavailable as exc:
            return SystemStatus(False, exc.exchange_message, self.clock.now_ms())
        return SystemStatus(True, "normal", w.server_ms(wire))

    async def get_rate_limits(self) -> list[RateLimitRule]:
        """The two documented REST limits: 30/s per user (signed), 10/s per IP (public)."""
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

    def _ws_jwt(self) -> Callable[[], str] | None:
        """A fresh WebSocket JWT per message (no ``uri``), or None without keys."""
        signer = self._signer
        if signer is None:
            return None

        def jwt() -> str:
            return signer.jwt(self.clock.now_ms() // 1000)

        return jwt

    def _public_session(self) -> WsSession:
        if self._public_ws is None:
            # With keys, public subscriptions carry a JWT too: the docs recommend it ("For the
            # most reliable connection, authenticate") and only unauthenticated messages fall
            # under the 8 per second per IP limit.
            self._public_ws = WsSession(
                self.name,
                self.urls["ws"],
                CoinbaseProtocol(self.name, self._ws_jwt()),
                name="market",
                stale_after=30.0,
            )
        return self._public_ws

    def stream_orderbook(self, symbol: SymbolLike, depth: int = 20) -> AsyncIterator[OrderBook]:
        """``level2``: the book after its snapshot and after every update, while consistent
        (``sequence`` is the connection's ``sequence_num`` of the last message applied)."""
        return self._book_stream(as_symbol(symbol), depth)

    async def _book_stream(self, sym: Symbol, depth: int) -> AsyncIterator[OrderBook]:
        inst = await self._spot(sym)
        session = self._public_session()
        product = public_product(inst.native_id)  # -USDC books are the -USD ones
        sub = await session.subscribe(channel_of(LEVEL2, product), overflow=Overflow.RESET)
        state = CoinbaseBook(L2Book(sym, inst.price_decimals), self.name, product)
        conflation = Conflation(sub)
        try:
            async for item in sub:
                if isinstance(item, Reset):
                    state.reset(item.reason)
                    if item.reason == "overflow":  # a reconnect or a gap resubscribes by itself
                        await sub.resubscribe()
                    continue
                result = state.on_frame(item)
                if result is SyncResult.RESYNC:
                    await sub.resubscribe()  # Coinbase answers a subscription with a snapshot
                elif result is SyncResult.APPLIED and state.live and conflation.ready():
                    yield state.snapshot(depth)
        finally:
            await sub.close()

    def stream_trades(self, symbol: SymbolLike) -> AsyncIterator[Trade]:
        """``market_trades`` updates (the snapshot of recent trades sent on subscribing is
        history, not new trades: left out)."""
        return self._trade_stream(as_symbol(symbol))

    async def _trade_stream(self, sym: Symbol) -> AsyncIterator[Trade]:
        inst = await self._spot(sym)
        product = public_product(inst.native_id)  # -USDC trades are the -USD ones
        sub = await self._public_session().subscribe(
            channel_of(MARKET_TRADES, product), overflow=Overflow.DROP_OLDEST
        )
        decode = msgspec.json.Decoder(w.TradesMessageWire).decode
        try:
            async for item in sub:
                if isinstance(item, Reset):
                    continue
                try:
                    message = decode(item)
                    trades = [
                        w.ws_trade(t, inst.symbol)
                        for e in message.events
                        if e.type == "update"
                        for t in e.trades
                        if t.product_id == product
                    ]
                except (msgspec.ValidationError, msgspec.DecodeError, ExchangeError) as exc:
                    self.log.warning("ws_malformed_payload", channel=sub.channel, error=str(exc))
                    continue
                for trade in trades:
                    yield trade
        finally:
            await sub.close()

    # ------------------------------------------------------------------ private streams

    def _user_session(self) -> WsSession:
        signer = self._signer
        if signer is None:
            raise ConfigurationError("coinbase private streams need api_key/secret")
        if self._user_ws is None:

            def jwt() -> str:
                return signer.jwt(self.clock.now_ms() // 1000)

            self._user_ws = WsSession(
                self.name,
                self.urls["ws_user"],
                CoinbaseProtocol(self.name, jwt),
                name="user",
                stale_after=30.0,
            )
        return self._user_ws

    async def private_stream_ready(self, timeout: float = 10.0) -> None:
        """Wait until the user connection that running private streams use is subscribed."""

        async def ready() -> None:
            while self._user_ws is None:  # noqa: ASYNC110 - created by the stream
                await asyncio.sleep(0.01)
            await self._user_ws.wait_connected(timeout)
            await self._user_ws.wait_subscribed(USER)

        await asyncio.wait_for(ready(), timeout)

    def _check_kind(self, kind: MarketKind | None) -> None:
        self._user_session()  # refuses at call time without keys
        if kind not in (None, MarketKind.SPOT):
            raise NotSupportedError(self.name, f"{kind} private streams", "spot only")

    async def _user_pushes(
        self, convert: Callable[[w.UserOrderWire, Symbol], T | None]
    ) -> AsyncGenerator[T | Gap, None]:
        """The ``user`` channel's order updates (the snapshot sent on subscribing is left out:
        the gap catch-up reads open orders from REST), converted; `Gap`s at each hole."""
        await self.load_instruments()
        sub = await self._user_session().subscribe(USER, overflow=Overflow.RAISE)
        decode = msgspec.json.Decoder(w.UserMessageWire).decode

        def unwrap(raw: bytes) -> list[T]:
            out: list[T] = []
            for event in decode(raw).events:
                if event.type != "update":
                    continue
                for row in event.orders:
                    sym = self._symbol(row.product_id)
                    if sym is None:
                        continue
                    try:
                        value = convert(row, sym)
                    except ExchangeError as exc:  # one odd order must not end the stream
                        self.log.warning("ws_order_dropped", order_id=row.order_id, error=str(exc))
                        continue
                    if value is not None:
                        out.append(value)
            return out

        pushes = recovery.private_pushes(sub, unwrap, self.log)
        async with contextlib.aclosing(pushes):
            async for push in pushes:
                yield push

    def stream_orders(self, kind: MarketKind | None = None) -> AsyncIterator[Order]:
        """Order updates from the ``user`` channel; across reconnects, what changed meanwhile
        is read from REST. A push has no original size: see `wire.user_order`."""
        self._check_kind(kind)
        return recovery.orders_across_gaps(self, self._user_pushes(self._order_converter()), kind)

    def _order_converter(self) -> Callable[[w.UserOrderWire, Symbol], Order | None]:
        """A ``user`` push → `Order` converter remembering each order's last known size."""
        sizes: OrderedDict[str, Decimal] = OrderedDict()

        def convert(row: w.UserOrderWire, sym: Symbol) -> Order | None:
            if not w.is_user_handled(row):
                # a stop/bracket/TWAP order placed elsewhere, or an UNKNOWN_ORDER_STATUS push:
                # nothing LotusX models changed (the last status shown stands)
                self.log.info(
                    "ws_order_skipped",
                    order_id=row.order_id,
                    type=row.order_type,
                    status=row.status,
                )
                return None
            order = w.user_order(row, sym, sizes.get(row.order_id), self.clock.now_ms())
            sizes[row.order_id] = order.quantity
            sizes.move_to_end(row.order_id)
            if len(sizes) > _KEPT:
                sizes.popitem(last=False)
            self.traded_symbols.add(sym)
            return order

        return convert

    def stream_fills(self, kind: MarketKind | None = None) -> AsyncIterator[Fill]:
        """Fills, when a ``user`` push shows an order's filled size grew: the user channel
        carries no fills, so the order's fills are read from REST (``/orders/historical/fills``
        by order id) and the new ones yielded."""
        self._check_kind(kind)
        return recovery.fills_across_gaps(self, self._fill_pushes(), kind)

    async def _fill_pushes(self) -> AsyncGenerator[Fill | Gap, None]:
        # order id → the largest cumulative_quantity pushed, and the quantity of its fills
        # yielded so far; an order's fills are read until the two agree (or the retries end:
        # its next push or the gap catch-up reads them again).
        wanted: OrderedDict[str, Decimal] = OrderedDict()
        yielded: OrderedDict[str, Decimal] = OrderedDict()
        seen: OrderedDict[str, None] = OrderedDict()

        def keep(table: OrderedDict[str, Any], key: str, value: Any) -> None:
            table[key] = value
            table.move_to_end(key)
            if len(table) > _KEPT:
                table.popitem(last=False)

        def missing(order_id: str) -> bool:
            target = wanted.get(order_id, Decimal(0))
            # quote-sized fills convert to base by division: allow for its rounding
            return yielded.get(order_id, Decimal(0)) < target * (1 - _FILL_TOLERANCE)

        def grew(row: w.UserOrderWire, sym: Symbol) -> tuple[w.UserOrderWire, Symbol] | None:
            now = w.num(row.cumulative_quantity or "0", "cumulative_quantity")
            keep(wanted, row.order_id, max(now, wanted.get(row.order_id, Decimal(0))))
            return (row, sym) if missing(row.order_id) else None

        pushes = self._user_pushes(grew)
        async with contextlib.aclosing(pushes):
            async for push in pushes:
                if isinstance(push, Gap):
                    yield push
                    continue
                row, sym = push
                self.traded_symbols.add(sym)
                params = {"order_ids": row.order_id}
                for delay in (0.0, *_FILL_RETRY_DELAYS):
                    if delay:
                        await asyncio.sleep(delay)
                    for fill in await self._fills(sym, params, ep.FILLS_PAGE):
                        key = fill.trade_id
                        if key in seen:
                            continue
                        keep(seen, key, None)
                        total = yielded.get(row.order_id, Decimal(0)) + fill.quantity
                        keep(yielded, row.order_id, total)
                        if fill.client_order_id is None and row.client_order_id:
                            fill = msgspec.structs.replace(
                                fill, client_order_id=row.client_order_id
                            )
                        yield fill
                    if not missing(row.order_id):
                        break
                else:
                    self.log.warning(
                        "fills_lagging",
                        order_id=row.order_id,
                        cumulative=str(wanted.get(row.order_id)),
                        fetched=str(yielded.get(row.order_id)),
                    )

    def merged(self, *streams: AsyncIterator[T]) -> AsyncIterator[T]:
        """Interleave several streams of this connector (the first error ends all of them)."""
        return merge(*streams)
