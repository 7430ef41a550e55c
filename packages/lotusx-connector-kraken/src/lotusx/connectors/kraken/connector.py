"""`KrakenConnector`: Kraken Spot and Kraken Futures linear perpetuals behind one connector.

The unified symbol picks the platform: ``BTC/USD`` is the spot pair ``XXBTZUSD`` (``/0``),
``BTC/USD:USD`` the multi-collateral perpetual ``PF_XBTUSD`` (``/derivatives/api/v3``). Native
names come from the loaded ``AssetPairs``/``Assets``/``instruments``. Spot and Futures have their
own `RestClient` (``self.rest`` and ``self.futures_rest``: own limits, own signer; one HTTP
session, one clock, one error table). Futures keys are separate at Kraken: pass
``futures_api_key``/``futures_secret`` (default: the spot pair). The streams and the symbol
helpers live in `KrakenLive` (``live.py``), which this class extends with the REST side.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar, TypeVar, Unpack

import msgspec

from lotusx.core.capabilities import Capability
from lotusx.core.clock import wall_ms
from lotusx.core.connector import ConnectorOptions
from lotusx.core.errors import (
    BadSymbol,
    ConfigurationError,
    ExchangeError,
    ExchangeUnavailable,
    InvalidOrderError,
    InvalidParameter,
    NotSupportedError,
    OrderNotFound,
    OrderRejected,
    OrderStatusUnknown,
    PostOnlyWouldTake,
)
from lotusx.core.ratelimit import RateLimiter
from lotusx.core.retry import resolve_placement
from lotusx.core.transport.rest import BodyFormat, Endpoint, RestClient, plain_decimals
from lotusx.core.transport.signing import Credentials
from lotusx.core.transport.ws import WsSession
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
    SubAccount,
    Symbol,
    SymbolLike,
    SystemStatus,
    Ticker,
    TimeInForce,
    Trade,
    Transfer,
    TransferStatus,
    Withdrawal,
    as_symbol,
)

from . import endpoints as ep
from . import wire as w
from .endpoints import MAINNET, TESTNET, Venue
from .errors import FUTURES_OK, InvalidNonce, check_reply, error_table, order_status_error
from .live import KrakenLive
from .signer import FuturesSigner, SpotSigner

__all__ = ["KrakenConnector", "new_client_order_id"]

T = TypeVar("T")
_NONCE_TRIES = 3
_WALLETS = ("spot", "futures")
_TIF_MEMO = 10_000
# orders/status answers for orders open or closed in the last 5 seconds (Kraken Futures docs);
# a lookup later than this after the send cannot conclude from it that an order is absent.
_STATUS_WINDOW_MS = 4_000
# A placement being resolved counts spot orders opened from this long before its send on
# (Kraken's clock against ours): older orders sharing the cl_ord_id are someone else's.
_CLOCK_SLACK_MS = 60_000


def new_client_order_id() -> str:
    """A UUID: a ``cl_ord_id`` on spot and a ``cliOrdId`` on Futures."""
    return str(uuid.uuid4())


class KrakenConnector(KrakenLive):
    """Kraken Spot + Kraken Futures (multi-collateral linear perpetuals)."""

    name = "kraken"
    mainnet_urls = MAINNET
    testnet_urls = TESTNET
    emulated: ClassVar[Mapping[Capability, str]] = {
        Capability.AMEND_ORDER: (
            "futures quantity changes read the order first (editorder's size is the open size); "
            "price changes and spot: one request"
        ),
        Capability.CANCEL_ALL: "spot: OpenOrders, then CancelOrderBatch of the pair's orders",
    }

    def __init__(
        self,
        *,
        futures_api_key: str | None = None,
        futures_secret: str | None = None,
        tier: str = "starter",
        **options: Unpack[ConnectorOptions],
    ) -> None:
        if tier not in ep.TIERS:
            raise ConfigurationError(f"kraken tier must be one of {sorted(ep.TIERS)}, not {tier!r}")
        self._tier = tier
        super().__init__(**options)
        self.futures_credentials = self._futures_credentials(futures_api_key, futures_secret)
        self.futures_rest = self.rest.sibling(limiter=RateLimiter(self.name, ep.futures_quotas()))
        self._futures_signer: FuturesSigner | None = None
        if self.futures_credentials is not None:
            self._futures_signer = FuturesSigner(self.futures_credentials)
        self.futures_rest.signer = self._futures_signer
        self._assets: dict[str, str] = {}  # Kraken asset key or altname -> unified name
        self._spot_names: dict[str, Instrument] = {}  # pair key, altname, v2 symbol
        self._futures_wires: dict[str, w.FInstrumentWire] = {}
        self._ws: dict[str, WsSession] = {}
        self._tif: dict[str, TimeInForce] = {}  # spot txid -> time in force we asked for
        self._decoders: dict[Any, msgspec.json.Decoder[Any]] = {}

    # ------------------------------------------------------------------ plumbing

    def _futures_credentials(self, key: str | None, secret: str | None) -> Credentials | None:
        prefix = f"LOTUSX_KRAKEN_{'TESTNET_' if self.testnet else ''}FUTURES_"
        key = key or os.environ.get(prefix + "API_KEY")
        secret = secret or os.environ.get(prefix + "SECRET")
        if key or secret:
            if not key or not secret:
                raise ConfigurationError("kraken: futures_api_key and futures_secret go together")
            return Credentials(key, secret)
        return self.credentials

    def _build_rest(self) -> RestClient:
        signer = SpotSigner(self.credentials) if self.credentials is not None else None
        return RestClient(
            self.name,
            self.urls,
            errors=error_table(),
            signer=signer,
            limiter=RateLimiter(self.name, ep.spot_quotas(self._tier)),
            clock=self.clock,
            reply_check=check_reply,
            timeout=self.timeout,
            default_headers={"User-Agent": "lotusx-connector-kraken/0.1"},
        )

    def _decode(self, raw: bytes, kind: type[T]) -> T:
        decoder = self._decoders.get(kind)
        if decoder is None:
            decoder = self._decoders[kind] = msgspec.json.Decoder(kind)
        result: T = decoder.decode(raw)
        return result

    async def _send(
        self,
        client: RestClient,
        endpoint: Endpoint,
        params: Mapping[str, object] | None,
        costs: Mapping[str, int] | None,
    ) -> bytes:
        """One call, re-signed and re-sent when Kraken refused its nonce (nothing was done)."""
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        for attempt in range(_NONCE_TRIES):
            try:
                if endpoint.body is BodyFormat.QUERY:
                    raw = await client.request(endpoint, msgspec.Raw, params=clean, costs=costs)
                else:
                    body = clean if endpoint.signed or clean else None
                    raw = await client.request(endpoint, msgspec.Raw, body=body, costs=costs)
                return bytes(raw)
            except InvalidNonce:
                if attempt == _NONCE_TRIES - 1:
                    raise
        raise AssertionError("unreachable")

    async def _spot(
        self,
        endpoint: Endpoint,
        kind: type[T],
        params: Mapping[str, object] | None = None,
        *,
        costs: Mapping[str, int] | None = None,
    ) -> T:
        self._need_spot(endpoint.name)
        raw = await self._send(self.rest, endpoint, params, costs)
        try:
            return w.decode_result(raw, kind)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise self.rest.errors.unexpected(
                endpoint.name, f"malformed response: {exc}", raw
            ) from exc

    async def _fut(
        self,
        endpoint: Endpoint,
        kind: type[T],
        params: Mapping[str, object] | None = None,
        *,
        costs: Mapping[str, int] | None = None,
    ) -> T:
        raw = await self._send(self.futures_rest, endpoint, params, costs)
        try:
            return self._decode(raw, kind)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise self.futures_rest.errors.unexpected(
                endpoint.name, f"malformed response: {exc}", raw
            ) from exc

    async def _ws_token(self) -> str:
        return (await self._spot(ep.WS_TOKEN, w.TokenWire)).token

    async def close(self) -> None:
        sessions = list(self._ws.values())
        self._ws.clear()
        for session in sessions:
            await session.close()
        await self.rest.close()

    # ------------------------------------------------------------------ market data

    async def get_instruments(self, kind: MarketKind | None = None) -> list[Instrument]:
        found: list[Instrument] = []
        if kind in (None, MarketKind.SPOT) and self.urls.get("spot_rest"):
            found.extend(await self._spot_instruments())
        if kind in (None, MarketKind.LINEAR):
            found.extend(await self._futures_instruments())
        return found

    async def _spot_instruments(self) -> list[Instrument]:
        assets, pairs = await asyncio.gather(
            self._spot(ep.ASSETS, dict[str, w.AssetWire]),
            self._spot(ep.ASSET_PAIRS, dict[str, w.AssetPairWire]),
        )
        self._assets = {}
        for key, asset in assets.items():
            self._assets[key] = self._assets[asset.altname] = w.unified_asset(asset.altname)
        out = []
        for key, pair in pairs.items():
            if key.endswith(".d"):
                continue  # dark-pool pairs
            sym = w.spot_symbol(pair, assets)
            if sym is None:
                continue
            inst = w.spot_instrument(key, pair, sym)
            for name in (key, pair.altname, str(sym), pair.wsname or ""):
                if name:
                    self._spot_names[name] = inst
            out.append(inst)
        return out

    async def _futures_instruments(self) -> list[Instrument]:
        answer = await self._fut(ep.F_INSTRUMENTS, w.FInstrumentsWire)
        out = []
        for item in answer.instruments:
            if not w.is_linear_perpetual(item):
                continue
            sym = w.futures_symbol(item)
            if sym is None:
                continue
            self._futures_wires[item.symbol] = item
            out.append(w.futures_instrument(item, sym))
        return out

    async def get_orderbook(self, symbol: SymbolLike, depth: int = 100) -> OrderBook:
        inst, venue = await self._resolve(symbol)
        now = self.clock.now_ms()
        if venue is Venue.FUTURES:
            book = await self._fut(ep.F_ORDERBOOK, w.FOrderBookWire, {"symbol": inst.native_id})
            return w.futures_orderbook(book, inst.symbol, depth, now)
        count = min(max(depth, 1), ep.DEPTH_MAX)
        pairs = await self._spot(
            ep.DEPTH, dict[str, w.DepthWire], {"pair": inst.native_id, "count": count}
        )
        return w.spot_orderbook(self._only(pairs, inst), inst.symbol, depth, now)

    @staticmethod
    def _only(result: Mapping[str, T], inst: Instrument) -> T:
        """The one pair's entry of a result keyed by Kraken's pair name."""
        values = [v for k, v in result.items() if k != "last"]
        if len(values) != 1:
            raise w.unexpected(f"expected one entry for {inst.native_id}, got {len(values)}")
        return values[0]

    async def get_trades(self, symbol: SymbolLike, limit: int = 100) -> list[Trade]:
        inst, venue = await self._resolve(symbol)
        if venue is Venue.FUTURES:
            answer = await self._fut(ep.F_HISTORY, w.FHistoryWire, {"symbol": inst.native_id})
            trades = [w.futures_trade(t, inst.symbol) for t in answer.history if t.type == "fill"]
            trades.sort(key=lambda t: t.timestamp)
            return trades[-limit:]
        params = {"pair": inst.native_id, "count": min(max(limit, 1), 1000)}
        result = await self._spot(ep.TRADES, dict[str, list[w.SpotTradeRow] | str], params)
        rows = [v for k, v in result.items() if k != "last" and isinstance(v, list)]
        if len(rows) != 1:
            raise w.unexpected(f"Trades: expected one pair in the answer, got {len(rows)}")
        return [w.spot_trade(r, inst.symbol) for r in rows[0][-limit:]]

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
        if venue is Venue.FUTURES:
            return await self._futures_candles(inst, interval, start, end, limit)
        minutes = ep.OHLC_INTERVALS.get(interval)
        if minutes is None:
            raise InvalidOrderError(
                str(inst.symbol), "interval", f"{interval!r} not in {sorted(ep.OHLC_INTERVALS)}"
            )
        params = {"pair": inst.native_id, "interval": minutes, "since": start and start // 1000}
        result = await self._spot(ep.OHLC, dict[str, list[w.OhlcRow] | int], params)
        rows = [v for k, v in result.items() if k != "last" and isinstance(v, list)]
        if len(rows) != 1:
            raise w.unexpected(f"OHLC: expected one pair in the answer, got {len(rows)}")
        now = self.clock.now_ms()
        candles = [w.spot_candle(r, inst.symbol, interval, minutes * 60_000, now) for r in rows[0]]
        if end is not None:
            candles = [c for c in candles if c.open_time <= end]
        return candles[-limit:]

    async def _futures_candles(
        self, inst: Instrument, interval: str, start: int | None, end: int | None, limit: int
    ) -> list[Candle]:
        """Kraken Futures Charts API (``trade`` candles); ``from``/``to`` in seconds."""
        span = ep.CHART_MS.get(interval)
        if span is None:
            raise InvalidOrderError(
                str(inst.symbol), "interval", f"{interval!r} not in {list(ep.CHART_RESOLUTIONS)}"
            )
        params = {"from": start and start // 1000, "to": end and end // 1000}
        answer = await self._fut(ep.chart(inst.native_id, interval), w.FCandlesWire, params)
        now = self.clock.now_ms()
        candles = [w.futures_candle(c, inst.symbol, interval, span, now) for c in answer.candles]
        candles.sort(key=lambda c: c.open_time)
        return candles[-limit:]

    async def get_ticker(self, symbol: SymbolLike) -> Ticker:
        inst, venue = await self._resolve(symbol)
        now = self.clock.now_ms()
        if venue is Venue.FUTURES:
            return w.futures_ticker(await self._futures_ticker(inst), inst.symbol, now)
        result = await self._spot(ep.TICKER, dict[str, w.TickerWire], {"pair": inst.native_id})
        return w.spot_ticker(self._only(result, inst), inst.symbol, now)

    async def _futures_ticker(self, inst: Instrument) -> w.FTickerWire:
        answer = await self._fut(ep.F_TICKERS, w.FTickersWire)
        for ticker in answer.tickers:
            if ticker.symbol.upper() == inst.native_id.upper():
                return ticker
        raise BadSymbol(
            f"no ticker for {inst.native_id}", exchange=self.name, endpoint=ep.F_TICKERS.name
        )

    async def _perp_ticker(self, symbol: SymbolLike, capability: Capability) -> w.FTickerWire:
        sym = as_symbol(symbol)
        self._only_futures(sym, capability, "only perpetuals have mark/index prices and funding")
        return await self._futures_ticker(await self.instrument(sym))

    async def get_mark_price(self, symbol: SymbolLike) -> MarkPrice:
        ticker = await self._perp_ticker(symbol, Capability.GET_MARK_PRICE)
        if ticker.markPrice is None:
            raise w.unexpected(f"ticker {ticker.symbol} has no markPrice")
        return MarkPrice(
            as_symbol(symbol), ticker.markPrice, ticker.indexPrice, self._ticker_ms(ticker)
        )

    def _ticker_ms(self, ticker: w.FTickerWire) -> int:
        return w.iso_to_ms(ticker.lastTime) if ticker.lastTime else self.clock.now_ms()

    async def get_index_price(self, symbol: SymbolLike) -> IndexPrice:
        ticker = await self._perp_ticker(symbol, Capability.GET_INDEX_PRICE)
        if ticker.indexPrice is None:
            raise w.unexpected(f"ticker {ticker.symbol} has no indexPrice")
        return IndexPrice(as_symbol(symbol), ticker.indexPrice, self._ticker_ms(ticker))

    async def get_funding_rate(self, symbol: SymbolLike) -> FundingRate:
        """The current hourly rate as a fraction: the ticker's absolute ``fundingRate`` (quote
        per contract) divided by its ``indexPrice``; ``fundingRatePrediction`` is next hour's."""
        ticker = await self._perp_ticker(symbol, Capability.GET_FUNDING_RATE)
        if ticker.fundingRate is None or not ticker.indexPrice:
            raise w.unexpected(f"ticker {ticker.symbol} has no fundingRate/indexPrice")
        now = self.clock.now_ms()
        hour = now - now % ep.FUNDING_INTERVAL_MS
        return FundingRate(
            as_symbol(symbol),
            ticker.fundingRate / ticker.indexPrice,
            hour,
            hour + ep.FUNDING_INTERVAL_MS,
        )

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
        answer = await self._fut(ep.F_FUNDING, w.FFundingRatesWire, {"symbol": inst.native_id})
        rates = [w.futures_funding(r, sym) for r in answer.rates]
        rates = [
            r
            for r in rates
            if (start is None or r.funding_time >= start) and (end is None or r.funding_time <= end)
        ]
        rates.sort(key=lambda r: r.funding_time)
        return rates[-limit:]

    # ------------------------------------------------------------------ trading: spot

    def _spot_order_params(
        self, request: OrderRequest, inst: Instrument, client_id: str
    ) -> dict[str, object]:
        params: dict[str, object] = {
            "ordertype": request.type.value,
            "type": request.side.value,
            "volume": request.quantity,
            "pair": inst.native_id,
            "price": request.price,
            "cl_ord_id": client_id,
        }
        tif = request.time_in_force
        if tif is TimeInForce.POST_ONLY:
            params["oflags"] = "post"
        elif tif in (TimeInForce.IOC, TimeInForce.FOK):
            params["timeinforce"] = tif.value.upper()
        return params

    async def _query_spot(self, txids: Sequence[str]) -> dict[str, w.SpotOrderWire]:
        if not txids:
            return {}
        return await self._spot(
            ep.QUERY_ORDERS, dict[str, w.SpotOrderWire], {"txid": ",".join(txids)}
        )

    async def _query_known(self, txids: Sequence[str]) -> dict[str, w.SpotOrderWire]:
        """`_query_spot` for ids that may include unknown ones (Kraken then refuses the whole
        query): one by one after such a refusal, leaving the unknown ones out."""
        try:
            return await self._query_spot(txids)
        except (OrderNotFound, InvalidParameter):
            found: dict[str, w.SpotOrderWire] = {}
            for txid in txids:
                with contextlib.suppress(OrderNotFound, InvalidParameter):
                    found.update(await self._query_spot([txid]))
            return found

    def _spot_order(
        self, txid: str, wire: w.SpotOrderWire, time_in_force: TimeInForce | None = None
    ) -> Order | None:
        """``time_in_force``: the one asked for, where this connector has not remembered it."""
        sym = self._spot_symbol(wire.descr.pair)
        tif = self._tif.get(txid) or time_in_force
        return None if sym is None else w.spot_order(txid, wire, sym, tif)

    async def _spot_get(self, inst: Instrument, txid: str) -> Order:
        orders = await self._query_spot([txid])
        wire = orders.get(txid)
        order = None if wire is None else self._spot_order(txid, wire)
        if order is None or order.symbol != inst.symbol:
            raise OrderNotFound(
                f"no order {txid} on {inst.symbol}", exchange=self.name, endpoint="QueryOrders"
            )
        return order

    async def _spot_by_client_id(
        self, inst: Instrument, client_id: str, since_ms: int | None = None
    ) -> Order:
        """The order with ``cl_ord_id`` (open first, then closed). Kraken keeps a ``cl_ord_id``
        unique among open orders only, so closed orders may share it: the newest one wins, and
        with ``since_ms`` (a placement being resolved) orders opened before it do not count."""
        return (await self._spot_client_match(inst, client_id, since_ms))[0]

    async def _spot_client_match(
        self,
        inst: Instrument,
        client_id: str,
        since_ms: int | None,
        time_in_force: TimeInForce | None = None,
    ) -> tuple[Order, w.SpotOrderWire]:
        for endpoint in (ep.OPEN_ORDERS, ep.CLOSED_ORDERS):
            params: dict[str, object] = {"cl_ord_id": client_id}
            if endpoint is ep.OPEN_ORDERS:
                found = (await self._spot(endpoint, w.OpenOrdersWire, params)).open
            else:
                if since_ms is not None:
                    params["start"] = since_ms // 1000 - 1  # whole seconds, exclusive
                found = (await self._spot(endpoint, w.ClosedOrdersWire, params)).closed
            matches = []
            for txid, wire in found.items():
                order = self._spot_order(txid, wire, time_in_force)
                if (
                    order is not None
                    and order.client_order_id == client_id
                    and order.symbol == inst.symbol
                    and (since_ms is None or order.created_at >= since_ms)
                ):
                    matches.append((order, wire))
            if matches:
                return max(matches, key=lambda m: m[0].created_at)
        raise OrderNotFound(
            f"no order with cl_ord_id {client_id} on {inst.symbol}",
            exchange=self.name,
            endpoint="OpenOrders/ClosedOrders",
        )

    async def _spot_placed_found(
        self, inst: Instrument, request: OrderRequest, since_ms: int
    ) -> Order:
        """A placement whose answer was lost, found by its ``cl_ord_id`` (the venue's read of
        it: a post-only order Kraken canceled for taking is `PostOnlyWouldTake`)."""
        order, wire = await self._spot_client_match(
            inst, request.client_order_id or "", since_ms, request.time_in_force
        )
        if (
            request.time_in_force is TimeInForce.POST_ONLY
            and order.status is OrderStatus.CANCELED
            and "post" in (wire.reason or "").lower()
        ):
            raise PostOnlyWouldTake(
                wire.reason or "post-only order would take",
                exchange=self.name,
                endpoint=ep.ADD_ORDER.name,
                code="EOrder:Post only order",
            )
        return order

    def _remember_tif(self, txid: str, tif: TimeInForce) -> None:
        if tif in (TimeInForce.IOC, TimeInForce.FOK):  # not readable back from the order
            if len(self._tif) >= _TIF_MEMO:
                del self._tif[next(iter(self._tif))]
            self._tif[txid] = tif

    async def _acknowledged_item(self, item: Order | ExchangeError) -> Order | ExchangeError:
        """A batch item through `_acknowledged` (an error item stays as it is)."""
        if isinstance(item, ExchangeError):
            return item
        try:
            return await self._acknowledged(item)
        except ExchangeError as exc:
            return exc

    async def _place_spot(self, inst: Instrument, request: OrderRequest) -> Order:
        """One ``AddOrder``: the order is the request with Kraken's txid, ACCEPTED (a lost
        answer: the order as read by its ``cl_ord_id``)."""
        client_id = request.client_order_id or new_client_order_id()
        placed = msgspec.structs.replace(request, client_order_id=client_id)
        params = self._spot_order_params(placed, inst, client_id)

        async def place() -> Order:
            answer = await self._spot(ep.ADD_ORDER, w.AddOrderWire, params)
            return w.spot_accepted(answer, placed, self.clock.now_ms())

        since_ms = self.clock.now_ms() - _CLOCK_SLACK_MS

        async def lookup() -> Order:
            return await self._spot_placed_found(inst, placed, since_ms)

        order = await resolve_placement(
            place, lookup, exchange=self.name, endpoint=ep.ADD_ORDER.name, client_order_id=client_id
        )
        self._remember_tif(order.order_id, request.time_in_force)
        return await self._acknowledged(order)

    # ------------------------------------------------------------------ trading: futures

    def _futures_order_params(
        self, request: OrderRequest, inst: Instrument, client_id: str
    ) -> dict[str, object]:
        tif = request.time_in_force
        if tif is TimeInForce.FOK:
            raise InvalidOrderError(
                str(inst.symbol), "time_in_force", "Kraken Futures has no fill-or-kill orders"
            )
        if request.type is OrderType.MARKET:
            order_type = "mkt"
        else:
            order_type = {TimeInForce.POST_ONLY: "post", TimeInForce.IOC: "ioc"}.get(tif, "lmt")
        return {
            "orderType": order_type,
            "symbol": inst.native_id,
            "side": request.side.value,
            "size": request.quantity / inst.contract_size,
            "limitPrice": request.price,
            "cliOrdId": client_id,
            "reduceOnly": True if request.reduce_only else None,
        }

    def _futures_result(self, status: w.FStatusWire, sym: Symbol, endpoint: str) -> Order | None:
        if status.status not in FUTURES_OK:
            raise order_status_error(status.status, endpoint)
        return w.futures_order_from_events(status, sym)

    async def _place_futures(self, inst: Instrument, request: OrderRequest) -> Order:
        """One ``sendorder``: the order as its ``orderEvents`` leave it (fills included), else
        the request with Kraken's order id (a lost answer: `_futures_lookup`)."""
        client_id = request.client_order_id or new_client_order_id()
        params = self._futures_order_params(request, inst, client_id)

        async def place() -> Order:
            answer = await self._fut(ep.F_SEND_ORDER, w.FSendWire, params)
            status = answer.sendStatus
            order = self._futures_result(status, inst.symbol, ep.F_SEND_ORDER.name)
            return order or w.futures_accepted(status, request, client_id, self.clock.now_ms())

        sent_ms = self.clock.now_ms()

        async def lookup() -> Order:
            return await self._futures_lookup(inst, request, client_id, sent_ms)

        order = await resolve_placement(
            place,
            lookup,
            exchange=self.name,
            endpoint=ep.F_SEND_ORDER.name,
            client_order_id=client_id,
        )
        return await self._acknowledged(order)

    async def _futures_lookup(
        self, inst: Instrument, request: OrderRequest, client_id: str, sent_ms: int
    ) -> Order:
        """Where a futures placement whose reply was lost went. ``openorders`` and
        ``orders/status`` (open orders, and those closed in the last 5 seconds only), then the
        account's latest fills by ``cliOrdId``. An order found nowhere is absent only while
        ``orders/status`` still covers everything since the send; later, an order that filled
        or expired before the window would be missed: `OrderStatusUnknown`, never absent."""
        with contextlib.suppress(OrderNotFound):
            return await self.get_order(inst.symbol, client_order_id=client_id)
        answer = await self._fut(ep.F_FILLS, w.FFillsWire)
        checked_ms = self.clock.now_ms()
        mine = [
            f
            for f in answer.fills
            if f.cliOrdId == client_id and f.symbol.upper() == inst.native_id.upper()
        ]
        if mine:
            return self._futures_order_from_fills(inst, request, client_id, mine)
        if checked_ms - sent_ms < _STATUS_WINDOW_MS:
            raise OrderNotFound(
                f"no order with cliOrdId {client_id} on {inst.symbol}",
                exchange=self.name,
                endpoint=ep.F_ORDER_STATUS.name,
            )
        raise OrderStatusUnknown(
            f"cliOrdId {client_id} is neither open, closed in the last seconds nor in the latest "
            "fills; it may have filled or expired earlier",
            exchange=self.name,
            endpoint=ep.F_SEND_ORDER.name,
            client_order_id=client_id,
        )

    def _futures_order_from_fills(
        self, inst: Instrument, request: OrderRequest, client_id: str, fills: list[w.FFillWire]
    ) -> Order:
        """A closed futures order rebuilt from the request and its fills (it is not open)."""
        filled = sum((f.size for f in fills), Decimal(0)) * inst.contract_size
        cost = sum((f.size * f.price for f in fills), Decimal(0)) * inst.contract_size
        times = [w.iso_to_ms(f.fillTime) for f in fills]
        if filled >= request.quantity:
            status = OrderStatus.FILLED
        elif request.type is OrderType.MARKET or request.time_in_force is TimeInForce.IOC:
            status = OrderStatus.EXPIRED
        else:
            status = OrderStatus.CANCELED
        return Order(
            symbol=inst.symbol,
            order_id=fills[0].order_id,
            client_order_id=client_id,
            side=request.side,
            type=request.type,
            time_in_force=request.time_in_force,
            quantity=request.quantity,
            price=request.price,
            filled_quantity=filled,
            average_price=cost / filled if filled else None,
            status=status,
            reduce_only=request.reduce_only,
            created_at=min(times),
            updated_at=max(times),
        )

    # ------------------------------------------------------------------ trading: capabilities

    async def place_order(self, request: OrderRequest) -> Order:
        inst, venue = await self._resolve(request.symbol)
        self._will_trade(inst, request)
        if venue is Venue.SPOT:
            return await self._place_spot(inst, request)
        return await self._place_futures(inst, request)

    async def place_batch_orders(
        self, requests: Sequence[OrderRequest]
    ) -> list[Order | ExchangeError]:
        """Spot: ``AddOrderBatch`` per pair in chunks of 15 (a single order: ``AddOrder``).
        Futures: ``batchorder``. Everything is validated before anything is sent."""
        resolved = [await self._resolve(r.symbol) for r in requests]
        for (inst, _), request in zip(resolved, requests, strict=True):
            self._will_trade(inst, request)
            if inst.kind is MarketKind.LINEAR:
                self._futures_order_params(request, inst, "check")
        results: list[Order | ExchangeError | None] = [None] * len(requests)
        groups: dict[tuple[Venue, str], list[int]] = {}
        for i, (inst, venue) in enumerate(resolved):
            groups.setdefault((venue, inst.native_id), []).append(i)
        jobs = []
        for (venue, _), indices in groups.items():
            size = ep.BATCH_MAX if venue is Venue.SPOT else ep.F_BATCH_MAX
            for start in range(0, len(indices), size):
                chunk = indices[start : start + size]
                jobs.append(
                    self._batch_chunk(
                        venue,
                        [resolved[i][0] for i in chunk],
                        [requests[i] for i in chunk],
                        chunk,
                        results,
                    )
                )
        await asyncio.gather(*jobs)
        return [r for r in results if r is not None]

    async def _batch_chunk(
        self,
        venue: Venue,
        insts: list[Instrument],
        requests: list[OrderRequest],
        indices: list[int],
        results: list[Order | ExchangeError | None],
    ) -> None:
        ids = [r.client_order_id or new_client_order_id() for r in requests]
        requests = [
            msgspec.structs.replace(r, client_order_id=c)
            for r, c in zip(requests, ids, strict=True)
        ]
        try:
            if venue is Venue.SPOT and len(requests) == 1:
                found: list[Order | ExchangeError] = [await self._place_spot(insts[0], requests[0])]
            elif venue is Venue.SPOT:
                found = await self._spot_batch(insts[0], requests)
            else:
                found = await self._futures_batch(insts, requests)
        except ExchangeError as exc:
            found = [exc] * len(requests)
        for i, item in zip(indices, found, strict=True):
            results[i] = item

    async def _spot_batch(
        self, inst: Instrument, requests: list[OrderRequest]
    ) -> list[Order | ExchangeError]:
        """One ``AddOrderBatch`` (``orders[]``: a txid or an error per item): each order is its
        request with its txid, ACCEPTED (a lost answer: each order read by its ``cl_ord_id``)."""
        orders = []
        for r in requests:
            params = self._spot_order_params(r, inst, r.client_order_id or "")
            del params["pair"]
            orders.append({k: v for k, v in params.items() if v is not None})
        body = {"orders": orders, "pair": inst.native_id}

        async def place() -> list[Order | ExchangeError]:
            answer = await self._spot(ep.ADD_ORDER_BATCH, w.AddOrderBatchWire, body)
            if len(answer.orders) != len(requests):
                raise w.unexpected(
                    f"AddOrderBatch answered {len(answer.orders)} items for {len(requests)}"
                )
            at_ms = self.clock.now_ms()
            return [
                self._spot_batch_item(item, r, at_ms)
                for item, r in zip(answer.orders, requests, strict=True)
            ]

        since_ms = self.clock.now_ms() - _CLOCK_SLACK_MS

        async def lookup() -> list[Order | ExchangeError]:
            found: list[Order | ExchangeError] = []
            for r in requests:
                try:
                    found.append(await self._spot_placed_found(inst, r, since_ms))
                except (OrderNotFound, PostOnlyWouldTake) as exc:
                    found.append(exc)
            if all(isinstance(f, OrderNotFound) for f in found):
                raise OrderNotFound(
                    "no order of the batch", exchange=self.name, endpoint=ep.ADD_ORDER_BATCH.name
                )
            return found

        items = await resolve_placement(
            place,
            lookup,
            exchange=self.name,
            endpoint=ep.ADD_ORDER_BATCH.name,
            client_order_id=",".join(r.client_order_id or "" for r in requests),
        )
        for item, request in zip(items, requests, strict=True):
            if isinstance(item, Order):
                self._remember_tif(item.order_id, request.time_in_force)
        return [await self._acknowledged_item(item) for item in items]

    def _spot_batch_item(
        self, item: w.BatchItemWire, request: OrderRequest, at_ms: int
    ) -> Order | ExchangeError:
        if item.error is not None:
            return self.rest.errors.build(item.error, item.error, ep.ADD_ORDER_BATCH.name)
        try:
            return w.spot_batch_accepted(item, request, at_ms)
        except ExchangeError as exc:
            return exc

    async def _futures_batch(
        self, insts: list[Instrument], requests: list[OrderRequest]
    ) -> list[Order | ExchangeError]:
        """One ``batchorder`` of sends: each item's ``sendStatus`` as `_place_futures` reads it."""
        instructions = []
        for tag, (inst, r) in enumerate(zip(insts, requests, strict=True)):
            params = self._futures_order_params(r, inst, r.client_order_id or "")
            item = {"order": "send", "order_tag": str(tag), **params}
            instructions.append({k: v for k, v in item.items() if v is not None})
        payload = _plain_json({"batchOrder": instructions}).decode()

        async def place() -> list[Order | ExchangeError]:
            answer = await self._fut(
                ep.F_BATCH, w.FBatchWire, {"json": payload}, costs=ep.batch_cost(len(instructions))
            )
            return self._batch_statuses(answer.batchStatus, insts, requests)

        sent_ms = self.clock.now_ms()

        async def lookup() -> list[Order | ExchangeError]:
            found: list[Order | ExchangeError] = []
            for inst, r in zip(insts, requests, strict=True):
                try:
                    found.append(
                        await self._futures_lookup(inst, r, r.client_order_id or "", sent_ms)
                    )
                except OrderNotFound as exc:
                    found.append(exc)
            if all(isinstance(f, OrderNotFound) for f in found):
                raise OrderNotFound(
                    "no order of the batch", exchange=self.name, endpoint=ep.F_BATCH.name
                )
            return found

        items = await resolve_placement(
            place,
            lookup,
            exchange=self.name,
            endpoint=ep.F_BATCH.name,
            client_order_id=",".join(r.client_order_id or "" for r in requests),
        )
        return [await self._acknowledged_item(item) for item in items]

    def _batch_statuses(
        self, statuses: list[w.FStatusWire], insts: list[Instrument], requests: list[OrderRequest]
    ) -> list[Order | ExchangeError]:
        by_tag = {s.order_tag: s for s in statuses if s.order_tag is not None}
        now = self.clock.now_ms()
        out: list[Order | ExchangeError] = []
        for tag, (inst, r) in enumerate(zip(insts, requests, strict=True)):
            status = by_tag.get(str(tag))
            if status is None:
                out.append(order_status_error("unknownError", ep.F_BATCH.name))
                continue
            try:
                order = self._futures_result(status, inst.symbol, ep.F_BATCH.name)
                out.append(order or w.futures_accepted(status, r, r.client_order_id or "", now))
            except ExchangeError as exc:
                out.append(exc)
        return out

    async def amend_order(self, request: AmendRequest) -> Order:
        """Spot ``AmendOrder`` (in place, priority kept where possible); Futures ``editorder``.
        ``quantity`` is the new total quantity, fills included. One request, by the ids given;
        the order returned is the known one amended (Futures: as the ``EDIT`` event shows it).

        A Futures quantity change reads the order first: ``editorder``'s ``size`` is the open
        size, so the filled part must be current, not as last known here."""
        inst, venue = await self._resolve(request.symbol)
        sym = inst.symbol
        if request.price is None and request.quantity is None:
            raise InvalidOrderError(str(sym), "amend", "give a price and/or a quantity")
        known = self.orders.find(sym, request.order_id, request.client_order_id)
        if venue is Venue.FUTURES and request.quantity is not None:
            known = self.orders.remember(
                await self.get_order(
                    sym, order_id=request.order_id, client_order_id=request.client_order_id
                )
            )
        if known is not None:
            self._check_amend(inst, known, request)
        order_id = request.order_id or (known.order_id if known is not None else None)
        client_id = None if order_id else request.client_order_id
        if venue is Venue.SPOT:
            params = {
                "txid": order_id,
                "cl_ord_id": client_id,
                "order_qty": request.quantity,
                "limit_price": request.price,
            }
            ack = await self._spot(ep.AMEND_ORDER, w.AmendWire, params)
            at_ms = self.clock.now_ms()
            current = known or await self._known_order(sym, order_id, client_id)
            return await self._acknowledged(w.spot_amended(ack, current, request, at_ms))
        size = None
        if request.quantity is not None:
            assert known is not None  # read above
            size = request.quantity - known.filled_quantity
        params_f = {
            "orderId": order_id,
            "cliOrdId": client_id,
            "size": size,
            "limitPrice": request.price,
        }
        answer = await self._fut(ep.F_EDIT_ORDER, w.FEditWire, params_f)
        status = answer.editStatus
        order = self._futures_result(status, sym, ep.F_EDIT_ORDER.name)
        if order is None:
            current = known or await self._known_order(sym, status.orderId or order_id, client_id)
            order = w.futures_amended(status, current, request, self.clock.now_ms())
        return await self._acknowledged(order)

    @staticmethod
    def _check_amend(inst: Instrument, current: Order, request: AmendRequest) -> None:
        price = request.price if request.price is not None else current.price
        quantity = request.quantity if request.quantity is not None else current.quantity
        if current.type is not OrderType.LIMIT or price is None:
            raise InvalidOrderError(str(inst.symbol), "type", "only limit orders can be amended")
        inst.check_order(OrderRequest(inst.symbol, current.side, OrderType.LIMIT, quantity, price))
        if request.quantity is not None and request.quantity <= current.filled_quantity:
            raise InvalidOrderError(
                str(inst.symbol),
                "quantity",
                f"{request.quantity} <= already filled {current.filled_quantity}",
            )

    def _not_a_txid(self, inst: Instrument, order_id: str, endpoint: str) -> OrderNotFound | None:
        """Kraken's cancels take an all-digit id for a ``userref`` (every order tagged with
        it); txids are never all digits, so such an id names no order and is not sent."""
        if not order_id.lstrip("-").isdigit():
            return None
        return OrderNotFound(
            f"no order {order_id} on {inst.symbol} (a Kraken txid is not a number; the cancel "
            "would take it for a userref)",
            exchange=self.name,
            endpoint=endpoint,
        )

    async def cancel_order(
        self,
        symbol: SymbolLike,
        *,
        order_id: str | None = None,
        client_order_id: str | None = None,
    ) -> Order:
        """Spot ``CancelOrder`` (by txid or ``cl_ord_id``), Futures ``cancelorder``: one
        request. The order returned is the known one canceled (Futures: as the ``CANCEL``
        event shows it); read after the cancel only for an order this connector never saw."""
        inst, venue = await self._resolve(symbol)
        sym = inst.symbol
        if order_id is None and client_order_id is None:
            raise InvalidOrderError(str(sym), "order_id", "give order_id or client_order_id")
        if venue is Venue.FUTURES:
            params = {"order_id": order_id, "cliOrdId": None if order_id else client_order_id}
            answer = await self._fut(ep.F_CANCEL_ORDER, w.FCancelWire, params)
            status = answer.cancelStatus
            order = self._futures_result(status, sym, ep.F_CANCEL_ORDER.name)
            if order is None:
                known = await self._known_order(
                    sym, status.order_id or order_id, None if order_id else client_order_id
                )
                order = w.futures_canceled(status, known, self.clock.now_ms())
            return await self._acknowledged(order)
        if order_id is not None:
            refused = self._not_a_txid(inst, order_id, ep.CANCEL_ORDER.name)
            if refused is not None:
                raise refused
        params_s = {"txid": order_id} if order_id else {"cl_ord_id": client_order_id}
        try:
            answer_spot = await self._spot(ep.CANCEL_ORDER, w.CancelWire, params_s)
        except OrderNotFound as exc:
            raise await self._spot_not_canceled(inst, order_id, client_order_id, exc) from exc
        at_ms = self.clock.now_ms()
        if not w.spot_cancel_took(answer_spot):
            nothing = OrderNotFound(
                f"no order {order_id or client_order_id} on {sym} (CancelOrder canceled nothing)",
                exchange=self.name,
                endpoint=ep.CANCEL_ORDER.name,
            )
            raise await self._spot_not_canceled(inst, order_id, client_order_id, nothing)
        known = await self._known_order(sym, order_id, None if order_id else client_order_id)
        return await self._acknowledged(w.spot_canceled(answer_spot, known, at_ms))

    async def _spot_not_canceled(
        self,
        inst: Instrument,
        order_id: str | None,
        client_order_id: str | None,
        refusal: OrderNotFound,
    ) -> ExchangeError:
        """Kraken canceled nothing: the order is read to say why. The error to raise: an order
        already closed is `OrderRejected` naming its state; an unknown one ``refusal``."""
        try:
            current = await self.get_order(
                inst.symbol, order_id=order_id, client_order_id=client_order_id
            )
        except OrderNotFound:
            return refusal
        state = "open" if current.status.is_open else current.status.value
        return OrderRejected(
            f"{current.order_id} was not canceled: it is {state}",
            exchange=self.name,
            endpoint=ep.CANCEL_ORDER.name,
        )

    async def cancel_batch(
        self, symbol: SymbolLike, order_ids: Sequence[str]
    ) -> list[Order | ExchangeError]:
        """Spot ``CancelOrderBatch`` (50 per call); Futures ``batchorder`` cancel items. One
        request per chunk; each order returned is the known one canceled."""
        inst, venue = await self._resolve(symbol)
        if venue is Venue.FUTURES:
            items = [{"order": "cancel", "order_id": i} for i in order_ids]
            payload = msgspec.json.encode({"batchOrder": items}).decode()
            answer = await self._fut(
                ep.F_BATCH, w.FBatchWire, {"json": payload}, costs=ep.batch_cost(len(items))
            )
            by_id = {s.order_id: s for s in answer.batchStatus}
            now = self.clock.now_ms()
            out: list[Order | ExchangeError] = []
            for order_id in order_ids:
                status = by_id.get(order_id)
                try:
                    if status is None:
                        raise order_status_error("notFound", ep.F_BATCH.name)
                    order = self._futures_result(status, inst.symbol, ep.F_BATCH.name)
                    if order is None:
                        known = await self._known_order(inst.symbol, order_id, None)
                        order = w.futures_canceled(status, known, now)
                except ExchangeError as exc:
                    out.append(exc)
                else:
                    out.append(await self._acknowledged_item(order))
            return out
        results: dict[str, Order | ExchangeError] = {}
        for order_id in order_ids:
            refused = self._not_a_txid(inst, order_id, ep.CANCEL_ORDER_BATCH.name)
            if refused is not None:
                results[order_id] = refused
        sendable = list(dict.fromkeys(i for i in order_ids if i not in results))
        for start in range(0, len(sendable), ep.CANCEL_BATCH_MAX):
            chunk = sendable[start : start + ep.CANCEL_BATCH_MAX]
            results.update(await self._spot_cancel_chunk(inst, chunk, retry=True))
        return [results[i] for i in order_ids]

    async def _spot_cancel_chunk(
        self, inst: Instrument, chunk: list[str], *, retry: bool
    ) -> dict[str, Order | ExchangeError]:
        """One ``CancelOrderBatch``. Kraken refuses the whole call for one unknown txid: then
        the txids are read, and the known ones sent again (the unknown ones: `OrderNotFound`).
        Fewer canceled than sent (some had closed): the orders are read as they now are."""
        try:
            answer = await self._spot(ep.CANCEL_ORDER_BATCH, w.CancelWire, {"orders": chunk})
        except (OrderNotFound, InvalidParameter):
            if not retry:
                raise
            held = await self._query_known(chunk)
            out: dict[str, Order | ExchangeError] = {
                i: self._not_held(inst, i) for i in chunk if i not in held
            }
            known = [i for i in chunk if i in held]
            if known:
                out.update(await self._spot_cancel_chunk(inst, known, retry=False))
            return out
        at_ms = self.clock.now_ms()
        if answer.count == len(chunk):
            found = {i: self.orders.find(inst.symbol, i) for i in chunk}
            missing = [i for i, o in found.items() if o is None]
            wires = await self._query_known(missing) if missing else {}
            out = {}
            for i in chunk:
                order = found[i]
                if order is None and i in wires:
                    order = self._spot_order(i, wires[i])
                if order is None:
                    out[i] = self._not_held(inst, i)
                else:
                    out[i] = await self._acknowledged_item(w.spot_canceled(answer, order, at_ms))
            return out
        wires = await self._query_known(chunk)
        out = {}
        for i in chunk:
            order = self._spot_order(i, wires[i]) if i in wires else None
            out[i] = (
                self._not_held(inst, i) if order is None else await self._acknowledged_item(order)
            )
        return out

    def _not_held(self, inst: Instrument, order_id: str) -> OrderNotFound:
        return OrderNotFound(
            f"no order {order_id} on {inst.symbol}",
            exchange=self.name,
            endpoint=ep.CANCEL_ORDER_BATCH.name,
        )

    async def cancel_all(self, symbol: SymbolLike) -> None:
        """Futures ``cancelallorders`` for the symbol. Spot ``CancelAll`` would cancel every
        pair's orders, so the pair's open orders are cancelled with ``CancelOrderBatch``."""
        inst, venue = await self._resolve(symbol)
        if venue is Venue.FUTURES:
            answer = await self._fut(ep.F_CANCEL_ALL, w.FCancelWire, {"symbol": inst.native_id})
            if answer.cancelStatus.status not in ("cancelled", "noOrdersToCancel"):
                raise order_status_error(answer.cancelStatus.status, ep.F_CANCEL_ALL.name)
            return
        open_now = await self._spot_open(inst)
        ids = [o.order_id for o in open_now]
        for start in range(0, len(ids), ep.CANCEL_BATCH_MAX):
            chunk = ids[start : start + ep.CANCEL_BATCH_MAX]
            if len(chunk) == 1:
                await self._spot(ep.CANCEL_ORDER, w.CancelWire, {"txid": chunk[0]})
            else:
                await self._spot(ep.CANCEL_ORDER_BATCH, w.CancelWire, {"orders": chunk})

    async def get_order(
        self,
        symbol: SymbolLike,
        *,
        order_id: str | None = None,
        client_order_id: str | None = None,
    ) -> Order:
        inst, venue = await self._resolve(symbol)
        if order_id is None and client_order_id is None:
            raise InvalidOrderError(
                str(inst.symbol), "order_id", "give order_id or client_order_id"
            )
        if venue is Venue.SPOT:
            if order_id is not None:
                return await self._spot_get(inst, order_id)
            assert client_order_id is not None
            return await self._spot_by_client_id(inst, client_order_id)
        for order in await self._futures_open(inst.native_id):
            if order_id is not None and order.order_id == order_id:
                return order
            if order_id is None and order.client_order_id == client_order_id:
                return order
        params = {"orderIds": order_id, "cliOrdIds": None if order_id else client_order_id}
        answer = await self._fut(ep.F_ORDER_STATUS, w.FOrderStatusWire, params)
        for item in answer.orders:
            if item.order.symbol.upper() == inst.native_id.upper():
                return w.futures_status_order(item, inst.symbol)
        raise OrderNotFound(
            f"no order {order_id or client_order_id} on {inst.symbol} (open, or closed in the "
            "last seconds)",
            exchange=self.name,
            endpoint=ep.F_ORDER_STATUS.name,
        )

    async def get_open_orders(self, symbol: SymbolLike | None = None) -> list[Order]:
        await self.load_instruments()
        if symbol is not None:
            inst, venue = await self._resolve(symbol)
            if venue is Venue.SPOT:
                return await self._spot_open(inst)
            return await self._futures_open(inst.native_id)
        jobs = [self._futures_open(None)]
        if self.urls.get("spot_rest"):
            jobs.append(self._spot_open(None))
        return [o for group in await asyncio.gather(*jobs) for o in group]

    async def _spot_open(self, inst: Instrument | None) -> list[Order]:
        answer = await self._spot(ep.OPEN_ORDERS, w.OpenOrdersWire)
        out = []
        for txid, wire in answer.open.items():
            order = self._spot_order(txid, wire)
            if order is not None and (inst is None or order.symbol == inst.symbol):
                out.append(order)
        out.sort(key=lambda o: o.created_at)
        return out

    async def _futures_open(self, native: str | None) -> list[Order]:
        answer = await self._fut(ep.F_OPEN_ORDERS, w.FOpenOrdersWire)
        out = []
        for item in answer.openOrders:
            if native is not None and item.symbol.upper() != native.upper():
                continue
            sym = self._futures_symbol(item.symbol)
            if sym is not None:
                out.append(w.futures_open_order(item, sym))
        out.sort(key=lambda o: o.created_at)
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
        if venue is Venue.FUTURES:
            answer = await self._fut(ep.F_FILLS, w.FFillsWire)
            fills = [
                w.futures_fill(f, inst.symbol)
                for f in answer.fills
                if f.symbol.upper() == inst.native_id.upper()
            ]
        else:
            params = {
                # Whole seconds (Kraken's start and end are integers; start is exclusive):
                # the window is widened to them, and cut to the millisecond below.
                "start": None if start is None else start // 1000 - 1,
                "end": None if end is None else -(-end // 1000),
            }
            trades = await self._spot_trades(inst, params, start, limit)
            txids = sorted({t.ordertxid for t in trades.values()})
            orders: dict[str, w.SpotOrderWire] = {}
            for first in range(0, len(txids), ep.QUERY_MAX):
                orders.update(await self._query_known(txids[first : first + ep.QUERY_MAX]))
            fills = []
            for txid, t in trades.items():
                order = orders.get(t.ordertxid)
                fee_asset = w.spot_fee_asset(inst.symbol, t.type, order.oflags if order else "")
                client_id = order.cl_ord_id if order else None
                fills.append(w.spot_fill(txid, t, inst.symbol, fee_asset, client_id))
        fills = [
            f
            for f in fills
            if (start is None or f.timestamp >= start) and (end is None or f.timestamp <= end)
        ]
        fills.sort(key=lambda f: f.timestamp)
        return fills[-limit:]

    async def _spot_trades(
        self, inst: Instrument, params: Mapping[str, object], start: int | None, limit: int
    ) -> dict[str, w.SpotTradeWire]:
        """The pair's trades from TradesHistory, newest first, page by page (``ofs``; Kraken
        answers 50 a page) until ``limit`` of them are in the window or no rows are left."""
        found: dict[str, w.SpotTradeWire] = {}
        offset = 0
        while True:
            page = await self._spot(
                ep.TRADES_HISTORY, w.TradesHistoryWire, {**params, "ofs": offset or None}
            )
            for txid, trade in page.trades.items():
                if self._spot_symbol(trade.pair) == inst.symbol:
                    found[txid] = trade
            offset += len(page.trades)
            in_window = sum(
                1 for t in found.values() if start is None or w.seconds_to_ms(t.time) >= start
            )
            if not page.trades or offset >= page.count or in_window >= limit:
                return found

    # ------------------------------------------------------------------ account

    async def get_balances(self, wallet: str | None = None) -> list[Balance]:
        """Wallets: ``spot`` (``BalanceEx``: free = balance - hold_trade) and ``futures`` (the
        multi-collateral ``flex`` account: free = available)."""
        if wallet not in (None, *_WALLETS):
            raise ConfigurationError(f"kraken wallets are 'spot' and 'futures', not {wallet!r}")
        out: list[Balance] = []
        if wallet in (None, "spot") and self.urls.get("spot_rest"):
            await self._ensure_assets()
            rows = await self._spot(ep.BALANCE_EX, dict[str, w.BalanceExWire])
            for name, row in rows.items():
                hold = min(row.hold_trade, row.balance)
                out.append(Balance(self._asset(name), row.balance - hold, hold, "spot"))
        if wallet in (None, "futures"):
            out.extend(await self._futures_balances())
        return out

    async def _ensure_assets(self) -> None:
        if not self._assets:
            await self.load_instruments(reload=not self._spot_names)

    async def _futures_balances(self) -> list[Balance]:
        answer = await self._fut(ep.F_ACCOUNTS, w.FAccountsWire)
        flex = answer.accounts.get("flex")
        if flex is None:
            return []
        try:
            return w.flex_balances(self._decode(bytes(flex), w.FlexAccountWire))
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise w.unexpected(f"accounts.flex: {exc}") from exc

    async def get_positions(self, symbol: SymbolLike | None = None) -> list[Position]:
        await self.load_instruments()
        native = None
        if symbol is not None:
            sym = as_symbol(symbol)
            self._only_futures(sym, Capability.GET_POSITIONS, "spot has balances, not positions")
            native = (await self.instrument(sym)).native_id
        answer, leverages, tickers = await asyncio.gather(
            self._fut(ep.F_OPEN_POSITIONS, w.FPositionsWire),
            self._fut(ep.F_LEVERAGE_GET, w.FLeveragesWire),
            self._fut(ep.F_TICKERS, w.FTickersWire),
        )
        fixed = {p.symbol.upper(): p.maxLeverage for p in leverages.leveragePreferences}
        marks = {t.symbol.upper(): t.markPrice for t in tickers.tickers}
        now = self.clock.now_ms()
        out = []
        for row in answer.openPositions:
            key = row.symbol.upper()
            if native is not None and key != native.upper():
                continue
            found = self._futures_symbol(row.symbol)
            if found is not None and row.size:
                out.append(w.futures_position(row, found, fixed.get(key), marks.get(key), now))
        return out

    async def get_fee_rates(self, symbol: SymbolLike) -> FeeRate:
        """Spot ``TradeVolume`` (percent → fraction). Kraken retired the Futures fee schedules
        and gives no futures rate by instrument through this API: refused for futures."""
        inst, venue = await self._resolve(symbol)
        if venue is Venue.FUTURES:
            raise NotSupportedError(
                self.name, Capability.GET_FEE_RATES.value, "futures fee schedules are retired"
            )
        answer = await self._spot(ep.TRADE_VOLUME, w.TradeVolumeWire, {"pair": inst.native_id})
        taker = next(iter((answer.fees or {}).values()), None)
        maker = next(iter((answer.fees_maker or {}).values()), None)
        if taker is None:
            raise w.unexpected(f"TradeVolume has no fee for {inst.native_id}")
        hundred = Decimal(100)
        return FeeRate(
            inst.symbol,
            (maker or taker).fee / hundred,
            taker.fee / hundred,
        )

    async def get_leverage_brackets(self, symbol: SymbolLike) -> list[LeverageBracket]:
        sym = as_symbol(symbol)
        self._only_futures(sym, Capability.GET_LEVERAGE_BRACKETS, "spot has no leverage")
        inst = await self.instrument(sym)
        wire = self._futures_wires.get(inst.native_id)
        if wire is None:
            await self.load_instruments(reload=True)
            wire = self._futures_wires.get(inst.native_id)
        if wire is None or not wire.marginLevels:
            raise w.unexpected(f"no marginLevels for {inst.native_id}")
        return w.leverage_brackets(wire, sym)

    async def set_leverage(self, symbol: SymbolLike, leverage: int) -> Decimal:
        """``PUT leveragepreferences``: a maximum leverage makes the contract isolated."""
        sym = as_symbol(symbol)
        self._only_futures(sym, Capability.SET_LEVERAGE, "spot has no leverage")
        inst = await self.instrument(sym)
        params = {"symbol": inst.native_id, "maxLeverage": leverage}
        await self._fut(ep.F_LEVERAGE_SET, w.FuturesHead, params)
        return Decimal(leverage)

    async def get_subaccounts(self) -> list[SubAccount]:
        """Kraken Futures ``GET /subaccounts`` (master accounts; Kraken offers subaccounts to
        institutional clients): ``account_id`` is the ``accountUid``, ``name`` the email."""
        answer = await self._fut(ep.F_SUBACCOUNTS, w.FSubaccountsWire)
        return [
            SubAccount(s.accountUid, s.email or s.fullName or s.accountUid)
            for s in answer.subaccounts
        ]

    # ------------------------------------------------------------------ funds

    async def internal_transfer(
        self, asset: str, amount: Decimal, from_account: str, to_account: str
    ) -> Transfer:
        """``spot`` → ``futures``: ``WalletTransfer``; ``futures`` → ``spot``: the Futures
        ``withdrawal`` endpoint (to the spot wallet)."""
        pair = (from_account, to_account)
        now = self.clock.now_ms()
        if pair == ("spot", "futures"):
            params = {
                "asset": self._native_asset(asset),
                "from": "Spot Wallet",
                "to": "Futures Wallet",
                "amount": amount,
            }
            refid = (await self._spot(ep.WALLET_TRANSFER, w.RefIdWire, params)).refid
        elif pair == ("futures", "spot"):
            params_f = {"currency": self._native_asset(asset), "amount": amount}
            await self._fut(ep.F_WITHDRAWAL, w.FuturesHead, params_f)
            refid = ""
        else:
            raise ConfigurationError(
                f"kraken transfers go spot -> futures or futures -> spot, not {pair}"
            )
        return Transfer(
            refid,
            asset,
            amount,
            from_account,
            to_account,
            TransferStatus.PENDING if refid else TransferStatus.COMPLETED,
            now,
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
        """Kraken withdraws only to addresses registered on the account, each under a key name.
        ``address`` is looked up in ``WithdrawAddresses`` (by address, or by key name) and the
        withdrawal is sent to its key, with the address for Kraken to confirm; ``network`` and
        ``tag``, when given, must match the registered entry's method and tag."""
        native = self._native_asset(asset)
        entries = await self._spot(
            ep.WITHDRAW_ADDRESSES, list[w.WithdrawAddressWire], {"asset": native}
        )
        entry = next((e for e in entries if address in (e.address, e.key)), None)
        if entry is None:
            raise InvalidOrderError(
                asset, "address", f"{address!r} is not a registered {asset} withdrawal address"
            )
        if network is not None and entry.method and network.lower() not in entry.method.lower():
            raise InvalidOrderError(
                asset, "network", f"{address!r} is registered for {entry.method!r}, not {network!r}"
            )
        if tag is not None and tag not in (entry.tag, entry.memo):
            raise InvalidOrderError(asset, "tag", f"{address!r} is registered with another tag")
        params = {"asset": native, "key": entry.key, "address": entry.address, "amount": amount}
        answer = await self._spot(ep.WITHDRAW, w.RefIdWire, params)
        return Withdrawal(
            answer.refid,
            asset,
            amount,
            entry.address,
            entry.method or network,
            None,
            TransferStatus.PENDING,
            None,
            self.clock.now_ms(),
        )

    async def _funding(
        self, endpoint: Endpoint, asset: str | None, start: int | None, end: int | None
    ) -> list[w.FundingStatusWire]:
        await self._ensure_assets()
        params = {"asset": None if asset is None else self._native_asset(asset)}
        kind: Any = w.FundingStatusResult  # a union: msgspec decodes it, mypy cannot type it
        result: w.FundingStatusResult = await self._spot(endpoint, kind, params)
        rows = w.funding_rows(result)
        return [
            r
            for r in rows
            if (start is None or w.seconds_to_ms(r.time) >= start)
            and (end is None or w.seconds_to_ms(r.time) <= end)
        ]

    async def get_deposit_history(
        self,
        asset: str | None = None,
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int = 100,
    ) -> list[Deposit]:
        rows = await self._funding(ep.DEPOSIT_STATUS, asset, start, end)
        return [w.to_deposit(r, self._asset(r.asset)) for r in rows][-limit:]

    async def get_withdrawal_history(
        self,
        asset: str | None = None,
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int = 100,
    ) -> list[Withdrawal]:
        rows = await self._funding(ep.WITHDRAW_STATUS, asset, start, end)
        return [w.to_withdrawal(r, self._asset(r.asset)) for r in rows][-limit:]

    # ------------------------------------------------------------------ system

    async def sync_time(self) -> ServerTime:
        """Spot ``Time`` has whole seconds only; Futures answers carry ``serverTime`` in ms, so
        the clock is measured on the Futures ``tickers`` answer (round-trip midpoint)."""
        sent = wall_ms()
        answer = await self._fut(ep.F_TICKERS, w.FuturesHead)
        received = wall_ms()
        if answer.serverTime is None:
            raise w.unexpected("tickers answer without serverTime")
        server = w.iso_to_ms(answer.serverTime)
        sample = self.clock.observe(sent, server, received)
        if abs(sample.offset_ms - self.clock.offset_ms) > sample.round_trip_ms // 2 + 1:
            self.clock.reset()
            sample = self.clock.observe(sent, server, received)
        return ServerTime(server, sample.local_ms, self.clock.offset_ms, sample.round_trip_ms)

    async def get_system_status(self) -> SystemStatus:
        """Spot ``SystemStatus``: operational only when ``online`` (``cancel_only``,
        ``post_only``, ``maintenance`` are not)."""
        try:
            wire = await self._spot(ep.SYSTEM_STATUS, w.SystemStatusWire)
        except ExchangeUnavailable as exc:
            return SystemStatus(False, str(exc), self.clock.now_ms())
        stamp = w.iso_to_ms(wire.timestamp) if wire.timestamp else self.clock.now_ms()
        return SystemStatus(wire.status == "online", wire.status, stamp)

    async def get_rate_limits(self) -> list[RateLimitRule]:
        """The modelled quotas (see endpoints.py), with what this connector has used."""
        rules = []
        for client, prefix, scope in (
            (self.rest, "spot", "key"),
            (self.futures_rest, "futures", "key"),
        ):
            for quota in client.limiter.quotas:
                rules.append(
                    RateLimitRule(
                        kind=f"{prefix}:{quota.name}",
                        scope="ip" if quota.name == "public" else scope,
                        window_ms=quota.window_ms,
                        limit=quota.limit,
                        used=client.limiter.used(quota.name),
                    )
                )
        return rules


def _plain_json(value: object) -> bytes:
    """``batchorder`` JSON: sizes and prices are numbers, written without exponents."""
    return _JSON.encode(plain_decimals(value, numbers=True))


_JSON = msgspec.json.Encoder()
