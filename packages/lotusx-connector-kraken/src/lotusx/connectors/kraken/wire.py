"""Kraken payloads as msgspec structs, and their conversion to core types.

Spot sends money as JSON strings and times as seconds with a fraction, sometimes as a JSON
number (``1688671834.8918867``); Futures sends money as JSON numbers and times as ISO-8601 text.
Every such field is typed `Decimal` (msgspec decodes a JSON number's text exactly, never through
a float) and converted to integer milliseconds by truncation (`seconds_to_ms`, `iso_to_ms`).
Asset names follow Kraken's ``Assets`` table (``XXBT`` → altname ``XBT``) and then the widely
known names (``XBT`` → ``BTC``, ``XDG`` → ``DOGE``).
"""

# ruff: noqa: N815  (wire structs keep Kraken's field names, so they match its docs)

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any, Generic, TypeVar

import msgspec
from msgspec import Struct

from lotusx.core.book import levels_from_text
from lotusx.core.orders import accepted_order, amended_order, canceled_order
from lotusx.core.types import (
    AmendRequest,
    Balance,
    BookLevel,
    Candle,
    Deposit,
    Fill,
    FundingRate,
    Instrument,
    LeverageBracket,
    MarginMode,
    Order,
    OrderBook,
    OrderRequest,
    OrderStatus,
    OrderType,
    Position,
    PositionSide,
    Side,
    Symbol,
    Ticker,
    TimeInForce,
    Trade,
    TransferStatus,
    Withdrawal,
    plain,
)
from lotusx.core.wire import WireCheck

T = TypeVar("T")
ZERO = Decimal(0)
NULL_RAW = msgspec.Raw(b"null")
_CHECK = WireCheck("kraken")
unexpected = _CHECK.unexpected
_lookup = _CHECK.lookup

# Kraken's own asset names that differ from the widely known ones.
ASSET_ALIASES: Mapping[str, str] = {"XBT": "BTC", "XDG": "DOGE"}
_NATIVE_ASSET = {v: k for k, v in ASSET_ALIASES.items()}


def unified_asset(altname: str) -> str:
    """``XBT`` → ``BTC``; other altnames as they are (upper case)."""
    upper = altname.upper()
    return ASSET_ALIASES.get(upper, upper)


def native_asset(asset: str) -> str:
    """``BTC`` → ``XBT`` (the altname Kraken's requests take)."""
    return _NATIVE_ASSET.get(asset.upper(), asset.upper())


class Finite(Struct, kw_only=True):
    """Base of Kraken's payload structs: a decoded ``NaN``/``Infinity`` in any `Decimal` field
    (or list of them) fails decoding (msgspec reports it as a `ValidationError`)."""

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if isinstance(value, Decimal) and not value.is_finite():
                raise ValueError(f"{name}: {value} is not a finite number")
            if (
                isinstance(value, list)
                and value
                and isinstance(value[0], Decimal)
                and not all(v.is_finite() for v in value)
            ):
                raise ValueError(f"{name}: not all finite numbers")


# ----------------------------------------------------------------------------- time


def seconds_to_ms(value: Decimal | int) -> int:
    """Seconds (``1616492376.594``, exact text) → integer ms, truncated."""
    return int((Decimal(value) * 1000).to_integral_value(rounding=ROUND_DOWN))


def iso_to_ms(text: str) -> int:
    """``2020-07-22T13:37:27.077Z`` (any number of fraction digits) → integer ms, truncated;
    an `ExchangeError` for anything else."""
    stamp = text.strip()
    if stamp.endswith(("Z", "z")):
        stamp = stamp[:-1] + "+00:00"
    head, dot, rest = stamp.partition(".")
    fraction = ""
    if dot:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        fraction, tail = rest[:digits], rest[digits:]
        stamp = head + tail
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError as exc:
        raise unexpected(f"bad timestamp {text!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = int(moment.timestamp())
    millis = int((fraction + "000")[:3]) if fraction else 0
    return seconds * 1000 + millis


# ----------------------------------------------------------------------------- envelopes


class Envelope(Struct, Generic[T], kw_only=True):
    """Spot: ``{"error": [...], "result": ...}`` (errors were raised by the reply check)."""

    result: T
    error: list[str] = []


# ----------------------------------------------------------------------------- spot public


class ServerTimeWire(Finite, kw_only=True):
    unixtime: int
    rfc1123: str = ""


class SystemStatusWire(Finite, kw_only=True):
    status: str
    timestamp: str = ""


class AssetWire(Finite, kw_only=True):
    altname: str
    aclass: str = "currency"
    decimals: int = 8
    status: str = "enabled"


class AssetPairWire(Finite, kw_only=True):
    altname: str
    base: str
    quote: str
    wsname: str | None = None
    pair_decimals: int
    lot_decimals: int
    ordermin: Decimal | None = None
    costmin: Decimal | None = None
    tick_size: Decimal | None = None
    status: str = "online"


def _step(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def spot_symbol(pair: AssetPairWire, assets: Mapping[str, AssetWire]) -> Symbol | None:
    """The unified symbol of a pair, from the ``Assets`` table (``wsname`` when it lacks one)."""
    base_asset, quote_asset = assets.get(pair.base), assets.get(pair.quote)
    if base_asset is not None and quote_asset is not None:
        base, quote = base_asset.altname, quote_asset.altname
    elif pair.wsname and "/" in pair.wsname:
        base, _, quote = pair.wsname.partition("/")
    else:
        return None
    try:
        return Symbol.parse(f"{unified_asset(base)}/{unified_asset(quote)}")
    except ValueError:
        return None


def spot_instrument(key: str, pair: AssetPairWire, sym: Symbol) -> Instrument:
    """``native_id`` is the pair's key in ``AssetPairs`` (``XXBTZUSD``): requests accept it and
    results are keyed by it."""
    lot = _step(pair.lot_decimals)
    tick = pair.tick_size if pair.tick_size else _step(pair.pair_decimals)
    return Instrument(
        symbol=sym,
        native_id=key,
        tick_size=plain(tick),
        lot_size=plain(lot),
        min_quantity=plain(pair.ordermin) if pair.ordermin else plain(lot),
        min_notional=plain(pair.costmin) if pair.costmin else None,
        active=pair.status == "online",
    )


class DepthWire(Finite, kw_only=True):
    asks: list[tuple[str, str, int]]
    bids: list[tuple[str, str, int]]


def _levels(levels: list[tuple[str, str]], depth: int) -> tuple[BookLevel, ...]:
    """Validated levels (finite positive price, finite non-negative quantity) or a typed error."""
    try:
        return levels_from_text(levels, depth)
    except ValueError as exc:
        raise unexpected(f"bad book level: {exc}") from exc


def spot_orderbook(wire: DepthWire, sym: Symbol, depth: int, now_ms: int) -> OrderBook:
    stamps = [lv[2] for lv in (*wire.bids[:1], *wire.asks[:1])]
    return OrderBook(
        symbol=sym,
        bids=_levels([(p, q) for p, q, _ in wire.bids], depth),
        asks=_levels([(p, q) for p, q, _ in wire.asks], depth),
        sequence=0,
        timestamp=max(stamps) * 1000 if stamps else now_ms,
    )


SpotTradeRow = tuple[Decimal, Decimal, Decimal, str, str, str, int]
_SIDES = {"b": Side.BUY, "s": Side.SELL, "buy": Side.BUY, "sell": Side.SELL}


def spot_trade(row: SpotTradeRow, sym: Symbol) -> Trade:
    price, volume, when, side, _kind, _misc, trade_id = row
    return Trade(
        symbol=sym,
        trade_id=str(trade_id),
        price=price,
        quantity=volume,
        side=_lookup(_SIDES, side, "trade side"),
        timestamp=seconds_to_ms(when),
    )


OhlcRow = tuple[int, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal, int]


def spot_candle(row: OhlcRow, sym: Symbol, interval: str, interval_ms: int, now: int) -> Candle:
    start, o, h, low, c, _vwap, volume, _count = row
    return Candle(
        symbol=sym,
        interval=interval,
        open_time=start * 1000,
        open=o,
        high=h,
        low=low,
        close=c,
        volume=volume,
        closed=start * 1000 + interval_ms <= now,
    )


class TickerWire(Finite, kw_only=True):
    a: list[Decimal]
    b: list[Decimal]
    c: list[Decimal]
    v: list[Decimal]
    h: list[Decimal]
    low: list[Decimal] = msgspec.field(name="l")


def spot_ticker(wire: TickerWire, sym: Symbol, now_ms: int) -> Ticker:
    return Ticker(
        symbol=sym,
        last=wire.c[0] if wire.c else None,
        bid=wire.b[0] if wire.b else None,
        ask=wire.a[0] if wire.a else None,
        high_24h=wire.h[1] if len(wire.h) > 1 else None,
        low_24h=wire.low[1] if len(wire.low) > 1 else None,
        volume_24h=wire.v[1] if len(wire.v) > 1 else None,
        timestamp=now_ms,
    )


# ----------------------------------------------------------------------------- spot private


class OrderDescrWire(Finite, kw_only=True):
    pair: str
    type: str
    ordertype: str
    price: Decimal = ZERO
    order: str = ""


class SpotOrderWire(Finite, kw_only=True):
    status: str
    opentm: Decimal
    closetm: Decimal | None = None
    descr: OrderDescrWire
    vol: Decimal
    vol_exec: Decimal  # always given: a missing one is not "unfilled"
    cost: Decimal = ZERO
    fee: Decimal = ZERO
    price: Decimal = ZERO
    oflags: str = ""
    cl_ord_id: str | None = None
    userref: int | None = None
    reason: str | None = None
    timeinforce: str | None = None


_SPOT_TYPES = {"limit": OrderType.LIMIT, "market": OrderType.MARKET}
_SPOT_TIF = {"GTC": TimeInForce.GTC, "IOC": TimeInForce.IOC, "FOK": TimeInForce.FOK}


_NO_REST = (TimeInForce.IOC, TimeInForce.FOK)  # what remains of these is cancelled: expired


def _spot_status(wire: SpotOrderWire, tif: TimeInForce) -> OrderStatus:
    """Kraken reports the unfilled rest of an IOC/FOK order as ``canceled``: EXPIRED here, as
    the venue (not the user) ended it."""
    status = wire.status
    if status == "canceled" and tif in _NO_REST:
        return OrderStatus.EXPIRED
    if status in ("pending", "open"):
        return OrderStatus.PARTIALLY_FILLED if wire.vol_exec > 0 else OrderStatus.NEW
    if status == "closed":
        return OrderStatus.FILLED if wire.vol_exec >= wire.vol else OrderStatus.EXPIRED
    if status == "canceled":
        return OrderStatus.CANCELED
    if status == "expired":
        return OrderStatus.EXPIRED
    raise unexpected(f"unknown spot order status {status!r}")


def spot_order(
    txid: str, wire: SpotOrderWire, sym: Symbol, time_in_force: TimeInForce | None = None
) -> Order:
    flags = wire.oflags.split(",") if wire.oflags else []
    kind = _lookup(_SPOT_TYPES, wire.descr.ordertype, "spot order type")
    tif = time_in_force or TimeInForce.GTC
    if "post" in flags:
        tif = TimeInForce.POST_ONLY
    elif wire.timeinforce:
        tif = _lookup(_SPOT_TIF, wire.timeinforce.upper(), "time in force")
    opened = seconds_to_ms(wire.opentm)
    return Order(
        symbol=sym,
        order_id=txid,
        client_order_id=wire.cl_ord_id or None,
        side=_lookup(_SIDES, wire.descr.type, "order side"),
        type=kind,
        time_in_force=tif,
        quantity=_CHECK.positive(wire.vol, "order volume"),
        price=_CHECK.positive(wire.descr.price, "limit price") if kind is OrderType.LIMIT else None,
        filled_quantity=_CHECK.not_negative(wire.vol_exec, "executed volume"),
        average_price=wire.price if wire.vol_exec > 0 and wire.price > 0 else None,
        status=_spot_status(wire, tif),
        reduce_only=False,
        created_at=opened,
        updated_at=seconds_to_ms(wire.closetm) if wire.closetm else opened,
    )


class OpenOrdersWire(Finite, kw_only=True):
    open: dict[str, SpotOrderWire]


class ClosedOrdersWire(Finite, kw_only=True):
    closed: dict[str, SpotOrderWire]
    count: int = 0


class AddOrderWire(Finite, kw_only=True):
    txid: list[str]
    descr: msgspec.Raw = msgspec.Raw(b"null")


class BatchItemWire(Finite, kw_only=True):
    """An ``AddOrderBatch`` item: documented with a string ``txid``; a one-element list (as
    ``AddOrder`` answers) is accepted too."""

    txid: str | list[str] | None = None
    error: str | None = None

    @property
    def order_id(self) -> str | None:
        if isinstance(self.txid, list):
            return self.txid[0] if len(self.txid) == 1 else None
        return self.txid


class AddOrderBatchWire(Finite, kw_only=True):
    orders: list[BatchItemWire]


class CancelWire(Finite, kw_only=True):
    count: int
    pending: bool = False


class AmendWire(Finite, kw_only=True):
    amend_id: str


# Spot acknowledgements name the order, never its state after matching: the orders built from
# them are ACCEPTED (placements) or the known order with the change applied.


def spot_accepted(ack: AddOrderWire, request: OrderRequest, at_ms: int) -> Order:
    """The order an ``AddOrder`` answer (``txid[]`` + ``descr``) accepted: the request with
    Kraken's one txid, ACCEPTED (the answer tells no fill, nor an IOC/FOK or post-only end)."""
    if len(ack.txid) != 1 or not ack.txid[0]:
        raise unexpected(f"AddOrder answered {len(ack.txid)} txids for one order")
    return accepted_order(request, ack.txid[0], request.client_order_id, at_ms)


def spot_batch_accepted(item: BatchItemWire, request: OrderRequest, at_ms: int) -> Order:
    """One ``AddOrderBatch`` item that carries a txid (an item with ``error`` is refused)."""
    txid = item.order_id
    if not txid:
        raise unexpected(f"AddOrderBatch item without a txid or an error: {item.txid!r}")
    return accepted_order(request, txid, request.client_order_id, at_ms)


def spot_amended(ack: AmendWire, known: Order, request: AmendRequest, at_ms: int) -> Order:
    """``known`` with the amendment an ``AmendOrder`` answer (``amend_id``) accepted; the
    order keeps its txid (AmendOrder amends in place)."""
    if not ack.amend_id:
        raise unexpected("AmendOrder answered an empty amend_id")
    return amended_order(known, request, at_ms)


def spot_cancel_took(ack: CancelWire) -> bool:
    """Whether a ``CancelOrder``/``CancelOrderBatch`` answer canceled anything (``count``), or
    has it under way (``pending``)."""
    if ack.count < 0:
        raise unexpected(f"cancel answered count {ack.count}")
    return ack.count > 0 or ack.pending


def spot_canceled(ack: CancelWire, known: Order, at_ms: int) -> Order:
    """``known`` canceled, as a cancel answer that took says (fills as last known here)."""
    if not spot_cancel_took(ack):
        raise unexpected("cancel answered count 0: nothing was canceled")
    return canceled_order(known, at_ms)


class SpotTradeWire(Finite, kw_only=True):
    ordertxid: str
    pair: str
    time: Decimal
    type: str
    ordertype: str = ""
    price: Decimal
    cost: Decimal = ZERO
    fee: Decimal = ZERO
    vol: Decimal
    maker: bool | None = None
    trade_id: int | None = None


class TradesHistoryWire(Finite, kw_only=True):
    trades: dict[str, SpotTradeWire]
    count: int = 0


def spot_fee_asset(sym: Symbol, side: str, oflags: str) -> str:
    """The asset a spot fee is charged in: ``fcib`` base, ``fciq`` quote; without either,
    Kraken's defaults (base when selling, quote when buying). ``TradesHistory`` does not say."""
    flags = oflags.split(",") if oflags else []
    if "fcib" in flags:
        return sym.base
    if "fciq" in flags:
        return sym.quote
    return sym.base if side == "sell" else sym.quote


def spot_fill(
    txid: str, wire: SpotTradeWire, sym: Symbol, fee_asset: str, client_id: str | None = None
) -> Fill:
    return Fill(
        symbol=sym,
        order_id=wire.ordertxid,
        client_order_id=client_id or None,
        trade_id=txid,
        side=_lookup(_SIDES, wire.type, "trade side"),
        price=wire.price,
        quantity=wire.vol,
        fee=wire.fee,
        fee_asset=fee_asset,
        is_maker=bool(wire.maker),
        timestamp=seconds_to_ms(wire.time),
    )


class BalanceExWire(Finite, kw_only=True):
    balance: Decimal
    hold_trade: Decimal = ZERO


class FeeWire(Finite, kw_only=True):
    fee: Decimal


class TradeVolumeWire(Finite, kw_only=True):
    currency: str = ""
    fees: dict[str, FeeWire] | None = None
    fees_maker: dict[str, FeeWire] | None = None


class RefIdWire(Finite, kw_only=True):
    refid: str


class WithdrawAddressWire(Finite, kw_only=True):
    address: str
    asset: str = ""
    method: str = ""
    key: str
    tag: str | None = None
    memo: str | None = None
    verified: bool = True


class FundingStatusWire(Finite, kw_only=True):
    method: str = ""
    asset: str
    refid: str
    txid: str | None = None
    info: str | None = None
    amount: Decimal
    fee: Decimal | None = None
    time: Decimal
    status: str
    network: str | None = None


class FundingPageWire(Finite, kw_only=True):
    """Newer ``DepositStatus``/``WithdrawStatus`` answers: a page with a cursor."""

    deposit: list[FundingStatusWire] | None = None
    withdrawal: list[FundingStatusWire] | None = None
    next_cursor: str | bool | None = None


FundingStatusResult = list[FundingStatusWire] | FundingPageWire

_FUNDING_STATUS = {
    "Initial": TransferStatus.PENDING,
    "Pending": TransferStatus.PENDING,
    "Settled": TransferStatus.PROCESSING,
    "Success": TransferStatus.COMPLETED,
    "Failure": TransferStatus.FAILED,
    "Partial": TransferStatus.PROCESSING,
}


def funding_rows(result: FundingStatusResult) -> list[FundingStatusWire]:
    if isinstance(result, list):
        return result
    return [*(result.deposit or ()), *(result.withdrawal or ())]


def to_withdrawal(row: FundingStatusWire, asset: str) -> Withdrawal:
    return Withdrawal(
        withdrawal_id=row.refid,
        asset=asset,
        amount=row.amount,
        address=row.info or "",
        network=row.network or row.method or None,
        fee=row.fee,
        status=_lookup(_FUNDING_STATUS, row.status, "funding status"),
        tx_id=row.txid or None,
        timestamp=seconds_to_ms(row.time),
    )


def to_deposit(row: FundingStatusWire, asset: str) -> Deposit:
    return Deposit(
        deposit_id=row.refid,
        asset=asset,
        amount=row.amount,
        address=row.info or None,
        network=row.network or row.method or None,
        status=_lookup(_FUNDING_STATUS, row.status, "funding status"),
        tx_id=row.txid or None,
        timestamp=seconds_to_ms(row.time),
    )


class TokenWire(Finite, kw_only=True):
    token: str
    expires: int = 900


# ----------------------------------------------------------------------------- futures


class FuturesHead(Finite, kw_only=True):
    result: str = "success"
    serverTime: str | None = None


class MarginLevelWire(Finite, kw_only=True):
    initialMargin: Decimal
    maintenanceMargin: Decimal
    numNonContractUnits: Decimal | None = None
    contracts: Decimal | None = None


class FInstrumentWire(Finite, kw_only=True):
    symbol: str
    type: str = ""
    tradeable: bool = True
    tickSize: Decimal | None = None
    contractSize: Decimal = Decimal(1)
    contractValueTradePrecision: Decimal | None = None
    base: str | None = None
    quote: str | None = None
    marginLevels: list[MarginLevelWire] = []


class FInstrumentsWire(Finite, kw_only=True):
    instruments: list[FInstrumentWire]


def is_linear_perpetual(wire: FInstrumentWire) -> bool:
    """Multi-collateral linear perpetuals: type ``flexible_futures``, symbol ``PF_...``."""
    return wire.type == "flexible_futures" and wire.symbol.upper().startswith("PF_")


def futures_symbol(wire: FInstrumentWire) -> Symbol | None:
    if not wire.base or not wire.quote:
        return None
    quote = unified_asset(wire.quote)
    try:
        return Symbol.parse(f"{unified_asset(wire.base)}/{quote}:{quote}")
    except ValueError:
        return None


def futures_instrument(wire: FInstrumentWire, sym: Symbol) -> Instrument:
    if wire.tickSize is None or wire.contractValueTradePrecision is None:
        raise unexpected(f"instrument {wire.symbol} has no tickSize/contractValueTradePrecision")
    lot = _step(int(wire.contractValueTradePrecision))
    return Instrument(
        symbol=sym,
        native_id=wire.symbol,
        tick_size=plain(wire.tickSize),
        lot_size=plain(lot),
        min_quantity=plain(lot),
        contract_size=plain(wire.contractSize),
        active=wire.tradeable,
    )


def leverage_brackets(wire: FInstrumentWire, sym: Symbol) -> list[LeverageBracket]:
    """``marginLevels``: from ``numNonContractUnits`` (quote notional) up, the initial margin
    fraction (max leverage = 1 / initialMargin) and the maintenance margin fraction."""
    levels = sorted(wire.marginLevels, key=lambda m: m.numNonContractUnits or m.contracts or ZERO)
    out = []
    for tier, level in enumerate(levels, start=1):
        floor = level.numNonContractUnits or ZERO
        nxt = levels[tier].numNonContractUnits if tier < len(levels) else None
        out.append(
            LeverageBracket(
                symbol=sym,
                tier=tier,
                notional_floor=floor,
                notional_cap=nxt if nxt is not None else Decimal("Infinity"),
                max_leverage=plain(Decimal(1) / level.initialMargin),
                maintenance_margin_rate=level.maintenanceMargin,
            )
        )
    return out


class FTickerWire(Finite, kw_only=True):
    symbol: str
    last: Decimal | None = None
    bid: Decimal | None = None
    ask: Decimal | None = None
    markPrice: Decimal | None = None
    indexPrice: Decimal | None = None
    fundingRate: Decimal | None = None
    fundingRatePrediction: Decimal | None = None
    vol24h: Decimal | None = None
    high24h: Decimal | None = None
    low24h: Decimal | None = None
    lastTime: str | None = None
    suspended: bool = False


class FTickersWire(Finite, kw_only=True):
    tickers: list[FTickerWire]
    serverTime: str | None = None


def futures_ticker(wire: FTickerWire, sym: Symbol, now_ms: int) -> Ticker:
    return Ticker(
        symbol=sym,
        last=wire.last,
        bid=wire.bid,
        ask=wire.ask,
        high_24h=wire.high24h,
        low_24h=wire.low24h,
        volume_24h=wire.vol24h,
        timestamp=now_ms,
    )


class FBookWire(Finite, kw_only=True):
    bids: list[tuple[Decimal, Decimal]]
    asks: list[tuple[Decimal, Decimal]]


class FOrderBookWire(Finite, kw_only=True):
    orderBook: FBookWire
    serverTime: str | None = None


def futures_orderbook(wire: FOrderBookWire, sym: Symbol, depth: int, now_ms: int) -> OrderBook:
    book = wire.orderBook
    try:
        bids = sorted(book.bids, key=lambda lv: lv[0], reverse=True)[:depth]
        asks = sorted(book.asks, key=lambda lv: lv[0])[:depth]
    except ArithmeticError as exc:  # NaN prices do not order
        raise unexpected(f"bad book level: {exc}") from exc
    return OrderBook(
        symbol=sym,
        bids=_levels([(format(p, "f"), format(q, "f")) for p, q in bids], depth),
        asks=_levels([(format(p, "f"), format(q, "f")) for p, q in asks], depth),
        sequence=0,
        timestamp=iso_to_ms(wire.serverTime) if wire.serverTime else now_ms,
    )


class FHistoryItemWire(Finite, kw_only=True):
    time: str
    price: Decimal
    size: Decimal
    side: str
    trade_id: int | None = None
    uid: str | None = None
    type: str = "fill"


class FHistoryWire(Finite, kw_only=True):
    history: list[FHistoryItemWire]


def futures_trade(wire: FHistoryItemWire, sym: Symbol) -> Trade:
    trade_id = str(wire.trade_id) if wire.trade_id is not None else wire.uid
    if trade_id is None:
        raise unexpected("futures trade without trade_id or uid")
    return Trade(
        symbol=sym,
        trade_id=trade_id,
        price=wire.price,
        quantity=wire.size,
        side=_lookup(_SIDES, wire.side, "trade side"),
        timestamp=iso_to_ms(wire.time),
    )


class FOrderWire(Finite, kw_only=True):
    orderId: str
    cliOrdId: str | None = None
    type: str = "lmt"
    symbol: str
    side: str
    quantity: Decimal
    filled: Decimal = ZERO
    limitPrice: Decimal | None = None
    reduceOnly: bool = False
    timestamp: str | None = None
    lastUpdateTimestamp: str | None = None


class FOrderEventWire(Finite, kw_only=True):
    type: str
    order: FOrderWire | None = None
    new: FOrderWire | None = None
    old: FOrderWire | None = None
    orderPriorExecution: FOrderWire | None = None
    price: Decimal | None = None
    amount: Decimal | None = None
    executionId: str | None = None
    reason: str | None = None


class FStatusWire(Finite, kw_only=True):
    status: str
    order_id: str | None = None
    orderId: str | None = None
    cliOrdId: str | None = None
    order_tag: str | None = None
    receivedTime: str | None = None
    orderEvents: list[FOrderEventWire] = []


class FSendWire(Finite, kw_only=True):
    sendStatus: FStatusWire


class FEditWire(Finite, kw_only=True):
    editStatus: FStatusWire


class FCancelWire(Finite, kw_only=True):
    cancelStatus: FStatusWire


class FBatchWire(Finite, kw_only=True):
    batchStatus: list[FStatusWire]


_F_TYPES = {
    "lmt": (OrderType.LIMIT, TimeInForce.GTC),
    "limit": (OrderType.LIMIT, TimeInForce.GTC),
    "post": (OrderType.LIMIT, TimeInForce.POST_ONLY),
    "ioc": (OrderType.LIMIT, TimeInForce.IOC),
    "mkt": (OrderType.MARKET, TimeInForce.IOC),
    "market": (OrderType.MARKET, TimeInForce.IOC),
}


def _f_time(*texts: str | None) -> int:
    return next((iso_to_ms(t) for t in texts if t), 0)


def futures_order_from_events(status: FStatusWire, sym: Symbol) -> Order | None:
    """The order as the events of a send/edit/cancel answer leave it (None without events)."""
    order: FOrderWire | None = None
    executed = ZERO
    cost = ZERO
    canceled = False
    for event in status.orderEvents:
        if event.type in ("PLACE", "CANCEL", "REJECT") and event.order is not None:
            order = event.order
        elif event.type == "EDIT" and event.new is not None:
            order = event.new
        elif event.type == "EXECUTION":
            order = order or event.orderPriorExecution
            if event.amount is not None and event.price is not None:
                executed += event.amount
                cost += event.amount * event.price
        canceled = canceled or event.type in ("CANCEL", "REJECT")
    if order is None:
        return None
    filled = max(order.filled, executed) if executed else order.filled
    kind, tif = _lookup(_F_TYPES, order.type, "futures order type")
    if filled >= order.quantity:
        state = OrderStatus.FILLED
    elif status.status == "iocWouldNotExecute" or (canceled and tif is TimeInForce.IOC):
        state = OrderStatus.EXPIRED
    elif canceled or status.status == "cancelled":
        state = OrderStatus.CANCELED
    elif kind is OrderType.MARKET or tif is TimeInForce.IOC:
        state = OrderStatus.EXPIRED if filled == 0 else OrderStatus.CANCELED
    else:
        state = OrderStatus.PARTIALLY_FILLED if filled > 0 else OrderStatus.NEW
    created = _f_time(order.timestamp, status.receivedTime)
    return Order(
        symbol=sym,
        order_id=order.orderId,
        client_order_id=order.cliOrdId or None,
        side=_lookup(_SIDES, order.side, "order side"),
        type=kind,
        time_in_force=tif,
        quantity=order.quantity,
        price=order.limitPrice if kind is OrderType.LIMIT else None,
        filled_quantity=filled,
        average_price=(cost / executed) if executed else None,
        status=state,
        reduce_only=order.reduceOnly,
        created_at=created,
        updated_at=_f_time(order.lastUpdateTimestamp, status.receivedTime) or created,
    )


def status_ms(status: FStatusWire, now_ms: int) -> int:
    """The ``receivedTime`` of a send/edit/cancel status, else ``now_ms``."""
    return iso_to_ms(status.receivedTime) if status.receivedTime else now_ms


def futures_accepted(
    status: FStatusWire, request: OrderRequest, client_id: str, now_ms: int
) -> Order:
    """A send Kraken accepted without order events: the request with the status's order id,
    ACCEPTED; ``iocWouldNotExecute`` is the IOC order expired unfilled."""
    order_id = status.order_id or status.orderId
    at_ms = status_ms(status, now_ms)
    if status.status == "iocWouldNotExecute":
        return accepted_order(request, order_id or "", client_id, at_ms, status=OrderStatus.EXPIRED)
    if not order_id:
        raise unexpected(f"order status {status.status!r} without an order id or order events")
    return accepted_order(request, order_id, client_id, at_ms)


def futures_amended(status: FStatusWire, known: Order, request: AmendRequest, now_ms: int) -> Order:
    """``known`` with the amendment an ``edited`` status without order events accepted."""
    return amended_order(known, request, status_ms(status, now_ms))


def futures_canceled(status: FStatusWire, known: Order, now_ms: int) -> Order:
    """``known`` as a cancel status without order events leaves it: ``filled`` (Kraken did not
    cancel it: it had filled), else canceled (fills as last known here)."""
    at_ms = status_ms(status, now_ms)
    if status.status == "filled":
        return msgspec.structs.replace(
            known, status=OrderStatus.FILLED, filled_quantity=known.quantity, updated_at=at_ms
        )
    return canceled_order(known, at_ms)


class FOpenOrderWire(Finite, kw_only=True):
    order_id: str
    cliOrdId: str | None = None
    symbol: str
    side: str
    orderType: str = "lmt"
    limitPrice: Decimal | None = None
    unfilledSize: Decimal
    filledSize: Decimal = ZERO
    receivedTime: str | None = None
    lastUpdateTime: str | None = None
    status: str = "untouched"
    reduceOnly: bool = False


class FOpenOrdersWire(Finite, kw_only=True):
    openOrders: list[FOpenOrderWire]


def futures_open_order(wire: FOpenOrderWire, sym: Symbol) -> Order:
    kind, tif = _lookup(_F_TYPES, wire.orderType, "futures order type")
    created = _f_time(wire.receivedTime)
    return Order(
        symbol=sym,
        order_id=wire.order_id,
        client_order_id=wire.cliOrdId or None,
        side=_lookup(_SIDES, wire.side, "order side"),
        type=kind,
        time_in_force=tif,
        quantity=wire.unfilledSize + wire.filledSize,
        price=wire.limitPrice,
        filled_quantity=wire.filledSize,
        average_price=None,
        status=OrderStatus.PARTIALLY_FILLED if wire.filledSize > 0 else OrderStatus.NEW,
        reduce_only=wire.reduceOnly,
        created_at=created,
        updated_at=_f_time(wire.lastUpdateTime) or created,
    )


class FOrderStatusItemWire(Finite, kw_only=True):
    order: FOrderWire
    status: str
    updateReason: str | None = None
    error: str | None = None


class FOrderStatusWire(Finite, kw_only=True):
    orders: list[FOrderStatusItemWire]


_F_STATUS_KINDS = {"ORDER": "ORDER", "TRIGGER_ORDER": "TRIGGER_ORDER"}
_F_LIFECYCLE = {
    "ENTERED_BOOK": OrderStatus.NEW,
    "FULLY_EXECUTED": OrderStatus.FILLED,
    "REJECTED": OrderStatus.REJECTED,
    "CANCELLED": OrderStatus.CANCELED,
    "TRIGGER_PLACED": OrderStatus.NEW,
    "TRIGGER_ACTIVATION_FAILURE": OrderStatus.REJECTED,
}


def futures_status_order(item: FOrderStatusItemWire, sym: Symbol) -> Order:
    """An ``orders/status`` entry. Its ``order.type`` is ``ORDER`` (or ``TRIGGER_ORDER``), not
    the order's execution type: a limit price makes it a limit order, GTC as far as the answer
    tells (the order-event types ``lmt``/``post``/``ioc``/``mkt`` are read too)."""
    order = item.order
    if order.type in _F_TYPES:
        kind, tif = _F_TYPES[order.type]
    else:
        _lookup(_F_STATUS_KINDS, order.type, "futures order kind")
        limit = order.limitPrice is not None
        kind = OrderType.LIMIT if limit else OrderType.MARKET
        tif = TimeInForce.GTC if limit else TimeInForce.IOC
    state = _lookup(_F_LIFECYCLE, item.status, "order lifecycle status")
    if state is OrderStatus.NEW and order.filled > 0:
        state = OrderStatus.PARTIALLY_FILLED
    created = _f_time(order.timestamp)
    return Order(
        symbol=sym,
        order_id=order.orderId,
        client_order_id=order.cliOrdId or None,
        side=_lookup(_SIDES, order.side, "order side"),
        type=kind,
        time_in_force=tif,
        quantity=order.quantity,
        price=order.limitPrice if kind is OrderType.LIMIT else None,
        filled_quantity=order.filled,
        average_price=None,
        status=state,
        reduce_only=order.reduceOnly,
        created_at=created,
        updated_at=_f_time(order.lastUpdateTimestamp) or created,
    )


class FPositionWire(Finite, kw_only=True):
    side: str
    symbol: str
    price: Decimal
    fillTime: str | None = None
    size: Decimal
    unrealizedFunding: Decimal | None = None
    maxFixedLeverage: Decimal | None = None


class FPositionsWire(Finite, kw_only=True):
    openPositions: list[FPositionWire]


def futures_position(
    wire: FPositionWire, sym: Symbol, preference: Decimal | None, mark: Decimal | None, now: int
) -> Position:
    """``preference``: the symbol's ``leveragepreferences`` maximum (isolated margin) or None
    (cross margin, leverage as ``maxFixedLeverage`` reports it)."""
    if wire.side not in ("long", "short"):
        raise unexpected(f"unknown position side {wire.side!r}")
    side = PositionSide.LONG if wire.side == "long" else PositionSide.SHORT
    sign = 1 if side is PositionSide.LONG else -1
    pnl = (mark - wire.price) * wire.size * sign if mark is not None else ZERO
    leverage = preference if preference is not None else wire.maxFixedLeverage
    return Position(
        symbol=sym,
        side=side,
        quantity=wire.size,
        entry_price=wire.price,
        mark_price=mark,
        unrealized_pnl=pnl,
        leverage=leverage if leverage is not None else ZERO,
        margin_mode=MarginMode.ISOLATED if preference is not None else MarginMode.CROSS,
        margin=None,
        liquidation_price=None,
        timestamp=_f_time(wire.fillTime) or now,
    )


class FlexCurrencyWire(Finite, kw_only=True):
    quantity: Decimal
    available: Decimal | None = None
    value: Decimal | None = None


class FlexAccountWire(Finite, kw_only=True):
    currencies: dict[str, FlexCurrencyWire] = {}


class FAccountsWire(Finite, kw_only=True):
    accounts: dict[str, msgspec.Raw]


def flex_balances(flex: FlexAccountWire) -> list[Balance]:
    out = []
    for name, cur in flex.currencies.items():
        if cur.quantity == 0:
            continue
        free = cur.available if cur.available is not None else cur.quantity
        free = min(free, cur.quantity)
        out.append(Balance(unified_asset(name), free, cur.quantity - free, "futures"))
    return out


class FFillWire(Finite, kw_only=True):
    fill_id: str
    symbol: str
    side: str
    order_id: str
    cliOrdId: str | None = None
    size: Decimal
    price: Decimal
    fillTime: str
    fillType: str = "taker"
    fee_paid: Decimal | None = None
    fee_currency: str | None = None


class FFillsWire(Finite, kw_only=True):
    fills: list[FFillWire]


def futures_fill(wire: FFillWire, sym: Symbol) -> Fill:
    """REST fills carry no fee (documented fields): fee 0 and fee asset ``""`` say so."""
    return Fill(
        symbol=sym,
        order_id=wire.order_id,
        client_order_id=wire.cliOrdId or None,
        trade_id=wire.fill_id,
        side=_lookup(_SIDES, wire.side, "fill side"),
        price=wire.price,
        quantity=wire.size,
        fee=wire.fee_paid if wire.fee_paid is not None else ZERO,
        fee_asset=unified_asset(wire.fee_currency) if wire.fee_currency else "",
        is_maker=wire.fillType == "maker",
        timestamp=iso_to_ms(wire.fillTime),
    )


class FLeverageWire(Finite, kw_only=True):
    symbol: str
    maxLeverage: Decimal | None = None


class FLeveragesWire(Finite, kw_only=True):
    leveragePreferences: list[FLeverageWire] = []


class FCandleWire(Finite, kw_only=True):
    time: int  # ms
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal


class FCandlesWire(Finite, kw_only=True):
    candles: list[FCandleWire]
    more_candles: bool = False


def futures_candle(wire: FCandleWire, sym: Symbol, interval: str, span_ms: int, now: int) -> Candle:
    return Candle(
        symbol=sym,
        interval=interval,
        open_time=wire.time,
        open=wire.open,
        high=wire.high,
        low=wire.low,
        close=wire.close,
        volume=wire.volume,
        closed=wire.time + span_ms <= now,
    )


class FSubaccountWire(Finite, kw_only=True):
    accountUid: str
    email: str = ""
    fullName: str = ""


class FSubaccountsWire(Finite, kw_only=True):
    masterAccountUid: str | None = None
    subaccounts: list[FSubaccountWire] = []


class FFundingRateWire(Finite, kw_only=True):
    timestamp: str
    fundingRate: Decimal | None = None
    relativeFundingRate: Decimal


class FFundingRatesWire(Finite, kw_only=True):
    rates: list[FFundingRateWire]


def futures_funding(wire: FFundingRateWire, sym: Symbol) -> FundingRate:
    return FundingRate(sym, wire.relativeFundingRate, iso_to_ms(wire.timestamp))


def decode_result(raw: bytes, kind: type[T]) -> T:
    """The ``result`` of a spot envelope as ``kind``."""
    decoder = _ENVELOPES.get(kind)
    if decoder is None:
        decoder = _ENVELOPES[kind] = msgspec.json.Decoder(Envelope[kind])  # type: ignore[valid-type]
    result: T = decoder.decode(raw).result
    return result


_ENVELOPES: dict[object, msgspec.json.Decoder[Any]] = {}


# ----------------------------------------------------------------------------- spot v2 streams


class WsLevelWire(Finite, kw_only=True):
    """A v2 book level; the JSON number's text is kept (the checksum is defined over it)."""

    price: msgspec.Raw
    qty: msgspec.Raw


class WsBookDataWire(Finite, kw_only=True):
    symbol: str
    bids: list[WsLevelWire] = []
    asks: list[WsLevelWire] = []
    checksum: int | None = None
    timestamp: str | None = None


class WsBookWire(Finite, kw_only=True):
    type: str
    data: list[WsBookDataWire]


def ws_levels(levels: list[WsLevelWire]) -> list[tuple[str, str]]:
    """Level text as sent (`raw_text`); ValueError for anything that is not a plain number."""
    return [(raw_text(lv.price), raw_text(lv.qty)) for lv in levels]


class WsTradeDataWire(Finite, kw_only=True):
    symbol: str
    side: str
    price: Decimal
    qty: Decimal
    trade_id: int
    timestamp: str


class WsTradeWire(Finite, kw_only=True):
    type: str = "update"  # "snapshot": recent history sent on subscribing
    data: list[WsTradeDataWire]


def ws_trade(wire: WsTradeDataWire, sym: Symbol) -> Trade:
    return Trade(
        symbol=sym,
        trade_id=str(wire.trade_id),
        price=wire.price,
        quantity=wire.qty,
        side=_lookup(_SIDES, wire.side, "trade side"),
        timestamp=iso_to_ms(wire.timestamp),
    )


class WsOhlcDataWire(Finite, kw_only=True):
    symbol: str
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    interval_begin: str
    interval: int


class WsOhlcWire(Finite, kw_only=True):
    data: list[WsOhlcDataWire]


def ws_candle(wire: WsOhlcDataWire, sym: Symbol, interval: str, now: int) -> Candle:
    start = iso_to_ms(wire.interval_begin)
    return Candle(
        symbol=sym,
        interval=interval,
        open_time=start,
        open=wire.open,
        high=wire.high,
        low=wire.low,
        close=wire.close,
        volume=wire.volume,
        closed=start + wire.interval * 60_000 <= now,
    )


class WsFeeWire(Finite, kw_only=True):
    asset: str
    qty: Decimal


class ExecWire(Finite, kw_only=True):
    """One ``executions`` item; fields absent from an event keep their last known value
    (`merge_exec`)."""

    order_id: str
    exec_type: str | None = None
    exec_id: str | None = None
    cl_ord_id: str | None = None
    symbol: str | None = None
    side: str | None = None
    order_type: str | None = None
    order_qty: Decimal | None = None
    limit_price: Decimal | None = None
    time_in_force: str | None = None
    post_only: bool | None = None
    reduce_only: bool | None = None
    order_status: str | None = None
    cum_qty: Decimal | None = None
    avg_price: Decimal | None = None
    last_qty: Decimal | None = None
    last_price: Decimal | None = None
    liquidity_ind: str | None = None
    fees: list[WsFeeWire] | None = None
    timestamp: str | None = None


class ExecutionsWire(Finite, kw_only=True):
    type: str = "update"
    data: list[ExecWire]


_EXEC_FIELDS = tuple(f for f in ExecWire.__struct_fields__ if f != "order_id")


def merge_exec(before: ExecWire | None, event: ExecWire) -> ExecWire:
    """``event`` with the fields it lacks taken from ``before`` (same order)."""
    if before is None:
        return event
    changes = {
        f: getattr(before, f)
        for f in _EXEC_FIELDS
        if getattr(event, f) is None and getattr(before, f) is not None
    }
    return msgspec.structs.replace(event, **changes) if changes else event


_WS_STATUS = {
    "pending_new": OrderStatus.NEW,
    "new": OrderStatus.NEW,
    "partially_filled": OrderStatus.PARTIALLY_FILLED,
    "filled": OrderStatus.FILLED,
    "canceled": OrderStatus.CANCELED,
    "expired": OrderStatus.EXPIRED,
}
_WS_TYPES = {"limit": OrderType.LIMIT, "market": OrderType.MARKET}
_WS_TIF = {"gtc": TimeInForce.GTC, "ioc": TimeInForce.IOC, "fok": TimeInForce.FOK}


def exec_order(state: ExecWire, sym: Symbol) -> Order | None:
    """The order a merged execution state describes (None while it lacks the essentials)."""
    if state.order_status is None or state.side is None or state.order_qty is None:
        return None
    kind = _lookup(_WS_TYPES, state.order_type or "limit", "order type")
    tif = (
        TimeInForce.POST_ONLY
        if state.post_only
        else _WS_TIF.get((state.time_in_force or "gtc").lower(), TimeInForce.GTC)
    )
    stamp = iso_to_ms(state.timestamp) if state.timestamp else 0
    filled = state.cum_qty or ZERO
    status = _lookup(_WS_STATUS, state.order_status, "order status")
    if status is OrderStatus.CANCELED and tif in _NO_REST:
        status = OrderStatus.EXPIRED
    return Order(
        symbol=sym,
        order_id=state.order_id,
        client_order_id=state.cl_ord_id or None,
        side=_lookup(_SIDES, state.side, "order side"),
        type=kind,
        time_in_force=tif,
        quantity=state.order_qty,
        price=state.limit_price if kind is OrderType.LIMIT else None,
        filled_quantity=filled,
        average_price=state.avg_price if filled > 0 and state.avg_price else None,
        status=status,
        reduce_only=bool(state.reduce_only),
        created_at=stamp,
        updated_at=stamp,
    )


def exec_fill(state: ExecWire, sym: Symbol) -> Fill | None:
    """The fill of a ``trade`` execution (None for other events)."""
    if state.exec_type != "trade" or state.exec_id is None:
        return None
    if state.last_qty is None or state.last_price is None or state.side is None:
        raise unexpected(f"trade execution {state.exec_id} without last_qty/last_price/side")
    fee = state.fees[0] if state.fees else None
    return Fill(
        symbol=sym,
        order_id=state.order_id,
        client_order_id=state.cl_ord_id or None,
        trade_id=state.exec_id,
        side=_lookup(_SIDES, state.side, "fill side"),
        price=state.last_price,
        quantity=state.last_qty,
        fee=fee.qty if fee else ZERO,
        fee_asset=unified_asset(fee.asset) if fee else "",
        is_maker=state.liquidity_ind == "m",
        timestamp=iso_to_ms(state.timestamp) if state.timestamp else 0,
    )


class WsWalletWire(Finite, kw_only=True):
    type: str
    balance: Decimal


class WsBalanceItemWire(Finite, kw_only=True):
    """A ``balances`` item: snapshot entries list ``wallets``; updates name ``wallet_type``."""

    asset: str
    balance: Decimal | None = None
    wallet_type: str | None = None
    wallets: list[WsWalletWire] | None = None

    def spot_total(self) -> Decimal | None:
        """The spot wallet's balance this item reports (None when it is about another)."""
        if self.wallets is not None:
            spot = [wl.balance for wl in self.wallets if wl.type == "spot"]
            return sum(spot, ZERO) if spot else None
        if self.wallet_type not in (None, "spot"):
            return None
        return self.balance


class WsBalancesWire(Finite, kw_only=True):
    type: str = "update"
    data: list[WsBalanceItemWire]


# ----------------------------------------------------------------------------- futures streams


class FWsLevelWire(Finite, kw_only=True):
    price: msgspec.Raw
    qty: msgspec.Raw


class FWsBookWire(Finite, kw_only=True):
    """``book_snapshot`` (bids/asks) or one ``book`` delta (side/price/qty)."""

    feed: str
    product_id: str
    seq: int
    timestamp: int = 0
    bids: list[FWsLevelWire] = []
    asks: list[FWsLevelWire] = []
    side: str | None = None
    price: msgspec.Raw = NULL_RAW  # msgspec cannot decode ``Raw | None``: absent is ``null``
    qty: msgspec.Raw = NULL_RAW


def raw_text(raw: msgspec.Raw) -> str:
    """A JSON number's text as sent (a quoted one unquoted); an exponent form is written out.
    ValueError for anything else (``null``, ``"NaN"``, ``-1``, text)."""
    text = bytes(raw).decode().strip('"')
    digits = text.replace(".", "", 1)
    if digits.isascii() and digits.isdigit():
        return text
    try:
        value = Decimal(text)
    except ArithmeticError as exc:
        raise ValueError(f"{text!r} is not a number") from exc
    if not value.is_finite() or value < 0:
        raise ValueError(f"{text!r} is not a finite non-negative number")
    return format(value, "f")


class FWsTradeItemWire(Finite, kw_only=True):
    product_id: str
    uid: str | None = None
    side: str
    price: Decimal
    qty: Decimal
    time: int
    seq: int | None = None


class FWsTradeWire(Finite, kw_only=True):
    feed: str
    product_id: str
    trades: list[FWsTradeItemWire] | None = None
    uid: str | None = None
    side: str | None = None
    price: Decimal | None = None
    qty: Decimal | None = None
    time: int | None = None


class FWsOrderWire(Finite, kw_only=True):
    instrument: str
    order_id: str
    cli_ord_id: str | None = None
    qty: Decimal
    filled: Decimal = ZERO
    limit_price: Decimal | None = None
    type: str = "limit"
    direction: int
    reduce_only: bool = False
    time: int = 0
    last_update_time: int = 0


class FWsOpenOrdersWire(Finite, kw_only=True):
    feed: str
    orders: list[FWsOrderWire] | None = None
    order: FWsOrderWire | None = None
    order_id: str | None = None
    is_cancel: bool = False
    reason: str | None = None


def fws_order(wire: FWsOrderWire, sym: Symbol, status: OrderStatus | None = None) -> Order:
    kind = OrderType.MARKET if wire.type == "market" else OrderType.LIMIT
    if status is None:
        status = OrderStatus.PARTIALLY_FILLED if wire.filled > 0 else OrderStatus.NEW
    return Order(
        symbol=sym,
        order_id=wire.order_id,
        client_order_id=wire.cli_ord_id or None,
        side=Side.BUY if wire.direction == 0 else Side.SELL,
        type=kind,
        time_in_force=TimeInForce.GTC,
        quantity=wire.qty,
        price=wire.limit_price if kind is OrderType.LIMIT else None,
        filled_quantity=wire.filled,
        average_price=None,
        status=status,
        reduce_only=wire.reduce_only,
        created_at=wire.time,
        updated_at=wire.last_update_time or wire.time,
    )


class FWsFillWire(Finite, kw_only=True):
    instrument: str
    time: int
    price: Decimal
    buy: bool
    qty: Decimal
    order_id: str
    cli_ord_id: str | None = None
    fill_id: str
    fill_type: str = "taker"
    fee_paid: Decimal | None = None
    fee_currency: str | None = None


class FWsFillsWire(Finite, kw_only=True):
    feed: str
    fills: list[FWsFillWire] = []


def fws_fill(wire: FWsFillWire, sym: Symbol) -> Fill:
    return Fill(
        symbol=sym,
        order_id=wire.order_id,
        client_order_id=wire.cli_ord_id or None,
        trade_id=wire.fill_id,
        side=Side.BUY if wire.buy else Side.SELL,
        price=wire.price,
        quantity=wire.qty,
        fee=wire.fee_paid if wire.fee_paid is not None else ZERO,
        fee_asset=unified_asset(wire.fee_currency) if wire.fee_currency else "",
        is_maker=wire.fill_type == "maker",
        timestamp=wire.time,
    )


class FWsFlexWire(Finite, kw_only=True):
    currencies: dict[str, FlexCurrencyWire] = {}


class FWsBalancesWire(Finite, kw_only=True):
    feed: str
    flex_futures: FWsFlexWire | None = None


class FWsPositionWire(Finite, kw_only=True):
    instrument: str
    balance: Decimal
    entry_price: Decimal | None = None
    mark_price: Decimal | None = None
    pnl: Decimal | None = None
    liquidation_threshold: Decimal | None = None
    effective_leverage: Decimal | None = None
    initial_margin: Decimal | None = None


class FWsPositionsWire(Finite, kw_only=True):
    feed: str
    positions: list[FWsPositionWire] = []
    timestamp: int = 0


def fws_position(wire: FWsPositionWire, sym: Symbol, now: int) -> Position:
    side = PositionSide.LONG if wire.balance > 0 else PositionSide.SHORT
    if wire.balance == 0:
        side = PositionSide.FLAT
    liquidation = wire.liquidation_threshold
    return Position(
        symbol=sym,
        side=side,
        quantity=abs(wire.balance),
        entry_price=wire.entry_price,
        mark_price=wire.mark_price,
        unrealized_pnl=wire.pnl if wire.pnl is not None else ZERO,
        leverage=wire.effective_leverage if wire.effective_leverage is not None else ZERO,
        margin_mode=MarginMode.CROSS,
        margin=wire.initial_margin,
        liquidation_price=liquidation if liquidation else None,
        timestamp=now,
    )
