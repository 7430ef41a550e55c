"""Bybit v5 payloads as msgspec structs, and their conversion to and from core types.

Bybit sends numbers as JSON strings and an absent value as ``""`` (``avgPrice``, ``liqPrice``,
``mmDeduction``...). Such fields decode as text and convert through `num`/`opt_num`: ``""`` is
None where the value may be absent, anything that is not a number raises `ExchangeError`, never
0. Book levels stay text (``(price, qty)``) for the book engine. Every enum value is mapped
explicitly; an unknown one raises `ExchangeError`.
"""

# ruff: noqa: N815  (wire structs keep Bybit's field names, so they match its docs)

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
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
    Deposit,
    FeeRate,
    Fill,
    FundingRate,
    Instrument,
    LeverageBracket,
    MarginMode,
    MarketKind,
    MarkPrice,
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

ZERO = Decimal(0)
V = TypeVar("V")
TextLevel = tuple[str, str]

SPOT = "spot"
LINEAR = "linear"
CATEGORY: Mapping[MarketKind, str] = {MarketKind.SPOT: SPOT, MarketKind.LINEAR: LINEAR}
KIND: Mapping[str, MarketKind] = {SPOT: MarketKind.SPOT, LINEAR: MarketKind.LINEAR}


_CHECK = WireCheck("bybit")
unexpected = _CHECK.unexpected  # a payload that decoded but breaks Bybit's documented values
_lookup = _CHECK.lookup


def num(text: str | int | float, what: str = "number") -> Decimal:
    """A decimal from Bybit's text; anything else (``""`` included) raises `ExchangeError`."""
    try:
        value = Decimal(text) if isinstance(text, str) else Decimal(str(text))
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise unexpected(f"{what}: {text!r} is not a number")
    return value


def opt_num(text: str, what: str = "number") -> Decimal | None:
    """Like `num`, but ``""`` (Bybit's "no value") is None."""
    return None if text == "" else num(text, what)


def ms(text: str | int, what: str = "timestamp") -> int:
    """A millisecond timestamp sent as text (``"1672052955758"``) or as a number."""
    if isinstance(text, int):
        return text
    if not text.isdigit():
        raise unexpected(f"{what}: {text!r} is not a timestamp")
    return int(text)


# ============================================================================ envelope results


class IdsWire(Struct):
    """``result`` of ``/v5/order/create``, ``/amend`` and ``/cancel`` (and a ``cancel-all``
    item): the order's ids only."""

    orderId: str
    orderLinkId: str = ""


class CodeMsgWire(Struct):
    code: int = 0
    msg: str = ""


class ExtInfoWire(Struct):
    items: list[CodeMsgWire] = field(default_factory=list, name="list")


# ============================================================================ instruments


class PriceFilterWire(Struct):
    tickSize: str


class LotSizeFilterWire(Struct):
    basePrecision: str = ""  # spot
    qtyStep: str = ""  # linear
    minOrderQty: str = ""
    maxOrderQty: str = ""
    maxLimitOrderQty: str = ""  # spot
    minOrderAmt: str = ""  # spot
    minNotionalValue: str = ""  # linear


class InstrumentWire(Struct):
    symbol: str
    baseCoin: str
    quoteCoin: str
    status: str
    priceFilter: PriceFilterWire
    lotSizeFilter: LotSizeFilterWire
    contractType: str = ""  # linear
    settleCoin: str = ""  # linear


class InstrumentsWire(Struct):
    items: list[InstrumentWire] = field(default_factory=list, name="list")
    nextPageCursor: str = ""


def to_instrument(wire: InstrumentWire, category: str) -> Instrument | None:
    """An `Instrument`, or None for markets LotusX does not name (dated futures, inverse)."""
    lot = wire.lotSizeFilter
    if category == LINEAR:
        if wire.contractType != "LinearPerpetual" or wire.settleCoin != wire.quoteCoin:
            return None
        symbol = Symbol(wire.baseCoin, wire.quoteCoin, wire.settleCoin)
        step_text, notional_text, max_text = lot.qtyStep, lot.minNotionalValue, lot.maxOrderQty
    else:
        symbol = Symbol(wire.baseCoin, wire.quoteCoin)
        step_text, notional_text = lot.basePrecision, lot.minOrderAmt
        max_text = lot.maxLimitOrderQty or lot.maxOrderQty
    where = f"{category} {wire.symbol}"
    tick = num(wire.priceFilter.tickSize, f"{where} tickSize")
    step = num(step_text, f"{where} quantity step")
    if tick <= 0 or step <= 0:
        raise unexpected(f"{where}: non-positive tick {tick} or step {step}")
    min_qty = opt_num(lot.minOrderQty, f"{where} minOrderQty") or step
    max_qty = opt_num(max_text, f"{where} maxOrderQty")
    min_notional = opt_num(notional_text, f"{where} min notional")
    return Instrument(
        symbol=symbol,
        native_id=wire.symbol,
        tick_size=plain(tick),
        lot_size=plain(step),
        min_quantity=plain(min_qty),
        max_quantity=plain(max_qty) if max_qty else None,
        min_notional=plain(min_notional) if min_notional else None,
        active=wire.status == "Trading",
    )


# ============================================================================ market data


class ServerTimeWire(Struct):
    timeSecond: str
    timeNano: str = ""


def server_ms(wire: ServerTimeWire) -> int:
    """Milliseconds from ``timeNano`` (precise), else ``timeSecond``."""
    if wire.timeNano.isdigit():
        return int(wire.timeNano) // 1_000_000
    return ms(wire.timeSecond, "timeSecond") * 1000


class MaintenanceWire(Struct):
    title: str = ""
    state: str = ""
    begin: str = ""
    end: str = ""


class SystemStatusWire(Struct):
    items: list[MaintenanceWire] = field(default_factory=list, name="list")


class BookWire(Struct):
    """REST ``/v5/market/orderbook`` and the ``data`` of WS ``orderbook.*`` messages."""

    s: str
    b: list[TextLevel]
    a: list[TextLevel]
    u: int  # required: a book without its ids cannot be placed in the sequence
    seq: int  # the cross sequence: what `OrderBook.sequence` carries
    ts: int = 0
    cts: int = 0


def _levels(levels: list[TextLevel], depth: int) -> tuple[BookLevel, ...]:
    try:
        return levels_from_text(levels, depth)
    except ValueError as exc:
        raise unexpected(f"malformed book level: {exc}") from exc


def to_orderbook(wire: BookWire, symbol: Symbol, depth: int, now_ms: int) -> OrderBook:
    return OrderBook(
        symbol=symbol,
        bids=_levels(wire.b, depth),
        asks=_levels(wire.a, depth),
        sequence=wire.seq,
        timestamp=wire.ts or now_ms,
    )


_SIDE: Mapping[str, Side] = {"Buy": Side.BUY, "Sell": Side.SELL}
_SIDE_OUT: Mapping[Side, str] = {Side.BUY: "Buy", Side.SELL: "Sell"}


def side_of(value: str) -> Side:
    return _lookup(_SIDE, value, "side")


class TradeWire(Struct):
    execId: str
    price: str
    size: str
    side: str
    time: str
    symbol: str = ""


class TradesWire(Struct):
    items: list[TradeWire] = field(default_factory=list, name="list")


def to_trade(wire: TradeWire, symbol: Symbol) -> Trade:
    return Trade(
        symbol,
        wire.execId,
        num(wire.price, "trade price"),
        num(wire.size, "trade size"),
        side_of(wire.side),
        ms(wire.time),
    )


# Unified interval → Bybit ``interval``, and its length in ms (month: 31 days, an upper bound).
INTERVALS: Mapping[str, tuple[str, int]] = {
    "1m": ("1", 60_000),
    "3m": ("3", 180_000),
    "5m": ("5", 300_000),
    "15m": ("15", 900_000),
    "30m": ("30", 1_800_000),
    "1h": ("60", 3_600_000),
    "2h": ("120", 7_200_000),
    "4h": ("240", 14_400_000),
    "6h": ("360", 21_600_000),
    "12h": ("720", 43_200_000),
    "1d": ("D", 86_400_000),
    "1w": ("W", 604_800_000),
    "1M": ("M", 2_678_400_000),
}
_INTERVAL_BACK = {native: unified for unified, (native, _) in INTERVALS.items()}


def native_interval(interval: str) -> str:
    found = INTERVALS.get(interval)
    if found is None:
        raise InvalidOrderError(
            "bybit", "interval", f"{interval!r} is not one of {', '.join(INTERVALS)}"
        )
    return found[0]


def unified_interval(native: str) -> str:
    return _lookup(_INTERVAL_BACK, native, "kline interval")


class KlinesWire(Struct):
    items: list[list[str]] = field(default_factory=list, name="list")


def to_candle(row: list[str], symbol: Symbol, interval: str, now_ms: int) -> Candle:
    """``[startTime, open, high, low, close, volume, turnover]``; closed once its span ended."""
    if len(row) < 6:
        raise unexpected(f"kline row too short: {row!r}")
    start = ms(row[0], "kline start")
    return Candle(
        symbol=symbol,
        interval=interval,
        open_time=start,
        open=num(row[1]),
        high=num(row[2]),
        low=num(row[3]),
        close=num(row[4]),
        volume=num(row[5]),
        closed=start + INTERVALS[interval][1] <= now_ms,
    )


class TickerWire(Struct):
    symbol: str
    lastPrice: str = ""
    bid1Price: str = ""
    ask1Price: str = ""
    highPrice24h: str = ""
    lowPrice24h: str = ""
    volume24h: str = ""
    markPrice: str = ""  # linear
    indexPrice: str = ""
    fundingRate: str = ""
    nextFundingTime: str = ""


class TickersWire(Struct):
    items: list[TickerWire] = field(default_factory=list, name="list")


def to_ticker(wire: TickerWire, symbol: Symbol, time_ms: int) -> Ticker:
    return Ticker(
        symbol=symbol,
        last=opt_num(wire.lastPrice),
        bid=opt_num(wire.bid1Price),
        ask=opt_num(wire.ask1Price),
        high_24h=opt_num(wire.highPrice24h),
        low_24h=opt_num(wire.lowPrice24h),
        volume_24h=opt_num(wire.volume24h),
        timestamp=time_ms,
    )


def to_mark_price(wire: TickerWire, symbol: Symbol, time_ms: int) -> MarkPrice:
    return MarkPrice(symbol, num(wire.markPrice, "markPrice"), opt_num(wire.indexPrice), time_ms)


def to_current_funding(wire: TickerWire, symbol: Symbol) -> FundingRate:
    """The running rate that settles at ``nextFundingTime``."""
    settles = ms(wire.nextFundingTime, "nextFundingTime")
    return FundingRate(symbol, num(wire.fundingRate, "fundingRate"), settles, settles)


class FundingWire(Struct):
    symbol: str
    fundingRate: str
    fundingRateTimestamp: str


class FundingHistoryWire(Struct):
    items: list[FundingWire] = field(default_factory=list, name="list")


def to_funding(wire: FundingWire, symbol: Symbol) -> FundingRate:
    return FundingRate(symbol, num(wire.fundingRate), ms(wire.fundingRateTimestamp))


# ============================================================================ orders

_STATUS: Mapping[str, OrderStatus] = {
    "New": OrderStatus.NEW,
    "Created": OrderStatus.NEW,  # accepted, not yet in the book (private stream)
    "Untriggered": OrderStatus.NEW,
    "Triggered": OrderStatus.NEW,
    "PartiallyFilled": OrderStatus.PARTIALLY_FILLED,
    "Filled": OrderStatus.FILLED,
    "Cancelled": OrderStatus.CANCELED,
    "PartiallyFilledCanceled": OrderStatus.CANCELED,
    "Deactivated": OrderStatus.CANCELED,
    "Rejected": OrderStatus.REJECTED,
}
_TIF: Mapping[str, TimeInForce] = {
    "GTC": TimeInForce.GTC,
    "IOC": TimeInForce.IOC,
    "FOK": TimeInForce.FOK,
    "PostOnly": TimeInForce.POST_ONLY,
    "RPI": TimeInForce.POST_ONLY,  # retail price improvement orders are post-only
}
_TIF_OUT: Mapping[TimeInForce, str] = {
    TimeInForce.GTC: "GTC",
    TimeInForce.IOC: "IOC",
    TimeInForce.FOK: "FOK",
    TimeInForce.POST_ONLY: "PostOnly",
}
_TYPE: Mapping[str, OrderType] = {"Limit": OrderType.LIMIT, "Market": OrderType.MARKET}


def order_status(value: str) -> OrderStatus:
    return _lookup(_STATUS, value, "order status")


class OrderWire(Struct):
    """``/v5/order/realtime``, ``/v5/order/history`` rows and private ``order`` stream items."""

    orderId: str
    symbol: str
    side: str
    orderType: str
    orderStatus: str
    qty: str  # required, as cumExecQty: a missing size is not a zero
    cumExecQty: str
    price: str = ""
    orderLinkId: str = ""
    avgPrice: str = ""
    timeInForce: str = "GTC"
    reduceOnly: bool = False
    rejectReason: str = ""
    createdTime: str = "0"
    updatedTime: str = "0"
    category: str = ""  # private stream only


class OrdersWire(Struct):
    items: list[OrderWire] = field(default_factory=list, name="list")
    nextPageCursor: str = ""


def to_order(wire: OrderWire, symbol: Symbol) -> Order:
    kind = _lookup(_TYPE, wire.orderType, "order type")
    tif = _lookup(_TIF, wire.timeInForce or "GTC", "time in force")
    price = opt_num(wire.price, "order price")
    if kind is OrderType.LIMIT and (price is None or price <= 0):
        raise unexpected(f"limit order {wire.orderId!r} with price {wire.price!r}")
    filled = _CHECK.not_negative(num(wire.cumExecQty, "cumExecQty"), "cumExecQty")
    quantity = num(wire.qty, "qty")
    if kind is OrderType.LIMIT:  # a market buy on spot may be sized in quote until it fills
        _CHECK.positive(quantity, "qty")
    average = opt_num(wire.avgPrice, "avgPrice")
    created = ms(wire.createdTime or "0", "createdTime")
    return Order(
        symbol=symbol,
        order_id=wire.orderId,
        client_order_id=wire.orderLinkId or None,
        side=side_of(wire.side),
        type=kind,
        time_in_force=tif,
        quantity=_CHECK.not_negative(quantity, "qty"),
        price=None if kind is OrderType.MARKET or not price else price,
        filled_quantity=filled,
        average_price=average if average and filled > 0 else None,
        status=order_status(wire.orderStatus),
        reduce_only=wire.reduceOnly,
        created_at=created,
        updated_at=ms(wire.updatedTime or "0", "updatedTime") or created,
    )


def order_params(
    req: OrderRequest, category: str, native: str, client_id: str
) -> dict[str, object]:
    """``POST /v5/order/create`` (one-way mode). Spot market quantities are in the base coin
    (``marketUnit=baseCoin``; Bybit's default for a market buy is the quote amount)."""
    params: dict[str, object] = {
        "category": category,
        "symbol": native,
        "side": _SIDE_OUT[req.side],
        "orderType": "Limit" if req.type is OrderType.LIMIT else "Market",
        "qty": req.quantity,
    }
    if req.type is OrderType.LIMIT:
        params["price"] = req.price
        params["timeInForce"] = _TIF_OUT[req.time_in_force]
    elif req.time_in_force is TimeInForce.FOK:
        raise InvalidOrderError(
            str(req.symbol), "time_in_force", "Bybit market orders are always IOC"
        )
    elif category == SPOT:
        params["marketUnit"] = "baseCoin"
    if category == LINEAR:
        params["positionIdx"] = 0
    if req.reduce_only:
        params["reduceOnly"] = True
    params["orderLinkId"] = client_id
    return params


def batch_item(params: Mapping[str, object]) -> dict[str, object]:
    """A ``request`` item of a batch call: the single-call parameters without ``category``."""
    return {k: v for k, v in params.items() if k != "category"}


class BatchItemWire(Struct):
    """A ``result.list`` item of ``create-batch``/``amend-batch``/``cancel-batch`` (its
    ``retExtInfo.list`` twin carries the item's code)."""

    symbol: str = ""
    orderId: str = ""
    orderLinkId: str = ""


class BatchResultWire(Struct):
    items: list[BatchItemWire] = field(default_factory=list, name="list")


def _acked_id(ack: IdsWire | BatchItemWire, order_id: str | None, link_id: str | None) -> str:
    """The ``orderId`` an acknowledgement names; `unexpected` when it names none, or another
    order than the one the request named."""
    if not ack.orderId:
        raise unexpected("order acknowledgement without an orderId")
    if order_id is not None and ack.orderId != order_id:
        raise unexpected(f"acknowledgement names order {ack.orderId!r}, not {order_id!r}")
    if link_id and ack.orderLinkId and ack.orderLinkId != link_id:
        raise unexpected(f"acknowledgement names orderLinkId {ack.orderLinkId!r}, not {link_id!r}")
    return ack.orderId


def to_placed(
    request: OrderRequest, ack: IdsWire | BatchItemWire, client_id: str, at_ms: int
) -> Order:
    """The order a ``create`` acknowledgement accepted: ACCEPTED, nothing filled (Bybit's ack
    tells no state; a post-only order that would take is canceled after it)."""
    return accepted_order(request, _acked_id(ack, None, client_id), client_id, at_ms)


def to_amended(
    known: Order, request: AmendRequest, ack: IdsWire | BatchItemWire, at_ms: int
) -> Order:
    """``known`` with the amendment an ``amend`` acknowledgement accepted (same order id)."""
    _acked_id(ack, known.order_id, known.client_order_id)
    return amended_order(known, request, at_ms)


def to_canceled(known: Order, ack: IdsWire | BatchItemWire, at_ms: int) -> Order:
    """``known`` canceled, as a ``cancel`` acknowledgement says (its fills as last known)."""
    _acked_id(ack, known.order_id, known.client_order_id)
    return canceled_order(known, at_ms)


class CancelAllWire(Struct):
    items: list[IdsWire] = field(default_factory=list, name="list")
    success: str = ""


# ============================================================================ fills


class ExecutionWire(Struct):
    symbol: str
    orderId: str
    execId: str
    side: str
    execPrice: str
    execQty: str
    execTime: str
    orderLinkId: str = ""
    execFee: str = "0"
    feeCurrency: str = ""
    isMaker: bool = False
    execType: str = "Trade"
    category: str = ""  # private stream only


class ExecutionsWire(Struct):
    items: list[ExecutionWire] = field(default_factory=list, name="list")
    nextPageCursor: str = ""


# Funding and settlement records are account events, not fills of orders.
NON_FILL_EXEC_TYPES = frozenset({"Funding", "Settle", "Delivery"})


def fee_asset(wire: ExecutionWire, symbol: Symbol) -> str:
    """``feeCurrency`` when Bybit names it; otherwise linear fees are in the settle coin and spot
    fees in the asset received (base for a buy, quote for a sell)."""
    if wire.feeCurrency:
        return wire.feeCurrency
    if symbol.settle is not None:
        return symbol.settle
    return symbol.base if side_of(wire.side) is Side.BUY else symbol.quote


def to_fill(wire: ExecutionWire, symbol: Symbol) -> Fill:
    return Fill(
        symbol=symbol,
        order_id=wire.orderId,
        client_order_id=wire.orderLinkId or None,
        trade_id=wire.execId,
        side=side_of(wire.side),
        price=num(wire.execPrice, "execPrice"),
        quantity=num(wire.execQty, "execQty"),
        fee=num(wire.execFee or "0", "execFee"),
        fee_asset=fee_asset(wire, symbol),
        is_maker=wire.isMaker,
        timestamp=ms(wire.execTime, "execTime"),
    )


# ============================================================================ account


class WalletCoinWire(Struct):
    coin: str
    walletBalance: str = "0"
    locked: str = "0"


class WalletAccountWire(Struct):
    accountType: str
    coin: list[WalletCoinWire] = []


class WalletWire(Struct):
    items: list[WalletAccountWire] = field(default_factory=list, name="list")


def wallet_balances(account: WalletAccountWire, wallet: str) -> list[Balance]:
    """``locked`` is what open spot orders hold; free is the rest of the wallet balance."""
    out: list[Balance] = []
    for coin in account.coin:
        total = opt_num(coin.walletBalance, "walletBalance") or ZERO
        locked = opt_num(coin.locked, "locked") or ZERO
        if total or locked:
            out.append(Balance(coin.coin, total - locked, locked, wallet))
    return out


class FundCoinWire(Struct):
    coin: str
    walletBalance: str = "0"
    transferBalance: str = ""


class FundBalanceWire(Struct):
    accountType: str = ""
    balance: list[FundCoinWire] = []


def fund_balances(wire: FundBalanceWire, wallet: str) -> list[Balance]:
    """Funding wallet: free is what can be transferred out, the rest is locked."""
    out: list[Balance] = []
    for coin in wire.balance:
        total = opt_num(coin.walletBalance, "walletBalance") or ZERO
        free = opt_num(coin.transferBalance, "transferBalance")
        free = total if free is None else free
        if total:
            out.append(Balance(coin.coin, free, total - free, wallet))
    return out


class PositionWire(Struct):
    """``/v5/position/list`` rows (``avgPrice``) and private ``position`` items (``entryPrice``)."""

    symbol: str
    side: str = ""
    size: str = "0"
    avgPrice: str = ""
    entryPrice: str = ""
    markPrice: str = ""
    unrealisedPnl: str = ""
    leverage: str = ""
    tradeMode: int = 0
    positionIM: str = ""
    liqPrice: str = ""
    updatedTime: str = "0"
    positionIdx: int = 0
    category: str = ""


class PositionsWire(Struct):
    items: list[PositionWire] = field(default_factory=list, name="list")
    nextPageCursor: str = ""


def to_position(wire: PositionWire, symbol: Symbol, leverage: Decimal | None = None) -> Position:
    size = num(wire.size or "0", "size")
    side = (
        PositionSide.FLAT
        if size == 0
        else PositionSide.LONG
        if wire.side == "Buy"
        else PositionSide.SHORT
        if wire.side == "Sell"
        else None
    )
    if side is None:
        raise unexpected(f"position side {wire.side!r} with size {size}")
    mode = MarginMode.ISOLATED if wire.tradeMode == 1 else MarginMode.CROSS
    entry = opt_num(wire.avgPrice or wire.entryPrice, "entry price")
    liquidation = opt_num(wire.liqPrice, "liqPrice")
    return Position(
        symbol=symbol,
        side=side,
        quantity=abs(size),
        entry_price=entry or None,
        mark_price=opt_num(wire.markPrice, "markPrice") or None,
        unrealized_pnl=opt_num(wire.unrealisedPnl, "unrealisedPnl") or ZERO,
        leverage=opt_num(wire.leverage, "leverage") or leverage or ZERO,
        margin_mode=mode,
        margin=opt_num(wire.positionIM, "positionIM") if mode is MarginMode.ISOLATED else None,
        liquidation_price=liquidation or None,
        timestamp=ms(wire.updatedTime or "0", "updatedTime"),
    )


class FeeWire(Struct):
    makerFeeRate: str
    takerFeeRate: str
    symbol: str = ""


class FeesWire(Struct):
    items: list[FeeWire] = field(default_factory=list, name="list")


def to_fee(wire: FeeWire, symbol: Symbol) -> FeeRate:
    return FeeRate(symbol, num(wire.makerFeeRate), num(wire.takerFeeRate))


class RiskLimitWire(Struct):
    id: int
    symbol: str
    riskLimitValue: str
    maintenanceMargin: str | float | int
    maxLeverage: str
    mmDeduction: str = ""
    initialMargin: str | float | int = ""


class RiskLimitsWire(Struct):
    items: list[RiskLimitWire] = field(default_factory=list, name="list")
    nextPageCursor: str = ""


def to_brackets(rows: list[RiskLimitWire], symbol: Symbol) -> list[LeverageBracket]:
    """Tiers by ascending ``riskLimitValue`` (the tier's notional cap; its floor is the previous
    cap); ``maintenanceMargin`` is the rate, ``mmDeduction`` the maintenance amount."""
    ordered = sorted(rows, key=lambda r: num(r.riskLimitValue, "riskLimitValue"))
    out: list[LeverageBracket] = []
    floor = ZERO
    for tier, row in enumerate(ordered, start=1):
        cap = num(row.riskLimitValue, "riskLimitValue")
        out.append(
            LeverageBracket(
                symbol=symbol,
                tier=tier,
                notional_floor=floor,
                notional_cap=cap,
                max_leverage=num(row.maxLeverage, "maxLeverage"),
                maintenance_margin_rate=num(row.maintenanceMargin, "maintenanceMargin"),
                maintenance_amount=opt_num(row.mmDeduction, "mmDeduction") or ZERO,
            )
        )
        floor = cap
    return out


class QueryApiWire(Struct):
    userID: int | str


# ============================================================================ funds


class SubMemberWire(Struct):
    uid: str | int
    username: str = ""
    status: int = 1  # 1 normal, 2 login banned, 4 frozen


class SubMembersWire(Struct):
    subMembers: list[SubMemberWire] = []


class TransferResultWire(Struct):
    transferId: str
    status: str = ""


_TRANSFER_STATUS: Mapping[str, TransferStatus] = {
    "SUCCESS": TransferStatus.COMPLETED,
    "PENDING": TransferStatus.PENDING,
    "FAILED": TransferStatus.FAILED,
    "": TransferStatus.PENDING,  # accepted, outcome not reported
}


def transfer_status(value: str) -> TransferStatus:
    return _lookup(_TRANSFER_STATUS, value, "transfer status")


class WithdrawIdWire(Struct):
    id: str | int


_WITHDRAW_STATUS: Mapping[str, TransferStatus] = {
    "SecurityCheck": TransferStatus.PENDING,
    "Pending": TransferStatus.PENDING,
    "MoreInformationRequired": TransferStatus.PENDING,
    "Unknown": TransferStatus.PENDING,
    "BlockchainConfirmed": TransferStatus.PROCESSING,
    "success": TransferStatus.COMPLETED,
    "CancelByUser": TransferStatus.CANCELED,
    "Reject": TransferStatus.FAILED,
    "Fail": TransferStatus.FAILED,
}
_DEPOSIT_STATUS: Mapping[int, TransferStatus] = {
    0: TransferStatus.PENDING,  # unknown
    1: TransferStatus.PENDING,  # to be confirmed
    2: TransferStatus.PROCESSING,
    3: TransferStatus.COMPLETED,
    4: TransferStatus.FAILED,
    10011: TransferStatus.PROCESSING,  # pending to be credited to the funding pool
    10012: TransferStatus.COMPLETED,  # credited to the funding pool
}


class WithdrawRecordWire(Struct):
    withdrawId: str
    coin: str
    amount: str
    status: str
    createTime: str
    chain: str = ""
    withdrawFee: str = ""
    toAddress: str = ""
    txID: str = ""


class WithdrawRecordsWire(Struct):
    rows: list[WithdrawRecordWire] = []
    nextPageCursor: str = ""


def to_withdrawal(wire: WithdrawRecordWire) -> Withdrawal:
    return Withdrawal(
        withdrawal_id=wire.withdrawId,
        asset=wire.coin,
        amount=num(wire.amount, "amount"),
        address=wire.toAddress,
        network=wire.chain or None,
        fee=opt_num(wire.withdrawFee, "withdrawFee"),
        status=_lookup(_WITHDRAW_STATUS, wire.status, "withdrawal status"),
        tx_id=wire.txID or None,
        timestamp=ms(wire.createTime, "createTime"),
    )


class DepositRecordWire(Struct):
    coin: str
    amount: str
    status: int
    id: str = ""
    chain: str = ""
    txID: str = ""
    toAddress: str = ""
    successAt: str = ""


class DepositRecordsWire(Struct):
    rows: list[DepositRecordWire] = []
    nextPageCursor: str = ""


def to_deposit(wire: DepositRecordWire) -> Deposit:
    status = _DEPOSIT_STATUS.get(wire.status)
    if status is None:
        raise unexpected(f"unknown deposit status {wire.status}")
    return Deposit(
        deposit_id=wire.id or wire.txID,
        asset=wire.coin,
        amount=num(wire.amount, "amount"),
        address=wire.toAddress or None,
        network=wire.chain or None,
        status=status,
        tx_id=wire.txID or None,
        timestamp=ms(wire.successAt or "0", "successAt"),
    )


# ============================================================================ stream payloads


class WsMessageWire(Struct):
    """A data message of a public or private topic."""

    topic: str
    data: msgspec.Raw
    type: str = ""
    ts: int = 0
    cts: int = 0
    creationTime: int = 0


class PublicTradeWire(Struct):
    T: int
    S: str
    v: str
    p: str
    i: str
    s: str = ""


def public_trade(wire: PublicTradeWire, symbol: Symbol) -> Trade:
    return Trade(symbol, wire.i, num(wire.p), num(wire.v), side_of(wire.S), wire.T)


class KlineEventWire(Struct):
    start: int
    interval: str
    open: str
    close: str
    high: str
    low: str
    volume: str
    confirm: bool = False


def kline_event(wire: KlineEventWire, symbol: Symbol) -> Candle:
    return Candle(
        symbol,
        unified_interval(wire.interval),
        wire.start,
        num(wire.open),
        num(wire.high),
        num(wire.low),
        num(wire.close),
        num(wire.volume),
        closed=wire.confirm,
    )


class TickerEventWire(Struct):
    """``tickers.{symbol}``: a snapshot, then deltas carrying only the fields that changed."""

    symbol: str
    markPrice: str | None = None
    indexPrice: str | None = None


def decode_raw(raw: msgspec.Raw | bytes, kind: type[V]) -> V:
    return msgspec.json.decode(raw, type=kind)
