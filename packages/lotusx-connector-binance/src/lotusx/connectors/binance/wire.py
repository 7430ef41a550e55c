"""Binance payloads as msgspec structs, and their conversion to and from core types.

Binance sends decimals as JSON strings (leverage brackets as JSON numbers); fields typed
`Decimal` decode either exactly, and anything that is not a number fails decoding with a typed
error instead of becoming 0. Book levels stay text (``(price, qty)``) for the book engine.
Every enum value is mapped explicitly; an unknown one raises `ExchangeError`.
"""

# ruff: noqa: N815  (wire structs keep Binance's field names, so they match its docs)

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal

from msgspec import Struct

from lotusx.core.book import levels_from_text
from lotusx.core.types import (
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
    MarkPrice,
    Order,
    OrderBook,
    OrderRequest,
    OrderStatus,
    OrderType,
    Position,
    PositionSide,
    RateLimitRule,
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

from .endpoints import WINDOW_MS, Venue

ZERO = Decimal(0)
TextLevel = tuple[str, str]


_CHECK = WireCheck("binance")
unexpected = _CHECK.unexpected  # a payload that decoded but breaks Binance's documented values
_lookup = _CHECK.lookup


# ============================================================================ market metadata


class RateLimitWire(Struct):
    rateLimitType: str
    interval: str
    intervalNum: int
    limit: int


class FilterWire(Struct):
    filterType: str
    tickSize: Decimal | None = None
    minQty: Decimal | None = None
    maxQty: Decimal | None = None
    stepSize: Decimal | None = None
    minNotional: Decimal | None = None  # spot MIN_NOTIONAL / NOTIONAL
    notional: Decimal | None = None  # futures MIN_NOTIONAL


class SymbolWire(Struct):
    symbol: str
    status: str
    baseAsset: str
    quoteAsset: str
    filters: list[FilterWire] = []
    quotePrecision: int = 8
    marginAsset: str | None = None  # futures
    contractType: str | None = None  # futures


class ExchangeInfoWire(Struct):
    symbols: list[SymbolWire] = []
    rateLimits: list[RateLimitWire] = []
    serverTime: int = 0


def _filters(sym: SymbolWire) -> dict[str, FilterWire]:
    return {f.filterType: f for f in sym.filters}


def to_instrument(sym: SymbolWire, venue: Venue) -> Instrument | None:
    """An `Instrument`, or None for markets LotusX does not name (dated futures, odd margin)."""
    if venue is Venue.FUTURES:
        if sym.contractType != "PERPETUAL" or sym.marginAsset != sym.quoteAsset:
            return None
        symbol = Symbol(sym.baseAsset, sym.quoteAsset, sym.marginAsset)
    else:
        symbol = Symbol(sym.baseAsset, sym.quoteAsset)
    filters = _filters(sym)
    price, lot = filters.get("PRICE_FILTER"), filters.get("LOT_SIZE")
    if price is None or lot is None or lot.stepSize is None or lot.minQty is None:
        raise unexpected(f"{sym.symbol}: PRICE_FILTER/LOT_SIZE missing")
    tick = price.tickSize
    if tick is None or tick <= 0:  # a zero tick disables the rule: the quote precision governs
        tick = Decimal(1).scaleb(-sym.quotePrecision)
    step = lot.stepSize if lot.stepSize > 0 else Decimal(1).scaleb(-8)
    notional_filter = filters.get("NOTIONAL") or filters.get("MIN_NOTIONAL")
    min_notional = None
    if notional_filter is not None:
        min_notional = notional_filter.minNotional or notional_filter.notional
    return Instrument(
        symbol=symbol,
        native_id=sym.symbol,
        tick_size=plain(tick),
        lot_size=plain(step),
        min_quantity=plain(lot.minQty),
        max_quantity=plain(lot.maxQty) if lot.maxQty else None,
        min_notional=plain(min_notional) if min_notional else None,
        active=sym.status == "TRADING",
    )


def to_rate_limit_rule(rule: RateLimitWire, venue: Venue, used: int | None) -> RateLimitRule:
    window = WINDOW_MS.get(rule.interval)
    if window is None:
        raise unexpected(f"unknown rate-limit interval {rule.interval!r}")
    scope = "account" if rule.rateLimitType == "ORDERS" else "ip"
    return RateLimitRule(
        kind=f"{venue}:{rule.rateLimitType.lower()}",
        scope=scope,
        window_ms=window * rule.intervalNum,
        limit=rule.limit,
        used=used,
    )


class ServerTimeWire(Struct):
    serverTime: int


class SystemStatusWire(Struct):
    status: int
    msg: str = ""


class EmptyWire(Struct):
    pass


class CodeMsgWire(Struct):
    """``{"code": 200, "msg": "..."}`` success bodies (futures cancel-all) and item errors."""

    code: int | None = None
    msg: str = ""


# ============================================================================ market data


class DepthWire(Struct):
    lastUpdateId: int
    bids: list[TextLevel]
    asks: list[TextLevel]
    E: int | None = None
    T: int | None = None


def _levels(levels: list[TextLevel], depth: int) -> tuple[BookLevel, ...]:
    try:
        return levels_from_text(levels, depth)
    except ValueError as exc:
        raise unexpected(f"malformed book level: {exc}") from exc


def to_orderbook(wire: DepthWire, symbol: Symbol, depth: int, now_ms: int) -> OrderBook:
    return OrderBook(
        symbol=symbol,
        bids=_levels(wire.bids, depth),
        asks=_levels(wire.asks, depth),
        sequence=wire.lastUpdateId,
        timestamp=wire.T or wire.E or now_ms,
    )


class TradeWire(Struct):
    id: int
    price: Decimal
    qty: Decimal
    time: int
    isBuyerMaker: bool


def to_trade(wire: TradeWire, symbol: Symbol) -> Trade:
    side = Side.SELL if wire.isBuyerMaker else Side.BUY
    return Trade(symbol, str(wire.id), wire.price, wire.qty, side, wire.time)


class KlineWire(Struct, array_like=True):
    open_time: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    close_time: int
    quote_volume: Decimal | None = None
    trades: int | None = None
    taker_base: Decimal | None = None
    taker_quote: Decimal | None = None
    ignore: str | int | None = None


def to_candle(wire: KlineWire, symbol: Symbol, interval: str, now_ms: int) -> Candle:
    return Candle(
        symbol=symbol,
        interval=interval,
        open_time=wire.open_time,
        open=wire.open,
        high=wire.high,
        low=wire.low,
        close=wire.close,
        volume=wire.volume,
        closed=wire.close_time < now_ms,
    )


class Ticker24hWire(Struct):
    lastPrice: Decimal
    highPrice: Decimal
    lowPrice: Decimal
    volume: Decimal
    closeTime: int
    bidPrice: Decimal | None = None  # spot only
    askPrice: Decimal | None = None


class BookTickerWire(Struct):
    bidPrice: Decimal
    askPrice: Decimal
    time: int | None = None


def to_ticker(wire: Ticker24hWire, symbol: Symbol, book: BookTickerWire | None) -> Ticker:
    bid = book.bidPrice if book is not None else wire.bidPrice
    ask = book.askPrice if book is not None else wire.askPrice
    return Ticker(
        symbol=symbol,
        last=wire.lastPrice,
        bid=bid,
        ask=ask,
        high_24h=wire.highPrice,
        low_24h=wire.lowPrice,
        volume_24h=wire.volume,
        timestamp=wire.closeTime,
    )


class PremiumIndexWire(Struct):
    symbol: str
    markPrice: Decimal
    indexPrice: Decimal
    lastFundingRate: Decimal
    nextFundingTime: int
    time: int


def to_mark_price(wire: PremiumIndexWire, symbol: Symbol) -> MarkPrice:
    return MarkPrice(symbol, wire.markPrice, wire.indexPrice, wire.time)


def to_current_funding(wire: PremiumIndexWire, symbol: Symbol) -> FundingRate:
    """The rate that settles at ``nextFundingTime`` (Binance's running estimate)."""
    return FundingRate(symbol, wire.lastFundingRate, wire.nextFundingTime, wire.nextFundingTime)


class FundingRateWire(Struct):
    symbol: str
    fundingRate: Decimal
    fundingTime: int


def to_funding(wire: FundingRateWire, symbol: Symbol) -> FundingRate:
    return FundingRate(symbol, wire.fundingRate, wire.fundingTime)


# ============================================================================ orders

_STATUS: Mapping[str, OrderStatus] = {
    "NEW": OrderStatus.NEW,
    "PENDING_NEW": OrderStatus.NEW,
    "PARTIALLY_FILLED": OrderStatus.PARTIALLY_FILLED,
    "FILLED": OrderStatus.FILLED,
    "CANCELED": OrderStatus.CANCELED,
    "PENDING_CANCEL": OrderStatus.CANCELED,
    "REJECTED": OrderStatus.REJECTED,
    "EXPIRED": OrderStatus.EXPIRED,
    "EXPIRED_IN_MATCH": OrderStatus.EXPIRED,
}
_TIF: Mapping[str, TimeInForce] = {
    "GTC": TimeInForce.GTC,
    "GTD": TimeInForce.GTC,
    "IOC": TimeInForce.IOC,
    "FOK": TimeInForce.FOK,
    "GTX": TimeInForce.POST_ONLY,
}
# Conditional orders placed outside LotusX show as what they execute as.
_TYPE: Mapping[str, OrderType] = {
    "LIMIT": OrderType.LIMIT,
    "LIMIT_MAKER": OrderType.LIMIT,
    "STOP_LOSS_LIMIT": OrderType.LIMIT,
    "TAKE_PROFIT_LIMIT": OrderType.LIMIT,
    "STOP": OrderType.LIMIT,
    "TAKE_PROFIT": OrderType.LIMIT,
    "MARKET": OrderType.MARKET,
    "STOP_LOSS": OrderType.MARKET,
    "STOP_MARKET": OrderType.MARKET,
    "TAKE_PROFIT_MARKET": OrderType.MARKET,
    "TRAILING_STOP_MARKET": OrderType.MARKET,
}
_SIDE: Mapping[str, Side] = {"BUY": Side.BUY, "SELL": Side.SELL}


def order_status(value: str) -> OrderStatus:
    return _lookup(_STATUS, value, "order status")


def side_of(value: str) -> Side:
    return _lookup(_SIDE, value, "side")


def _type_tif(order_type: str, tif: str) -> tuple[OrderType, TimeInForce]:
    kind = _lookup(_TYPE, order_type, "order type")
    if order_type == "LIMIT_MAKER":
        return kind, TimeInForce.POST_ONLY
    return kind, _lookup(_TIF, tif or "GTC", "time in force")


def _price(value: Decimal, kind: OrderType) -> Decimal | None:
    """A limit order's positive price; a market order's ``0`` is no price."""
    if kind is OrderType.MARKET and value == 0:
        return None
    return _CHECK.positive(value, "order price")


def _sizes(quantity: Decimal, filled: Decimal, kind: OrderType) -> tuple[Decimal, Decimal]:
    """(quantity, filled): a limit order's size is positive (a market order sized in quote
    may show 0 until it fills); no filled size is negative."""
    if kind is OrderType.LIMIT:
        _CHECK.positive(quantity, "order quantity")
    return _CHECK.not_negative(quantity, "order quantity"), _CHECK.not_negative(
        filled, "order filled quantity"
    )


def _average(quote: Decimal | None, filled: Decimal) -> Decimal | None:
    return quote / filled if quote is not None and filled > 0 else None


class SpotOrderWire(Struct):
    """Spot order, cancel, and new-order (RESULT) shapes."""

    symbol: str
    orderId: int
    clientOrderId: str
    price: Decimal
    origQty: Decimal
    executedQty: Decimal
    status: str
    type: str
    side: str
    timeInForce: str = "GTC"
    cummulativeQuoteQty: Decimal | None = None
    origClientOrderId: str | None = None  # cancel shape: the order's own id
    time: int | None = None
    updateTime: int | None = None
    transactTime: int | None = None
    workingTime: int | None = None


def spot_order(wire: SpotOrderWire, symbol: Symbol, *, created_at: int | None = None) -> Order:
    """A spot order from any of its shapes (read, new-order RESULT/FULL ack, cancel ack).

    The cancel ack carries no creation time (its ``transactTime`` is the cancel's): pass the
    order's known ``created_at``.
    """
    kind, tif = _type_tif(wire.type, wire.timeInForce)
    quantity, filled = _sizes(wire.origQty, wire.executedQty, kind)
    created = created_at or wire.time or wire.workingTime or wire.transactTime or 0
    return Order(
        symbol=symbol,
        order_id=str(wire.orderId),
        client_order_id=wire.origClientOrderId or wire.clientOrderId,
        side=side_of(wire.side),
        type=kind,
        time_in_force=tif,
        quantity=quantity,
        price=_price(wire.price, kind),
        filled_quantity=filled,
        average_price=_average(wire.cummulativeQuoteQty, filled),
        status=order_status(wire.status),
        reduce_only=False,
        created_at=created,
        updated_at=wire.updateTime or wire.transactTime or created,
    )


class SpotAmendedWire(Struct):
    """``amendedOrder`` of amend/keepPriority (note ``qty`` and ``cumulativeQuoteQty``)."""

    symbol: str
    orderId: int
    clientOrderId: str
    price: Decimal
    qty: Decimal
    executedQty: Decimal
    status: str
    type: str
    side: str
    timeInForce: str = "GTC"
    cumulativeQuoteQty: Decimal | None = None
    workingTime: int | None = None


class SpotAmendWire(Struct):
    transactTime: int
    amendedOrder: SpotAmendedWire


def spot_amended(wire: SpotAmendWire, symbol: Symbol, created_at: int) -> Order:
    o = wire.amendedOrder
    kind, tif = _type_tif(o.type, o.timeInForce)
    quantity, filled = _sizes(o.qty, o.executedQty, kind)
    return Order(
        symbol=symbol,
        order_id=str(o.orderId),
        client_order_id=o.clientOrderId,
        side=side_of(o.side),
        type=kind,
        time_in_force=tif,
        quantity=quantity,
        price=_price(o.price, kind),
        filled_quantity=filled,
        average_price=_average(o.cumulativeQuoteQty, filled),
        status=order_status(o.status),
        reduce_only=False,
        created_at=created_at or o.workingTime or wire.transactTime,
        updated_at=wire.transactTime,
    )


class CancelReplaceWire(Struct):
    cancelResult: str
    newOrderResult: str
    cancelResponse: SpotOrderWire | None = None  # the cancel shape
    newOrderResponse: SpotOrderWire | None = None


def spot_replaced(wire: CancelReplaceWire, symbol: Symbol) -> Order:
    """The replacement order of a successful ``cancelReplace`` (its RESULT shape)."""
    if wire.newOrderResult != "SUCCESS" or wire.newOrderResponse is None:
        raise unexpected(f"cancelReplace answered {wire.newOrderResult!r} without a new order")
    return spot_order(wire.newOrderResponse, symbol)


class FuturesOrderWire(Struct):
    symbol: str
    orderId: int
    clientOrderId: str
    price: Decimal
    origQty: Decimal
    executedQty: Decimal
    status: str
    type: str
    side: str
    timeInForce: str = "GTC"
    avgPrice: Decimal | None = None
    reduceOnly: bool = False
    time: int | None = None
    updateTime: int | None = None


def futures_order(
    wire: FuturesOrderWire, symbol: Symbol, *, created_at: int | None = None
) -> Order:
    """A USDⓈ-M order from any of its shapes (read, new-order RESULT ack, modify and cancel
    acks). Only reads carry ``time``; the acks' ``updateTime`` is the action's, so a modify or
    cancel ack takes the order's known ``created_at``."""
    kind, tif = _type_tif(wire.type, wire.timeInForce)
    quantity, filled = _sizes(wire.origQty, wire.executedQty, kind)
    created = created_at or wire.time or wire.updateTime or 0
    avg = wire.avgPrice if wire.avgPrice and filled > 0 else None
    return Order(
        symbol=symbol,
        order_id=str(wire.orderId),
        client_order_id=wire.clientOrderId,
        side=side_of(wire.side),
        type=kind,
        time_in_force=tif,
        quantity=quantity,
        price=_price(wire.price, kind),
        filled_quantity=filled,
        average_price=avg,
        status=order_status(wire.status),
        reduce_only=wire.reduceOnly,
        created_at=created,
        updated_at=wire.updateTime or created,
    )


def spot_order_params(req: OrderRequest, native: str, client_id: str) -> dict[str, object]:
    """``POST /api/v3/order``: post-only is ``LIMIT_MAKER``; market orders take no TIF."""
    params: dict[str, object] = {"symbol": native, "side": req.side.value.upper()}
    if req.type is OrderType.MARKET:
        params["type"] = "MARKET"
    elif req.time_in_force is TimeInForce.POST_ONLY:
        params["type"] = "LIMIT_MAKER"
    else:
        params |= {"type": "LIMIT", "timeInForce": req.time_in_force.value.upper()}
    params |= {"quantity": req.quantity, "price": req.price}
    params |= {"newClientOrderId": client_id, "newOrderRespType": "RESULT"}
    return params


_FUT_TIF = {
    TimeInForce.GTC: "GTC",
    TimeInForce.IOC: "IOC",
    TimeInForce.FOK: "FOK",
    TimeInForce.POST_ONLY: "GTX",
}


def futures_order_params(req: OrderRequest, native: str, client_id: str) -> dict[str, object]:
    """``POST /fapi/v1/order`` (one-way mode): post-only is ``GTX``."""
    params: dict[str, object] = {
        "symbol": native,
        "side": req.side.value.upper(),
        "type": req.type.value.upper(),
    }
    if req.type is OrderType.LIMIT:
        params["timeInForce"] = _FUT_TIF[req.time_in_force]
    params |= {"quantity": req.quantity, "price": req.price}
    if req.reduce_only:
        params["reduceOnly"] = "true"
    params |= {"newClientOrderId": client_id, "newOrderRespType": "RESULT"}
    return params


def batch_item(params: Mapping[str, object]) -> dict[str, str]:
    """A ``batchOrders`` item: every value as a string."""
    out: dict[str, str] = {}
    for key, value in params.items():
        if value is None:
            continue
        out[key] = format(value, "f") if isinstance(value, Decimal) else str(value)
    return out


# ============================================================================ fills


class _FillWire(Struct):
    """The fields spot ``myTrades`` and futures ``userTrades`` rows share."""

    symbol: str
    id: int
    orderId: int
    price: Decimal
    qty: Decimal
    commission: Decimal
    commissionAsset: str
    time: int


class SpotFillWire(_FillWire):
    isBuyer: bool
    isMaker: bool


class FuturesFillWire(_FillWire):
    side: str
    maker: bool


def _fill(wire: _FillWire, symbol: Symbol, side: Side, is_maker: bool) -> Fill:
    return Fill(
        symbol=symbol,
        order_id=str(wire.orderId),
        client_order_id=None,
        trade_id=str(wire.id),
        side=side,
        price=wire.price,
        quantity=wire.qty,
        fee=wire.commission,
        fee_asset=wire.commissionAsset,
        is_maker=is_maker,
        timestamp=wire.time,
    )


def spot_fill(wire: SpotFillWire, symbol: Symbol) -> Fill:
    return _fill(wire, symbol, Side.BUY if wire.isBuyer else Side.SELL, wire.isMaker)


def futures_fill(wire: FuturesFillWire, symbol: Symbol) -> Fill:
    return _fill(wire, symbol, side_of(wire.side), wire.maker)


# ============================================================================ account


class SpotBalanceWire(Struct):
    asset: str
    free: Decimal
    locked: Decimal


class SpotAccountWire(Struct):
    balances: list[SpotBalanceWire]


def spot_balances(wire: SpotAccountWire) -> list[Balance]:
    return [Balance(b.asset, b.free, b.locked, "spot") for b in wire.balances if b.free or b.locked]


class FuturesBalanceWire(Struct):
    asset: str
    balance: Decimal
    crossWalletBalance: Decimal


def futures_balance(asset: str, wallet: Decimal, cross: Decimal) -> Balance:
    """Futures wallet: total = wallet balance; locked = what isolated positions hold."""
    return Balance(asset, cross, wallet - cross, "futures")


class PositionRiskWire(Struct):
    symbol: str
    positionAmt: Decimal
    entryPrice: Decimal
    markPrice: Decimal
    unRealizedProfit: Decimal
    liquidationPrice: Decimal
    leverage: Decimal
    marginType: str
    isolatedMargin: Decimal = ZERO
    positionSide: str = "BOTH"
    updateTime: int = 0


def margin_mode(value: str) -> MarginMode:
    text = value.lower()
    if text == "isolated":
        return MarginMode.ISOLATED
    if text in ("cross", "crossed"):
        return MarginMode.CROSS
    raise unexpected(f"unknown margin type {value!r}")


def position_side(amount: Decimal) -> PositionSide:
    return (
        PositionSide.LONG if amount > 0 else PositionSide.SHORT if amount < 0 else PositionSide.FLAT
    )


def to_position(wire: PositionRiskWire, symbol: Symbol) -> Position:
    mode = margin_mode(wire.marginType)
    return Position(
        symbol=symbol,
        side=position_side(wire.positionAmt),
        quantity=abs(wire.positionAmt),
        entry_price=wire.entryPrice or None,
        mark_price=wire.markPrice or None,
        unrealized_pnl=wire.unRealizedProfit,
        leverage=wire.leverage,
        margin_mode=mode,
        margin=wire.isolatedMargin if mode is MarginMode.ISOLATED else None,
        liquidation_price=wire.liquidationPrice or None,
        timestamp=wire.updateTime,
    )


class CommissionPairWire(Struct):
    maker: Decimal
    taker: Decimal


class SpotCommissionWire(Struct):
    standardCommission: CommissionPairWire


class FuturesCommissionWire(Struct):
    makerCommissionRate: Decimal
    takerCommissionRate: Decimal


def spot_fee(wire: SpotCommissionWire, symbol: Symbol) -> FeeRate:
    return FeeRate(symbol, wire.standardCommission.maker, wire.standardCommission.taker)


def futures_fee(wire: FuturesCommissionWire, symbol: Symbol) -> FeeRate:
    return FeeRate(symbol, wire.makerCommissionRate, wire.takerCommissionRate)


class BracketWire(Struct):
    bracket: int
    initialLeverage: Decimal
    notionalCap: Decimal
    notionalFloor: Decimal
    maintMarginRatio: Decimal
    cum: Decimal = ZERO


class SymbolBracketsWire(Struct):
    symbol: str
    brackets: list[BracketWire]


def to_brackets(wire: SymbolBracketsWire, symbol: Symbol) -> list[LeverageBracket]:
    return [
        LeverageBracket(
            symbol=symbol,
            tier=b.bracket,
            notional_floor=b.notionalFloor,
            notional_cap=b.notionalCap,
            max_leverage=b.initialLeverage,
            maintenance_margin_rate=b.maintMarginRatio,
            maintenance_amount=b.cum,
        )
        for b in sorted(wire.brackets, key=lambda b: b.bracket)
    ]


class LeverageWire(Struct):
    leverage: int
    symbol: str


# ============================================================================ funds


class SubAccountWire(Struct):
    email: str
    isFreeze: bool = False


class SubAccountListWire(Struct):
    subAccounts: list[SubAccountWire] = []


class TransferIdWire(Struct):
    tranId: int


class WithdrawIdWire(Struct):
    id: str


_DEPOSIT_STATUS: Mapping[int, TransferStatus] = {
    0: TransferStatus.PENDING,
    1: TransferStatus.COMPLETED,
    2: TransferStatus.FAILED,
    6: TransferStatus.COMPLETED,  # credited, not yet withdrawable
    7: TransferStatus.FAILED,  # wrong deposit
    8: TransferStatus.PENDING,  # waiting for the user's confirmation
}
_WITHDRAW_STATUS: Mapping[int, TransferStatus] = {
    0: TransferStatus.PENDING,  # email sent
    1: TransferStatus.CANCELED,
    2: TransferStatus.PENDING,  # awaiting approval
    3: TransferStatus.FAILED,  # rejected
    4: TransferStatus.PROCESSING,
    5: TransferStatus.FAILED,
    6: TransferStatus.COMPLETED,
}


class DepositWire(Struct):
    id: str | int
    amount: Decimal
    coin: str
    status: int
    insertTime: int
    network: str | None = None
    address: str | None = None
    txId: str | None = None


def to_deposit(wire: DepositWire) -> Deposit:
    status = _DEPOSIT_STATUS.get(wire.status)
    if status is None:
        raise unexpected(f"unknown deposit status {wire.status}")
    return Deposit(
        deposit_id=str(wire.id),
        asset=wire.coin,
        amount=wire.amount,
        address=wire.address or None,
        network=wire.network or None,
        status=status,
        tx_id=wire.txId or None,
        timestamp=wire.insertTime,
    )


class WithdrawWire(Struct):
    id: str
    amount: Decimal
    coin: str
    status: int
    address: str
    applyTime: str
    transactionFee: Decimal | None = None
    network: str | None = None
    txId: str | None = None
    withdrawOrderId: str | None = None


def parse_apply_time(text: str) -> int:
    """``"YYYY-MM-DD HH:MM:SS"`` (UTC) → ms."""
    try:
        moment = datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError as exc:
        raise unexpected(f"malformed applyTime {text!r}") from exc
    return int(moment.timestamp() * 1000)


def to_withdrawal(wire: WithdrawWire) -> Withdrawal:
    status = _WITHDRAW_STATUS.get(wire.status)
    if status is None:
        raise unexpected(f"unknown withdrawal status {wire.status}")
    return Withdrawal(
        withdrawal_id=wire.id,
        asset=wire.coin,
        amount=wire.amount,
        address=wire.address,
        network=wire.network or None,
        fee=wire.transactionFee,
        status=status,
        tx_id=wire.txId or None,
        timestamp=parse_apply_time(wire.applyTime),
    )


class ListenKeyWire(Struct):
    listenKey: str


# ============================================================================ stream payloads


class DepthEventWire(Struct):
    U: int
    u: int
    b: list[TextLevel]
    a: list[TextLevel]
    E: int = 0
    pu: int | None = None  # futures only


class TradeEventWire(Struct):
    """Spot ``@trade`` (``t``) and futures ``@aggTrade`` (``a``)."""

    p: Decimal
    q: Decimal
    T: int
    m: bool
    t: int | None = None
    a: int | None = None


def trade_event(wire: TradeEventWire, symbol: Symbol) -> Trade:
    trade_id = wire.t if wire.t is not None else wire.a
    if trade_id is None:
        raise unexpected("trade event without an id")
    side = Side.SELL if wire.m else Side.BUY
    return Trade(symbol, str(trade_id), wire.p, wire.q, side, wire.T)


class KlineBodyWire(Struct):
    t: int
    i: str
    o: Decimal
    c: Decimal
    h: Decimal
    l: Decimal  # noqa: E741 - Binance's name
    v: Decimal
    x: bool


class KlineEventWire(Struct):
    k: KlineBodyWire


def kline_event(wire: KlineEventWire, symbol: Symbol) -> Candle:
    k = wire.k
    return Candle(symbol, k.i, k.t, k.o, k.h, k.l, k.c, k.v, closed=k.x)


class MarkPriceEventWire(Struct):
    E: int
    p: Decimal
    i: Decimal | None = None


def mark_price_event(wire: MarkPriceEventWire, symbol: Symbol) -> MarkPrice:
    return MarkPrice(symbol, wire.p, wire.i, wire.E)


class EventTypeWire(Struct):
    e: str


class ExecutionReportWire(Struct):
    """Spot ``executionReport``."""

    E: int
    s: str
    c: str
    S: str
    o: str
    f: str
    q: Decimal
    p: Decimal
    x: str
    X: str
    i: int
    l: Decimal  # noqa: E741 - Binance's name
    z: Decimal
    L: Decimal
    n: Decimal
    T: int
    t: int
    m: bool
    O: int  # noqa: E741 - Binance's name
    C: str = ""
    N: str | None = None
    Z: Decimal | None = None


def execution_report(wire: ExecutionReportWire, symbol: Symbol) -> tuple[Order, Fill | None]:
    kind, tif = _type_tif(wire.o, wire.f)
    client_id = wire.C or wire.c  # on a cancel, ``c`` is the cancel's id and ``C`` the order's
    order = Order(
        symbol=symbol,
        order_id=str(wire.i),
        client_order_id=client_id,
        side=side_of(wire.S),
        type=kind,
        time_in_force=tif,
        quantity=wire.q,
        price=_price(wire.p, kind),
        filled_quantity=wire.z,
        average_price=_average(wire.Z, wire.z),
        status=order_status(wire.X),
        reduce_only=False,
        created_at=wire.O,
        updated_at=wire.T,
    )
    fill = None
    if wire.x == "TRADE":
        fill = Fill(
            symbol=symbol,
            order_id=order.order_id,
            client_order_id=client_id,
            trade_id=str(wire.t),
            side=order.side,
            price=wire.L,
            quantity=wire.l,
            fee=wire.n,
            fee_asset=wire.N or "",
            is_maker=wire.m,
            timestamp=wire.T,
        )
    return order, fill


class FuturesOrderUpdateBody(Struct):
    s: str
    c: str
    S: str
    o: str
    f: str
    q: Decimal
    p: Decimal
    ap: Decimal
    x: str
    X: str
    i: int
    l: Decimal  # noqa: E741 - Binance's name
    z: Decimal
    L: Decimal
    T: int
    t: int
    m: bool = False
    R: bool = False
    n: Decimal = ZERO
    N: str | None = None


class OrderTradeUpdateWire(Struct):
    E: int
    T: int
    o: FuturesOrderUpdateBody


def order_trade_update(wire: OrderTradeUpdateWire, symbol: Symbol) -> tuple[Order, Fill | None]:
    o = wire.o
    kind, tif = _type_tif(o.o, o.f)
    order = Order(
        symbol=symbol,
        order_id=str(o.i),
        client_order_id=o.c,
        side=side_of(o.S),
        type=kind,
        time_in_force=tif,
        quantity=o.q,
        price=_price(o.p, kind),
        filled_quantity=o.z,
        average_price=o.ap if o.z > 0 else None,
        status=order_status(o.X),
        reduce_only=o.R,
        created_at=o.T,
        updated_at=wire.T,
    )
    fill = None
    if o.x == "TRADE":
        fill = Fill(
            symbol=symbol,
            order_id=order.order_id,
            client_order_id=o.c,
            trade_id=str(o.t),
            side=order.side,
            price=o.L,
            quantity=o.l,
            fee=o.n,
            fee_asset=o.N or "",
            is_maker=o.m,
            timestamp=o.T,
        )
    return order, fill


class AccountPositionBalanceWire(Struct):
    a: str
    f: Decimal
    l: Decimal  # noqa: E741 - Binance's name


class OutboundAccountPositionWire(Struct):
    """Spot ``outboundAccountPosition``: the assets whose balance may have changed."""

    E: int
    B: list[AccountPositionBalanceWire]


def spot_balance_event(wire: OutboundAccountPositionWire) -> list[Balance]:
    return [Balance(b.a, b.f, b.l, "spot") for b in wire.B]


class UpdateBalanceWire(Struct):
    a: str
    wb: Decimal
    cw: Decimal


class UpdatePositionWire(Struct):
    s: str
    pa: Decimal
    ep: Decimal
    up: Decimal
    mt: str
    iw: Decimal = ZERO
    ps: str = "BOTH"


class AccountUpdateBodyWire(Struct):
    m: str = ""
    B: list[UpdateBalanceWire] = []
    P: list[UpdatePositionWire] = []


class AccountUpdateWire(Struct):
    """Futures ``ACCOUNT_UPDATE``."""

    E: int
    T: int
    a: AccountUpdateBodyWire


def update_position(
    wire: UpdatePositionWire, symbol: Symbol, leverage: Decimal, timestamp: int
) -> Position:
    mode = margin_mode(wire.mt)
    return Position(
        symbol=symbol,
        side=position_side(wire.pa),
        quantity=abs(wire.pa),
        entry_price=wire.ep or None,
        mark_price=None,
        unrealized_pnl=wire.up,
        leverage=leverage,
        margin_mode=mode,
        margin=wire.iw if mode is MarginMode.ISOLATED else None,
        liquidation_price=None,
        timestamp=timestamp,
    )


class LeverageConfigWire(Struct):
    s: str
    l: int  # noqa: E741 - Binance's name


class AccountConfigUpdateWire(Struct):
    """Futures ``ACCOUNT_CONFIG_UPDATE`` (``ac``: a leverage change)."""

    ac: LeverageConfigWire | None = None
