"""Coinbase Advanced Trade payloads as msgspec structs, and their conversion to core types.

Coinbase sends amounts as JSON strings (decoded as text, converted through `num`: anything
that is not a finite number raises `ExchangeError`, never 0) and times as RFC 3339 strings
with up to nine fractional digits (`ms`: parsed exactly, integer arithmetic, truncated to the
millisecond). Candle starts are UNIX seconds as text. Book levels stay text for the book
engine. Every enum value is mapped explicitly; an unknown one raises `ExchangeError`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from datetime import date
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import TypeVar

import msgspec
from msgspec import Struct, field

from lotusx.core.book import levels_from_text
from lotusx.core.errors import InvalidOrderError
from lotusx.core.orders import accepted_order, amended_order, canceled_order
from lotusx.core.types import (
    AmendRequest,
    Balance,
    BookLevel,
    Candle,
    FeeRate,
    Fill,
    Instrument,
    Order,
    OrderBook,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    Symbol,
    Ticker,
    TimeInForce,
    Trade,
    plain,
)
from lotusx.core.wire import WireCheck

from .errors import pick_reason

V = TypeVar("V")
TextLevel = tuple[str, str]

_CHECK = WireCheck("coinbase")
unexpected = _CHECK.unexpected  # a payload that decoded but breaks Coinbase's documented values
_lookup = _CHECK.lookup


def num(text: str, what: str = "number") -> Decimal:
    """A decimal from Coinbase's text; anything else (``""`` included) raises `ExchangeError`."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise unexpected(f"{what}: {text!r} is not a number")
    return value


def opt_num(text: str, what: str = "number") -> Decimal | None:
    """Like `num`, but ``""`` (an absent value) is None."""
    return None if text == "" else num(text, what)


# ----------------------------------------------------------------------------- RFC 3339 times

_RFC3339 = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))"
)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_DAY_MS = 86_400_000


@functools.lru_cache(maxsize=64)
def _day_ms(day: str) -> int:
    """Milliseconds from the epoch to 00:00 UTC of ``YYYY-MM-DD`` (validated)."""
    return (date.fromisoformat(day).toordinal() - _EPOCH_ORDINAL) * _DAY_MS


def ms(text: str, what: str = "timestamp") -> int:
    """Milliseconds since the epoch (UTC) of an RFC 3339 time, exactly: the fraction beyond the
    millisecond is truncated (floor), an offset is applied; anything else raises."""
    match = _RFC3339.fullmatch(text)
    if match is None:
        raise unexpected(f"{what}: {text!r} is not an RFC 3339 time")
    day, hh, mm, ss, frac, sign, oh, om = match.groups()
    hours, minutes, seconds = int(hh), int(mm), int(ss)
    if hours > 23 or minutes > 59 or seconds > 59:
        raise unexpected(f"{what}: {text!r} is not a valid time of day")
    try:
        value = _day_ms(day)
    except ValueError:
        raise unexpected(f"{what}: {text!r} is not a valid date") from None
    value += ((hours * 60 + minutes) * 60 + seconds) * 1000
    if frac:
        value += int(frac[:3].ljust(3, "0"))
    if sign is not None:
        offset_h, offset_m = int(oh), int(om)
        if offset_h > 23 or offset_m > 59:
            raise unexpected(f"{what}: {text!r} has an invalid offset")
        offset = (offset_h * 60 + offset_m) * 60_000
        value += -offset if sign == "+" else offset
    return value


def opt_ms(text: str, what: str = "timestamp") -> int | None:
    return None if text == "" else ms(text, what)


def seconds_ms(text: str, what: str = "time") -> int:
    """Milliseconds from UNIX seconds sent as text (candle ``start``, ``epochSeconds``)."""
    if not (text.isascii() and text.isdigit()):
        raise unexpected(f"{what}: {text!r} is not a UNIX time in seconds")
    return int(text) * 1000


# ============================================================================ products


class ProductWire(Struct):
    product_id: str
    base_increment: str = ""
    quote_increment: str = ""
    price_increment: str = ""
    base_min_size: str = ""
    base_max_size: str = ""
    quote_min_size: str = ""
    base_currency_id: str = ""
    quote_currency_id: str = ""
    product_type: str = ""
    status: str = ""
    trading_disabled: bool = False
    is_disabled: bool = False
    cancel_only: bool = False
    view_only: bool = False
    price: str = ""


class ProductsWire(Struct):
    products: list[ProductWire] = field(default_factory=list)
    num_products: int = 0


SPOT = "SPOT"


def to_instrument(wire: ProductWire) -> Instrument | None:
    """A spot `Instrument`, or None for products LotusX does not name (futures)."""
    if wire.product_type != SPOT:
        return None
    where = f"product {wire.product_id}"
    if not wire.base_currency_id or not wire.quote_currency_id:
        raise unexpected(f"{where}: no base_currency_id/quote_currency_id")
    tick = num(wire.price_increment or wire.quote_increment, f"{where} price_increment")
    step = num(wire.base_increment, f"{where} base_increment")
    if tick <= 0 or step <= 0:
        raise unexpected(f"{where}: non-positive tick {tick} or step {step}")
    min_qty = opt_num(wire.base_min_size, f"{where} base_min_size") or step
    max_qty = opt_num(wire.base_max_size, f"{where} base_max_size")
    min_notional = opt_num(wire.quote_min_size, f"{where} quote_min_size")
    active = wire.status.lower() == "online" and not (
        wire.trading_disabled or wire.is_disabled or wire.cancel_only or wire.view_only
    )
    return Instrument(
        symbol=Symbol(wire.base_currency_id, wire.quote_currency_id),
        native_id=wire.product_id,
        tick_size=plain(tick),
        lot_size=plain(step),
        min_quantity=plain(min_qty),
        max_quantity=plain(max_qty) if max_qty else None,
        min_notional=plain(min_notional) if min_notional else None,
        active=active,
    )


# ============================================================================ market data


class TimeWire(Struct):
    iso: str = ""
    epochSeconds: str = ""  # noqa: N815 - Coinbase's field name
    epochMillis: str = ""  # noqa: N815


def server_ms(wire: TimeWire) -> int:
    """Milliseconds from ``epochMillis``, else ``iso``, else ``epochSeconds``."""
    if wire.epochMillis.isascii() and wire.epochMillis.isdigit():
        return int(wire.epochMillis)
    if wire.iso:
        return ms(wire.iso, "iso")
    return seconds_ms(wire.epochSeconds, "epochSeconds")


class LevelWire(Struct):
    price: str
    size: str


class PriceBookWire(Struct):
    # Both sides are required: a pricebook without one is no book (an empty side is ``[]``),
    # not a book whose side is empty.
    bids: list[LevelWire]
    asks: list[LevelWire]
    product_id: str = ""
    time: str = ""


class BookReplyWire(Struct):
    pricebook: PriceBookWire


def _levels(levels: list[LevelWire], depth: int) -> tuple[BookLevel, ...]:
    try:
        return levels_from_text([(lv.price, lv.size) for lv in levels[:depth]])
    except ValueError as exc:
        raise unexpected(f"book level: {exc}") from None


def to_orderbook(wire: PriceBookWire, symbol: Symbol, depth: int, now_ms: int) -> OrderBook:
    """The REST book. It carries no update id (``sequence`` is 0)."""
    return OrderBook(
        symbol=symbol,
        bids=_levels(wire.bids, depth),
        asks=_levels(wire.asks, depth),
        sequence=0,
        timestamp=ms(wire.time, "pricebook time") if wire.time else now_ms,
    )


_SIDE: Mapping[str, Side] = {"BUY": Side.BUY, "SELL": Side.SELL}
SIDE_OUT: Mapping[Side, str] = {Side.BUY: "BUY", Side.SELL: "SELL"}


def side_of(value: str) -> Side:
    return _lookup(_SIDE, value.upper(), "side")


def taker_side(maker_side: str) -> Side:
    """The taker's side of a public trade. Coinbase's ``side`` on ``market_trades`` (and on the
    ticker's ``trades``, the same records) "refers to the makers side" (WebSocket Channels,
    Market Trades Channel); LotusX's `Trade.side` is the aggressor's, the opposite one."""
    return Side.SELL if side_of(maker_side) is Side.BUY else Side.BUY


class MarketTradeWire(Struct):
    trade_id: str
    price: str
    size: str
    time: str
    side: str
    product_id: str = ""
    bid: str = ""
    ask: str = ""


class TickerReplyWire(Struct):
    trades: list[MarketTradeWire] = field(default_factory=list)
    best_bid: str = ""
    best_ask: str = ""


def to_trade(wire: MarketTradeWire, symbol: Symbol) -> Trade:
    """A public trade; Coinbase sends the maker's side, `Trade.side` is the taker's."""
    return Trade(
        symbol=symbol,
        trade_id=wire.trade_id,
        price=num(wire.price, "trade price"),
        quantity=num(wire.size, "trade size"),
        side=taker_side(wire.side),
        timestamp=ms(wire.time, "trade time"),
    )


def to_ticker(wire: TickerReplyWire, symbol: Symbol, now_ms: int) -> Ticker:
    last = wire.trades[0] if wire.trades else None
    return Ticker(
        symbol=symbol,
        last=num(last.price, "last price") if last is not None else None,
        bid=opt_num(wire.best_bid, "best_bid"),
        ask=opt_num(wire.best_ask, "best_ask"),
        high_24h=None,
        low_24h=None,
        volume_24h=None,
        timestamp=ms(last.time, "trade time") if last is not None else now_ms,
    )


class CandleWire(Struct):
    start: str
    low: str
    high: str
    open: str
    close: str
    volume: str


class CandlesReplyWire(Struct):
    candles: list[CandleWire] = field(default_factory=list)


# unified interval → (Coinbase granularity, length in ms)
INTERVALS: Mapping[str, tuple[str, int]] = {
    "1m": ("ONE_MINUTE", 60_000),
    "5m": ("FIVE_MINUTE", 300_000),
    "15m": ("FIFTEEN_MINUTE", 900_000),
    "30m": ("THIRTY_MINUTE", 1_800_000),
    "1h": ("ONE_HOUR", 3_600_000),
    "2h": ("TWO_HOUR", 7_200_000),
    "4h": ("FOUR_HOUR", 14_400_000),
    "6h": ("SIX_HOUR", 21_600_000),
    "1d": ("ONE_DAY", 86_400_000),
}


def granularity(interval: str) -> tuple[str, int]:
    found = INTERVALS.get(interval)
    if found is None:
        raise InvalidOrderError(
            "coinbase", "interval", f"{interval!r} is not one of {', '.join(INTERVALS)}"
        )
    return found


def to_candle(wire: CandleWire, symbol: Symbol, interval: str, now_ms: int) -> Candle:
    open_time = seconds_ms(wire.start, "candle start")
    return Candle(
        symbol=symbol,
        interval=interval,
        open_time=open_time,
        open=num(wire.open, "open"),
        high=num(wire.high, "high"),
        low=num(wire.low, "low"),
        close=num(wire.close, "close"),
        volume=num(wire.volume, "volume"),
        closed=open_time + INTERVALS[interval][1] <= now_ms,
    )


# ============================================================================ orders


class MarketIocWire(Struct):
    base_size: str = ""
    quote_size: str = ""


class LimitWire(Struct):
    base_size: str = ""
    quote_size: str = ""
    limit_price: str = ""
    post_only: bool = False
    end_time: str = ""


class OrderConfigWire(Struct):
    market_market_ioc: MarketIocWire | None = None
    market_market_fok: MarketIocWire | None = None
    limit_limit_gtc: LimitWire | None = None
    limit_limit_gtd: LimitWire | None = None
    limit_limit_fok: LimitWire | None = None
    sor_limit_ioc: LimitWire | None = None


class OrderWire(Struct):
    order_id: str
    product_id: str
    side: str
    status: str
    # Required: an order whose filled size is not given is not an unfilled order.
    filled_size: str
    order_configuration: OrderConfigWire = field(default_factory=OrderConfigWire)
    client_order_id: str = ""
    created_time: str = ""
    last_fill_time: str | None = None
    average_filled_price: str = ""
    total_fees: str = ""
    order_type: str = ""
    time_in_force: str = ""
    product_type: str = ""
    reject_reason: str = ""
    cancel_message: str = ""


class GetOrderReplyWire(Struct):
    order: OrderWire


class OrdersReplyWire(Struct):
    orders: list[OrderWire] = field(default_factory=list)
    has_next: bool = False
    cursor: str = ""


UNKNOWN_STATUS = "UNKNOWN_ORDER_STATUS"

_STATUS: Mapping[str, OrderStatus] = {
    "PENDING": OrderStatus.NEW,
    "QUEUED": OrderStatus.NEW,
    "OPEN": OrderStatus.NEW,
    "CANCEL_QUEUED": OrderStatus.NEW,  # still on the book until the cancel is processed
    "EDIT_QUEUED": OrderStatus.NEW,  # still on the book while the edit is applied
    # Not known to have ended: open. The user stream keeps the last status it showed (the push
    # is dropped).
    UNKNOWN_STATUS: OrderStatus.NEW,
    "FILLED": OrderStatus.FILLED,
    "CANCELLED": OrderStatus.CANCELED,
    "EXPIRED": OrderStatus.EXPIRED,
    "FAILED": OrderStatus.REJECTED,
}


def order_status(status: str, filled: Decimal) -> OrderStatus:
    found = _lookup(_STATUS, status, "order status")
    if found is OrderStatus.NEW and filled > 0:
        return OrderStatus.PARTIALLY_FILLED
    return found


def _shape(config: OrderConfigWire) -> tuple[OrderType, TimeInForce, LimitWire | MarketIocWire]:
    if config.limit_limit_gtc is not None:
        tif = TimeInForce.POST_ONLY if config.limit_limit_gtc.post_only else TimeInForce.GTC
        return OrderType.LIMIT, tif, config.limit_limit_gtc
    if config.sor_limit_ioc is not None:
        return OrderType.LIMIT, TimeInForce.IOC, config.sor_limit_ioc
    if config.limit_limit_fok is not None:
        return OrderType.LIMIT, TimeInForce.FOK, config.limit_limit_fok
    if config.limit_limit_gtd is not None:
        # Good-til-date has no LotusX equivalent: it rests like GTC until its end_time.
        tif = TimeInForce.POST_ONLY if config.limit_limit_gtd.post_only else TimeInForce.GTC
        return OrderType.LIMIT, tif, config.limit_limit_gtd
    if config.market_market_ioc is not None:
        return OrderType.MARKET, TimeInForce.IOC, config.market_market_ioc
    if config.market_market_fok is not None:
        return OrderType.MARKET, TimeInForce.FOK, config.market_market_fok
    raise unexpected("order_configuration of a kind LotusX does not handle (stop, bracket...)")


def _configured(c: OrderConfigWire) -> bool:
    return any(
        x is not None
        for x in (
            c.limit_limit_gtc,
            c.sor_limit_ioc,
            c.limit_limit_fok,
            c.limit_limit_gtd,
            c.market_market_ioc,
            c.market_market_fok,
        )
    )


def is_handled(wire: OrderWire) -> bool:
    """Whether the order's configuration is one `to_order` converts (not stop/bracket)."""
    return _configured(wire.order_configuration)


QUOTE_SIZED_STEP = Decimal("1e-8")  # the finest base increment Coinbase lists


def to_order(wire: OrderWire, symbol: Symbol) -> Order:
    kind, tif, config = _shape(wire.order_configuration)
    where = f"order {wire.order_id}"
    filled = num(wire.filled_size, f"{where} filled_size")
    if filled < 0:
        raise unexpected(f"{where} filled_size: {wire.filled_size!r} is negative")
    if config.base_size:
        quantity = num(config.base_size, f"{where} base_size")
    elif isinstance(config, MarketIocWire):
        # A market buy sized in quote currency has no base size: its quantity is what filled.
        quantity = filled
    elif config.quote_size and config.limit_price:
        # A limit order sized in quote currency (placed elsewhere): its base quantity is
        # quote_size / limit_price, floored to QUOTE_SIZED_STEP (never below what filled).
        quote = num(config.quote_size, f"{where} quote_size")
        limit = num(config.limit_price, f"{where} limit_price")
        if limit <= 0:
            raise unexpected(f"{where} limit_price: {config.limit_price!r} is not positive")
        quantity = max((quote / limit).quantize(QUOTE_SIZED_STEP, ROUND_DOWN), filled)
    else:  # a limit order is sized in base_size or quote_size: without both it is unknown
        raise unexpected(f"{where}: limit order without base_size or quote_size")
    if quantity <= 0 and isinstance(config, LimitWire):
        raise unexpected(f"{where} base_size: {config.base_size!r} is not positive")
    price: Decimal | None = None
    if isinstance(config, LimitWire):  # a limit order must carry its positive limit price
        price = num(config.limit_price, f"{where} limit_price")
        if price <= 0:
            raise unexpected(f"{where} limit_price: {config.limit_price!r} is not positive")
    average = opt_num(wire.average_filled_price, f"{where} average_filled_price")
    created = ms(wire.created_time, f"{where} created_time") if wire.created_time else 0
    updated = (
        max(created, ms(wire.last_fill_time, f"{where} last_fill_time"))
        if wire.last_fill_time
        else created
    )
    return Order(
        symbol=symbol,
        order_id=wire.order_id,
        client_order_id=wire.client_order_id or None,
        side=side_of(wire.side),
        type=kind,
        time_in_force=tif,
        quantity=quantity,
        price=price,
        filled_quantity=filled,
        average_price=average if filled > 0 and average else None,
        status=order_status(wire.status, filled),
        reduce_only=False,
        created_at=created,
        updated_at=updated,
    )


def text(value: Decimal) -> str:
    """A decimal as Coinbase's plain decimal string: never exponent form (``5E-7`` →
    ``"0.0000005"``, ``6E+4`` → ``"60000"``), no trailing zeros."""
    return format(plain(value), "f")


def edit_body(order_id: str, price: Decimal, size: Decimal) -> dict[str, object]:
    """``POST /orders/edit``: the new price and the new total size."""
    return {"order_id": order_id, "price": text(price), "size": text(size)}


def move_funds_body(amount: Decimal, asset: str, source: str, target: str) -> dict[str, object]:
    """``POST /portfolios/move_funds``."""
    return {
        "funds": {"value": text(amount), "currency": asset},
        "source_portfolio_uuid": source,
        "target_portfolio_uuid": target,
    }


def order_configuration(request: OrderRequest) -> dict[str, object]:
    """The ``order_configuration`` of a spot request (always sized in the base currency)."""
    size = text(request.quantity)
    if request.type is OrderType.MARKET:
        if request.time_in_force is TimeInForce.POST_ONLY:
            raise InvalidOrderError(
                str(request.symbol), "time_in_force", "a market order cannot be post-only"
            )
        if request.time_in_force is TimeInForce.FOK:  # documented: all of it now, or nothing
            return {"market_market_fok": {"base_size": size}}
        return {"market_market_ioc": {"base_size": size}}
    if request.price is None:
        raise InvalidOrderError(str(request.symbol), "price", "a limit order needs a price")
    price = text(request.price)
    tif = request.time_in_force
    if tif is TimeInForce.GTC:
        return {"limit_limit_gtc": {"base_size": size, "limit_price": price, "post_only": False}}
    if tif is TimeInForce.POST_ONLY:
        return {"limit_limit_gtc": {"base_size": size, "limit_price": price, "post_only": True}}
    if tif is TimeInForce.IOC:
        return {"sor_limit_ioc": {"base_size": size, "limit_price": price}}
    return {"limit_limit_fok": {"base_size": size, "limit_price": price}}


def order_body(request: OrderRequest, native: str, client_order_id: str) -> dict[str, object]:
    if request.reduce_only:
        raise InvalidOrderError(str(request.symbol), "reduce_only", "spot has no positions")
    return {
        "client_order_id": client_order_id,
        "product_id": native,
        "side": SIDE_OUT[request.side],
        "order_configuration": order_configuration(request),
    }


class SuccessWire(Struct):
    order_id: str = ""
    product_id: str = ""
    side: str = ""
    client_order_id: str = ""


class FailureWire(Struct):
    error: str = ""
    message: str = ""
    error_details: str = ""
    preview_failure_reason: str = ""
    new_order_failure_reason: str = ""


class CreateReplyWire(Struct):
    """``POST /orders``: ``success``, the order named (``success_response``) or the refusal
    (``error_response``), and the ``order_configuration`` of the order named. Nothing more: no
    status, no fills, no time."""

    success: bool = False
    success_response: SuccessWire | None = None
    error_response: FailureWire | None = None
    order_configuration: OrderConfigWire | None = None
    failure_reason: str = ""  # earlier form of the reply
    order_id: str = ""  # earlier form of the reply


def created_id(reply: CreateReplyWire) -> str:
    """The order id a create reply names ("" when it names none)."""
    if reply.success_response is not None and reply.success_response.order_id:
        return reply.success_response.order_id
    return reply.order_id


def create_refusal(reply: CreateReplyWire) -> tuple[str, str] | None:
    """``(reason, message)`` of a create reply that placed nothing, None for one that did.

    The reason is the most specific of ``error_response``'s ``preview_failure_reason``,
    ``new_order_failure_reason`` and ``error`` (or the earlier form's ``failure_reason``). A
    reply that names an order id and gives no specific reason did place it."""
    if reply.success:
        return None
    failure = reply.error_response or FailureWire()
    reason = pick_reason(
        failure.preview_failure_reason,
        failure.new_order_failure_reason,
        failure.error,
        reply.failure_reason,
    )
    if created_id(reply) and reason in ("", "UNKNOWN_FAILURE_REASON"):
        return None
    return reason, failure.message or failure.error_details


def to_accepted(
    reply: CreateReplyWire, request: OrderRequest, client_order_id: str, now_ms: int
) -> Order:
    """The order a successful create reply names: the request ACCEPTED under Coinbase's
    ``order_id`` at ``now_ms`` (the reply carries no time). Malformed without an order id, or
    naming another ``client_order_id``."""
    order_id = created_id(reply)
    if not order_id:
        raise unexpected(f"order {client_order_id}: the create reply names no order_id")
    named = reply.success_response
    if named is not None and named.client_order_id and named.client_order_id != client_order_id:
        raise unexpected(
            f"order {client_order_id} acknowledged as client_order_id {named.client_order_id!r}"
        )
    return accepted_order(request, order_id, client_order_id, now_ms)


def held_instead(reply: CreateReplyWire, request: OrderRequest, native: str) -> bool:
    """Whether the order a create reply names is not ``request``: Coinbase answers a reused
    ``client_order_id`` with the order that holds it. Compared where the reply tells: product
    and side (``success_response``), type, limit price and base size (``order_configuration``;
    a quote-sized order has no base size to compare). A configuration LotusX does not place
    (stop, bracket...) is another order."""
    named = reply.success_response
    if named is not None:
        if named.product_id and named.product_id != native:
            return True
        if named.side and side_of(named.side) is not request.side:
            return True
    config = reply.order_configuration
    if config is None:
        return False
    if not _configured(config):
        return True
    kind, _, shape = _shape(config)
    if kind is not request.type:
        return True
    if isinstance(shape, LimitWire) and num(shape.limit_price, "limit_price") != request.price:
        return True
    return bool(shape.base_size) and num(shape.base_size, "base_size") != request.quantity


class EditErrorWire(Struct):
    edit_failure_reason: str = ""
    preview_failure_reason: str = ""


class EditReplyWire(Struct):
    """``POST /orders/edit``: ``success`` and the ``errors`` of a refused edit; no order."""

    success: bool = False
    errors: list[EditErrorWire] = field(default_factory=list)


def edit_refusal(reply: EditReplyWire) -> str | None:
    """The reason of a refused edit (``""`` when it gives none), None for an accepted one."""
    if reply.success:
        return None
    first = reply.errors[0] if reply.errors else EditErrorWire()
    return pick_reason(first.edit_failure_reason, first.preview_failure_reason)


def to_amended(reply: EditReplyWire, known: Order, request: AmendRequest, now_ms: int) -> Order:
    """``known`` with the accepted edit applied at ``now_ms`` (the reply carries no time): the
    order keeps its id; ``quantity`` is the new total size."""
    if not reply.success:
        raise unexpected(f"order {known.order_id}: the edit was not accepted")
    return amended_order(known, request, now_ms)


class CancelResultWire(Struct):
    success: bool = False
    failure_reason: str = ""
    order_id: str = ""


class CancelReplyWire(Struct):
    results: list[CancelResultWire] = field(default_factory=list)


def to_canceled(result: CancelResultWire, known: Order, now_ms: int) -> Order:
    """``known`` canceled at ``now_ms`` (the result carries no time; its fills as last known).
    Malformed when the result is not a success or names another order."""
    if not result.success:
        raise unexpected(f"order {known.order_id}: the cancel was not accepted")
    if result.order_id and result.order_id != known.order_id:
        raise unexpected(f"order {known.order_id}: cancel result for {result.order_id!r}")
    return canceled_order(known, now_ms)


class FillWire(Struct):
    trade_id: str
    order_id: str
    trade_time: str
    price: str
    size: str
    side: str
    product_id: str = ""
    commission: str = "0"
    liquidity_indicator: str = ""
    size_in_quote: bool = False
    entry_id: str = ""
    sequence_timestamp: str = ""
    trade_type: str = ""


def is_trade_fill(wire: FillWire) -> bool:
    """Whether the row is an execution (``trade_type`` ``FILL``). ``REVERSAL``, ``CORRECTION``
    and ``SYNTHETIC`` rows adjust an earlier fill and repeat its ``trade_id``: a `Fill` cannot
    say so, they are left out (and logged)."""
    return wire.trade_type in ("", "FILL")


class FillsReplyWire(Struct):
    fills: list[FillWire] = field(default_factory=list)
    cursor: str = ""


def to_fill(wire: FillWire, symbol: Symbol, client_order_id: str | None = None) -> Fill:
    """A fill; Coinbase charges spot commission in the quote currency."""
    where = f"fill {wire.trade_id}"
    price = num(wire.price, f"{where} price")
    size = num(wire.size, f"{where} size")
    # a fill of an order sized in quote currency: base = size / price, to the finest base
    # increment Coinbase lists (the division does not end)
    quantity = (size / price).quantize(QUOTE_SIZED_STEP) if wire.size_in_quote else size
    return Fill(
        symbol=symbol,
        order_id=wire.order_id,
        client_order_id=client_order_id,
        trade_id=wire.trade_id,
        side=side_of(wire.side),
        price=price,
        quantity=quantity,
        fee=num(wire.commission or "0", f"{where} commission"),
        fee_asset=symbol.quote,
        is_maker=wire.liquidity_indicator == "MAKER",
        timestamp=ms(wire.trade_time, f"{where} trade_time"),
    )


# ============================================================================ account


class AmountWire(Struct):
    value: str
    currency: str = ""


class AccountWire(Struct):
    currency: str
    available_balance: AmountWire
    hold: AmountWire | None = None
    uuid: str = ""
    name: str = ""
    active: bool = True
    type: str = ""
    retail_portfolio_id: str = ""


class AccountsReplyWire(Struct):
    accounts: list[AccountWire] = field(default_factory=list)
    has_next: bool = False
    cursor: str = ""


def to_balance(wire: AccountWire, wallet: str) -> Balance:
    where = f"account {wire.currency}"
    hold = num(wire.hold.value, f"{where} hold") if wire.hold is not None else Decimal(0)
    return Balance(
        asset=wire.currency,
        free=num(wire.available_balance.value, f"{where} available_balance"),
        locked=hold,
        wallet=wallet,
    )


class FeeTierWire(Struct):
    maker_fee_rate: str
    taker_fee_rate: str
    pricing_tier: str = ""


class TransactionSummaryWire(Struct):
    fee_tier: FeeTierWire


def to_fee(wire: TransactionSummaryWire, symbol: Symbol) -> FeeRate:
    """The account's fee tier (Coinbase's rates hold for every spot product)."""
    return FeeRate(
        symbol=symbol,
        maker=num(wire.fee_tier.maker_fee_rate, "maker_fee_rate"),
        taker=num(wire.fee_tier.taker_fee_rate, "taker_fee_rate"),
    )


class PortfolioWire(Struct):
    uuid: str
    name: str = ""
    type: str = ""
    deleted: bool = False


class PortfoliosReplyWire(Struct):
    portfolios: list[PortfolioWire] = field(default_factory=list)


class MoveFundsReplyWire(Struct):
    source_portfolio_uuid: str = ""
    target_portfolio_uuid: str = ""


# ============================================================================ WebSocket


class L2UpdateWire(Struct):
    side: str
    price_level: str
    new_quantity: str
    event_time: str = ""


class L2EventWire(Struct):
    type: str
    product_id: str = ""
    updates: list[L2UpdateWire] = field(default_factory=list)


class L2MessageWire(Struct):
    channel: str
    sequence_num: int
    timestamp: str = ""
    events: list[L2EventWire] = field(default_factory=list)


def split_updates(updates: list[L2UpdateWire]) -> tuple[list[TextLevel], list[TextLevel]]:
    """``(bids, asks)`` as text levels; ``new_quantity`` is the level's new size ("0" removes)."""
    bids: list[TextLevel] = []
    asks: list[TextLevel] = []
    for u in updates:
        if u.side == "bid":
            bids.append((u.price_level, u.new_quantity))
        elif u.side in ("offer", "ask"):
            asks.append((u.price_level, u.new_quantity))
        else:
            raise unexpected(f"unknown l2 side {u.side!r}")
    return bids, asks


class WsTradeWire(Struct):
    trade_id: str
    product_id: str
    price: str
    size: str
    side: str
    time: str


class TradesEventWire(Struct):
    type: str
    trades: list[WsTradeWire] = field(default_factory=list)


class TradesMessageWire(Struct):
    channel: str
    sequence_num: int = 0
    timestamp: str = ""
    events: list[TradesEventWire] = field(default_factory=list)


def ws_trade(wire: WsTradeWire, symbol: Symbol) -> Trade:
    """A ``market_trades`` trade; ``side`` on the wire is the maker's, `Trade.side` the taker's."""
    return Trade(
        symbol=symbol,
        trade_id=wire.trade_id,
        price=num(wire.price, "trade price"),
        quantity=num(wire.size, "trade size"),
        side=taker_side(wire.side),
        timestamp=ms(wire.time, "trade time"),
    )


class UserOrderWire(Struct):
    order_id: str
    product_id: str
    status: str
    order_side: str
    client_order_id: str = ""
    cumulative_quantity: str = "0"
    leaves_quantity: str = "0"
    avg_price: str = ""
    total_fees: str = ""
    order_type: str = ""
    limit_price: str = ""
    time_in_force: str = ""
    post_only: bool = False
    creation_time: str = ""
    product_type: str = ""


class UserEventWire(Struct):
    type: str
    orders: list[UserOrderWire] = field(default_factory=list)


class UserMessageWire(Struct):
    channel: str
    sequence_num: int = 0
    timestamp: str = ""
    events: list[UserEventWire] = field(default_factory=list)


_TIF: Mapping[str, TimeInForce] = {
    "GOOD_UNTIL_CANCELLED": TimeInForce.GTC,
    "GOOD_UNTIL_DATE_TIME": TimeInForce.GTC,
    "IMMEDIATE_OR_CANCEL": TimeInForce.IOC,
    "FILL_OR_KILL": TimeInForce.FOK,
}
_ORDER_TYPE: Mapping[str, OrderType] = {"LIMIT": OrderType.LIMIT, "MARKET": OrderType.MARKET}


def is_user_handled(wire: UserOrderWire) -> bool:
    """Whether a ``user`` push is of an order kind `user_order` converts (limit or market; not
    stop, bracket, TWAP... placed elsewhere) with a known status."""
    return wire.order_type.upper() in _ORDER_TYPE and wire.status != UNKNOWN_STATUS


def user_order(
    wire: UserOrderWire, symbol: Symbol, known_quantity: Decimal | None, now_ms: int
) -> Order:
    """An order from a ``user`` channel push. Pushes carry no original size: it is
    ``cumulative + leaves`` while the order lives, and what the stream last knew once
    ``leaves`` drops to 0 on a cancel (``known_quantity``).

    Nor do they carry the time of the change: ``updated_at`` is the creation time, the one
    time known (``now_ms`` only stands in for a missing ``creation_time``). Not the time of
    receipt: a REST read of the same order (``updated_at`` = its creation or last fill time)
    made after the push must not look older than it, or the catch-up after a gap would drop a
    cancel that happened in the gap as stale."""
    where = f"order {wire.order_id}"
    filled = num(wire.cumulative_quantity or "0", f"{where} cumulative_quantity")
    leaves = num(wire.leaves_quantity or "0", f"{where} leaves_quantity")
    quantity = filled + leaves
    if known_quantity is not None and known_quantity > quantity:
        quantity = known_quantity
    kind = _lookup(_ORDER_TYPE, wire.order_type.upper(), "order_type")
    tif = (
        _lookup(_TIF, wire.time_in_force, "time_in_force")
        if wire.time_in_force and wire.time_in_force != "UNKNOWN_TIME_IN_FORCE"
        else None
    )
    if tif is None:
        tif = TimeInForce.IOC if kind is OrderType.MARKET else TimeInForce.GTC
    if wire.post_only and kind is OrderType.LIMIT:
        tif = TimeInForce.POST_ONLY
    average = opt_num(wire.avg_price, f"{where} avg_price")
    created = ms(wire.creation_time, f"{where} creation_time") if wire.creation_time else now_ms
    return Order(
        symbol=symbol,
        order_id=wire.order_id,
        client_order_id=wire.client_order_id or None,
        side=side_of(wire.order_side),
        type=kind,
        time_in_force=tif,
        quantity=quantity,
        price=opt_num(wire.limit_price, f"{where} limit_price"),
        filled_quantity=filled,
        average_price=average if filled > 0 and average else None,
        status=order_status(wire.status, filled),
        reduce_only=False,
        created_at=created,
        updated_at=created,
    )


def decode(raw: bytes | msgspec.Raw, kind: type[V]) -> V:
    return msgspec.json.decode(raw, type=kind)
