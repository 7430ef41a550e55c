"""OKX v5 payloads as msgspec structs, and their conversion to and from core types.

OKX sends every number as a JSON string, and an absent value as ``""`` (a market order's ``px``,
an order's ``avgPx`` before it fills), so numeric fields decode as text and convert through
`dec`/`opt_dec`: text that is not a number raises a typed `ExchangeError`, it never becomes 0.

Quantities. Spot sizes are in base units. Swap sizes (``sz``, ``accFillSz``, ``fillSz``, book
levels, trade sizes, ``pos``, tier bounds, volumes) are in **contracts** of ``ctVal`` base units;
LotusX speaks base units, so `to_contracts` and `from_contracts` convert at the wire in both
directions, and `to_contracts` refuses a base quantity that is not a whole number of lots of
contracts. Every enum value is mapped explicitly; an unknown one raises `ExchangeError`.
"""

# ruff: noqa: N815  (wire structs keep OKX's field names, so they match its docs)

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

import msgspec
from msgspec import Struct

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
    TierBasis,
    TimeInForce,
    Trade,
    TransferStatus,
    Withdrawal,
    plain,
)
from lotusx.core.wire import WireCheck

from .errors import ItemStatusWire

ZERO = Decimal(0)
ONE = Decimal(1)
TextLevel = tuple[str, str]

# instType of each market kind LotusX names on OKX
INST_TYPE: Mapping[MarketKind, str] = {MarketKind.SPOT: "SPOT", MarketKind.LINEAR: "SWAP"}
KIND_OF_INST_TYPE: Mapping[str, MarketKind] = {"SPOT": MarketKind.SPOT, "SWAP": MarketKind.LINEAR}


_CHECK = WireCheck("okx")
unexpected = _CHECK.unexpected  # a payload that decoded but breaks OKX's documented values
_lookup = _CHECK.lookup


def dec(text: str, what: str = "number") -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise unexpected(f"{what}: {text!r} is not a number") from None
    if not value.is_finite():
        raise unexpected(f"{what}: {text!r} is not a finite number")
    return value


def opt_dec(text: str, what: str = "number") -> Decimal | None:
    """``""`` (OKX's absent value) → None."""
    return None if text == "" else dec(text, what)


def ms(text: str | int, what: str = "timestamp") -> int:
    if isinstance(text, int):
        return text
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()):  # int() would also take " 1", "1_0", "١"
        raise unexpected(f"{what}: {text!r} is not an integer")
    return int(text)


def opt_ms(text: str) -> int | None:
    return None if text == "" else ms(text)


def text(value: Decimal) -> str:
    """Wire text of a decimal: plain digits, never an exponent."""
    return format(plain(value), "f")


# ============================================================================ envelope


class EnvelopeWire(Struct):
    """Every REST reply: ``code`` ``"0"`` is success; ``data`` is decoded by the caller."""

    code: str | int
    msg: str = ""
    data: msgspec.Raw = msgspec.Raw(b"[]")


# ============================================================================ instruments


class InstrumentWire(Struct):
    instType: str
    instId: str
    tickSz: str
    lotSz: str
    minSz: str
    baseCcy: str = ""
    quoteCcy: str = ""
    settleCcy: str = ""
    ctVal: str = ""
    ctValCcy: str = ""
    ctType: str = ""
    instFamily: str = ""
    uly: str = ""
    maxLmtSz: str = ""
    state: str = "live"


def to_instrument(wire: InstrumentWire) -> Instrument | None:
    """An `Instrument` in base units, or None for markets LotusX does not name (inverse swaps,
    futures, options)."""
    if wire.instType == "SPOT":
        if not wire.baseCcy or not wire.quoteCcy or wire.baseCcy == wire.quoteCcy:
            return None
        symbol = Symbol(wire.baseCcy, wire.quoteCcy)
        size = ONE
    elif wire.instType == "SWAP":
        # Linear swaps: the contract is worth ctVal of the base (ctValCcy), settled in the quote.
        if wire.ctType != "linear" or not wire.ctValCcy or not wire.settleCcy:
            return None
        if wire.ctValCcy == wire.settleCcy:
            return None
        symbol = Symbol(wire.ctValCcy, wire.settleCcy, wire.settleCcy)
        size = dec(wire.ctVal, f"{wire.instId} ctVal")
        if size <= 0:
            raise unexpected(f"{wire.instId}: ctVal {wire.ctVal!r} is not positive")
    else:
        return None
    tick = dec(wire.tickSz, f"{wire.instId} tickSz")
    lot = dec(wire.lotSz, f"{wire.instId} lotSz")
    if tick <= 0 or lot <= 0:
        raise unexpected(f"{wire.instId}: tick/lot size must be positive")
    max_size = opt_dec(wire.maxLmtSz, f"{wire.instId} maxLmtSz")
    return Instrument(
        symbol=symbol,
        native_id=wire.instId,
        tick_size=plain(tick),
        lot_size=plain(lot * size),
        min_quantity=plain(dec(wire.minSz, f"{wire.instId} minSz") * size),
        max_quantity=plain(max_size * size) if max_size else None,
        min_notional=None,
        contract_size=plain(size),
        active=wire.state == "live",
    )


def to_contracts(quantity: Decimal, inst: Instrument) -> Decimal:
    """A base quantity as the wire's size: contracts for swaps (a whole number of lots)."""
    size = inst.contract_size
    if size == ONE:
        return plain(quantity)
    contracts = quantity / size
    lot = inst.lot_size / size
    if contracts % lot != 0:
        raise InvalidOrderError(
            str(inst.symbol),
            "contract_size",
            f"{quantity} is not a whole number of lots ({lot} contracts × {size} each)",
        )
    return plain(contracts)


def from_contracts(size: Decimal, inst: Instrument) -> Decimal:
    """A wire size (contracts for swaps) in base units."""
    return size if inst.contract_size == ONE else plain(size * inst.contract_size)


# ============================================================================ market data


class TimeWire(Struct):
    ts: str


class SystemStatusWire(Struct):
    title: str = ""
    state: str = ""
    begin: str = ""
    end: str = ""


class BookWire(Struct):
    """REST ``market/books`` and the WS ``books`` channel's data items."""

    asks: list[list[str]]
    bids: list[list[str]]
    ts: str = "0"
    seqId: int | None = None
    prevSeqId: int | None = None
    checksum: int | None = None


def text_levels(levels: list[list[str]]) -> list[TextLevel]:
    """``[px, sz, "0", numOrders]`` → ``(px, sz)`` as sent (the checksum is over this text)."""
    try:
        return [(lv[0], lv[1]) for lv in levels]
    except IndexError:
        raise unexpected("book level with fewer than two fields") from None


def _book_levels(levels: list[list[str]], inst: Instrument, depth: int) -> tuple[BookLevel, ...]:
    try:
        checked = levels_from_text(text_levels(levels[:depth]))
    except ValueError as exc:
        raise unexpected(f"malformed book level: {exc}") from exc
    return tuple(BookLevel(lv.price, from_contracts(lv.quantity, inst)) for lv in checked)


def scale_book(book: OrderBook, inst: Instrument) -> OrderBook:
    """A book whose sizes are in contracts, in base units."""
    if inst.contract_size == ONE:
        return book
    return msgspec.structs.replace(
        book,
        bids=tuple(BookLevel(lv.price, from_contracts(lv.quantity, inst)) for lv in book.bids),
        asks=tuple(BookLevel(lv.price, from_contracts(lv.quantity, inst)) for lv in book.asks),
    )


def to_orderbook(wire: BookWire, inst: Instrument, depth: int) -> OrderBook:
    """``sequence`` is the book's ``seqId`` when the reply carries one, else its timestamp."""
    ts = ms(wire.ts)
    if ts <= 0:
        raise unexpected(f"book timestamp {wire.ts!r} is not a time")
    return OrderBook(
        symbol=inst.symbol,
        bids=_book_levels(wire.bids, inst, depth),
        asks=_book_levels(wire.asks, inst, depth),
        sequence=wire.seqId if wire.seqId is not None else ts,
        timestamp=ts,
    )


class TradeWire(Struct):
    """REST ``market/trades`` and the WS ``trades`` channel."""

    instId: str
    tradeId: str
    px: str
    sz: str
    side: str
    ts: str


_SIDE: Mapping[str, Side] = {"buy": Side.BUY, "sell": Side.SELL}


def side_of(value: str) -> Side:
    return _lookup(_SIDE, value, "side")


def to_trade(wire: TradeWire, inst: Instrument) -> Trade:
    """``side`` is the taker's side."""
    return Trade(
        inst.symbol,
        wire.tradeId,
        dec(wire.px, "trade px"),
        from_contracts(dec(wire.sz, "trade sz"), inst),
        side_of(wire.side),
        ms(wire.ts),
    )


class CandleWire(Struct, array_like=True):
    ts: str
    o: str
    h: str
    l: str  # noqa: E741 - OKX's order
    c: str
    vol: str
    volCcy: str = ""
    volCcyQuote: str = ""
    confirm: str = "1"


_BAR_UNIT = {"s": "s", "m": "m", "h": "H", "d": "D", "w": "W", "M": "M"}
_UTC_FROM_HOURS = 6  # OKX aligns 6H and longer bars to Hong Kong time unless "utc" is asked


def bar(interval: str) -> str:
    """A LotusX interval (``1m``, ``4h``, ``1d``, ``1w``, ``1M``) as OKX's ``bar``; bars of six
    hours and more use the UTC-aligned variant (``1Dutc``)."""
    number, unit = interval[:-1], interval[-1:]
    if not number.isdigit() or unit not in _BAR_UNIT:
        raise ValueError(f"unsupported candle interval {interval!r}")
    okx = number + _BAR_UNIT[unit]
    hours = int(number) * {"s": 0, "m": 0, "h": 1, "d": 24, "w": 168, "M": 720}[unit]
    return okx + "utc" if hours >= _UTC_FROM_HOURS else okx


def to_candle(wire: CandleWire, inst: Instrument, interval: str) -> Candle:
    """``vol`` is base units on spot and contracts on swaps: both become base units."""
    return Candle(
        symbol=inst.symbol,
        interval=interval,
        open_time=ms(wire.ts),
        open=dec(wire.o, "open"),
        high=dec(wire.h, "high"),
        low=dec(wire.l, "low"),
        close=dec(wire.c, "close"),
        volume=from_contracts(dec(wire.vol, "vol"), inst),
        closed=wire.confirm == "1",
    )


class TickerWire(Struct):
    instId: str
    last: str = ""
    askPx: str = ""
    bidPx: str = ""
    high24h: str = ""
    low24h: str = ""
    vol24h: str = ""
    ts: str = "0"


def to_ticker(wire: TickerWire, inst: Instrument) -> Ticker:
    volume = opt_dec(wire.vol24h, "vol24h")
    return Ticker(
        symbol=inst.symbol,
        last=opt_dec(wire.last, "last"),
        bid=opt_dec(wire.bidPx, "bidPx"),
        ask=opt_dec(wire.askPx, "askPx"),
        high_24h=opt_dec(wire.high24h, "high24h"),
        low_24h=opt_dec(wire.low24h, "low24h"),
        volume_24h=None if volume is None else from_contracts(volume, inst),
        timestamp=ms(wire.ts),
    )


class MarkPriceWire(Struct):
    instId: str
    markPx: str
    ts: str


class IndexTickerWire(Struct):
    instId: str
    idxPx: str
    ts: str


def to_mark_price(wire: MarkPriceWire, symbol: Symbol, index: Decimal | None) -> MarkPrice:
    return MarkPrice(symbol, dec(wire.markPx, "markPx"), index, ms(wire.ts))


class FundingRateWire(Struct):
    instId: str
    fundingRate: str
    fundingTime: str
    nextFundingTime: str = ""


def to_current_funding(wire: FundingRateWire, symbol: Symbol) -> FundingRate:
    """The current period's rate, settling at ``fundingTime``."""
    return FundingRate(
        symbol,
        dec(wire.fundingRate, "fundingRate"),
        ms(wire.fundingTime),
        opt_ms(wire.nextFundingTime),
    )


class FundingHistoryWire(Struct):
    instId: str
    fundingRate: str
    fundingTime: str
    realizedRate: str = ""


def to_funding(wire: FundingHistoryWire, symbol: Symbol) -> FundingRate:
    """A settled period: the realized rate when OKX gives one."""
    rate = opt_dec(wire.realizedRate, "realizedRate")
    if rate is None:
        rate = dec(wire.fundingRate, "fundingRate")
    return FundingRate(symbol, rate, ms(wire.fundingTime))


# ============================================================================ orders

_STATUS: Mapping[str, OrderStatus] = {
    "live": OrderStatus.NEW,
    "partially_filled": OrderStatus.PARTIALLY_FILLED,
    "filled": OrderStatus.FILLED,
    "canceled": OrderStatus.CANCELED,
    "mmp_canceled": OrderStatus.CANCELED,
}
# ordType → (type, time in force). Algo and options-only types placed outside LotusX show as
# what they execute as.
_ORD_TYPE: Mapping[str, tuple[OrderType, TimeInForce]] = {
    "limit": (OrderType.LIMIT, TimeInForce.GTC),
    "post_only": (OrderType.LIMIT, TimeInForce.POST_ONLY),
    "fok": (OrderType.LIMIT, TimeInForce.FOK),
    "ioc": (OrderType.LIMIT, TimeInForce.IOC),
    "market": (OrderType.MARKET, TimeInForce.GTC),
    "optimal_limit_ioc": (OrderType.MARKET, TimeInForce.IOC),
    "mmp": (OrderType.LIMIT, TimeInForce.GTC),
    "mmp_and_post_only": (OrderType.LIMIT, TimeInForce.POST_ONLY),
    "op_fok": (OrderType.LIMIT, TimeInForce.FOK),
}
POST_ONLY_TOOK = "31"  # cancelSource: the post-only order would have taken liquidity
_REFUSALS = {POST_ONLY_TOOK}


def ord_type(request: OrderRequest) -> str:
    """``ordType`` of a request: the time in force of a limit order is its order type on OKX."""
    if request.type is OrderType.MARKET:
        return "market"
    return {
        TimeInForce.GTC: "limit",
        TimeInForce.IOC: "ioc",
        TimeInForce.FOK: "fok",
        TimeInForce.POST_ONLY: "post_only",
    }[request.time_in_force]


def order_body(
    request: OrderRequest, inst: Instrument, client_id: str, margin_mode: MarginMode
) -> dict[str, object]:
    """``POST /api/v5/trade/order`` (and each batch item), net position mode.

    Spot trades in ``cash`` mode; a spot market order states ``tgtCcy=base_ccy`` so its size is
    the base quantity (OKX's default for a market buy is the quote amount).
    """
    spot = inst.kind is MarketKind.SPOT
    body: dict[str, object] = {
        "instId": inst.native_id,
        "tdMode": "cash" if spot else margin_mode.value,
        "clOrdId": client_id,
        "side": request.side.value,
        "ordType": ord_type(request),
        "sz": text(to_contracts(request.quantity, inst)),
    }
    if request.price is not None:
        body["px"] = text(request.price)
    if spot and request.type is OrderType.MARKET:
        body["tgtCcy"] = "base_ccy"
    if request.reduce_only:
        body["reduceOnly"] = True
    return body


def amend_body(
    request: AmendRequest, inst: Instrument, order_id: str | None, client_order_id: str | None
) -> dict[str, object]:
    """``POST /api/v5/trade/amend-order``: ``newSz`` is the new total size, fills included."""
    body: dict[str, object] = {"instId": inst.native_id}
    if order_id is not None:
        body["ordId"] = order_id
    elif client_order_id is not None:
        body["clOrdId"] = client_order_id
    else:
        raise InvalidOrderError(str(inst.symbol), "order_id", "give order_id or client_order_id")
    if request.quantity is not None:
        body["newSz"] = text(to_contracts(request.quantity, inst))
    if request.price is not None:
        body["newPx"] = text(request.price)
    if "newSz" not in body and "newPx" not in body:
        raise InvalidOrderError(str(inst.symbol), "amend", "give a new price and/or quantity")
    return body


class OrderAckWire(ItemStatusWire):
    """One item of an order operation's reply (``trade/order``, ``batch-orders``,
    ``amend-order``, ``amend-batch-orders``, ``cancel-order``, ``cancel-batch-orders``): the
    ids, ``sCode``/``sMsg`` and ``ts``, when OKX finished processing it (ms). Nothing more: no
    state, no fills."""

    sCode: str  # always sent: a missing one is not a success
    ts: str = ""


def ack_ms(ack: OrderAckWire, now_ms: int) -> int:
    """The acknowledgement's ``ts``; ``now_ms`` (the venue-synced clock) where it has none."""
    return ms(ack.ts, "ts") if ack.ts else now_ms


def acked_id(ack: OrderAckWire, what: str) -> str:
    """The ``ordId`` a successful acknowledgement names (malformed without one)."""
    if not ack.ordId:
        raise unexpected(f"{what} acknowledged without an ordId")
    return ack.ordId


def to_accepted(ack: OrderAckWire, request: OrderRequest, client_id: str, now_ms: int) -> Order:
    """The placed order as the acknowledgement tells: ACCEPTED, the request's own quantity (base
    units, as sent before the contract conversion), price and flags, OKX's ``ordId``."""
    order_id = acked_id(ack, f"order {client_id}")
    if ack.clOrdId and ack.clOrdId != client_id:
        raise unexpected(f"order {client_id} acknowledged as clOrdId {ack.clOrdId!r}")
    return accepted_order(request, order_id, client_id, ack_ms(ack, now_ms))


def _same_order(ack: OrderAckWire, known: Order) -> None:
    if acked_id(ack, f"order {known.order_id}") != known.order_id:
        raise unexpected(f"order {known.order_id} acknowledged as ordId {ack.ordId!r}")


def to_amended(ack: OrderAckWire, known: Order, request: AmendRequest, now_ms: int) -> Order:
    """``known`` with the amendment applied; both ids are kept (OKX amends in place)."""
    _same_order(ack, known)
    return amended_order(known, request, ack_ms(ack, now_ms))


def to_canceled(ack: OrderAckWire, known: Order, now_ms: int) -> Order:
    """``known`` canceled at the acknowledgement's time (its fills as last known)."""
    _same_order(ack, known)
    return canceled_order(known, ack_ms(ack, now_ms))


class OrderWire(Struct):
    """REST ``trade/order``, ``orders-pending``, and the WS ``orders`` channel (fill fields)."""

    instId: str
    ordId: str
    sz: str
    ordType: str
    side: str
    state: str
    accFillSz: str  # always sent ("0" before any fill): a missing one is not a zero
    instType: str = ""
    clOrdId: str = ""
    px: str = ""
    avgPx: str = ""
    reduceOnly: str | bool = "false"
    tgtCcy: str = ""
    cancelSource: str = ""
    cTime: str = "0"
    uTime: str = ""
    # the WS push's last fill
    tradeId: str = ""
    fillPx: str = ""
    fillSz: str = ""
    fillFee: str = ""
    fillFeeCcy: str = ""
    fillTime: str = ""
    execType: str = ""


def order_status(value: str) -> OrderStatus:
    return _lookup(_STATUS, value, "order state")


def to_order(wire: OrderWire, inst: Instrument) -> Order:
    kind, tif = _lookup(_ORD_TYPE, wire.ordType, "ordType")
    status = order_status(wire.state)
    if status is OrderStatus.CANCELED and wire.cancelSource in _REFUSALS:
        status = OrderStatus.REJECTED
    filled = from_contracts(
        _CHECK.not_negative(dec(wire.accFillSz, "accFillSz"), "accFillSz"), inst
    )
    quantity = from_contracts(_CHECK.positive(dec(wire.sz, "sz"), "sz"), inst)
    if inst.kind is MarketKind.SPOT and wire.tgtCcy == "quote_ccy":
        quantity = filled  # sized in quote: the base quantity is what filled
    price = opt_dec(wire.px, "px")
    if kind is OrderType.LIMIT and (price is None or price <= 0):
        raise unexpected(f"limit order {wire.ordId!r} with px {wire.px!r}")
    avg = opt_dec(wire.avgPx, "avgPx")
    created = ms(wire.cTime or "0")
    return Order(
        symbol=inst.symbol,
        order_id=wire.ordId,
        client_order_id=wire.clOrdId or None,
        side=side_of(wire.side),
        type=kind,
        time_in_force=tif,
        quantity=quantity,
        price=None if kind is OrderType.MARKET or not price else price,
        filled_quantity=filled,
        average_price=avg if avg and filled > 0 else None,
        status=status,
        reduce_only=wire.reduceOnly in (True, "true"),
        created_at=created,
        updated_at=ms(wire.uTime) if wire.uTime else created,
    )


def pushed_fill(wire: OrderWire, inst: Instrument) -> Fill | None:
    """The fill an ``orders`` push reports (None when the push is not a fill)."""
    size = opt_dec(wire.fillSz, "fillSz")
    if not wire.tradeId or not size:
        return None
    fee = opt_dec(wire.fillFee, "fillFee") or ZERO
    return Fill(
        symbol=inst.symbol,
        order_id=wire.ordId,
        client_order_id=wire.clOrdId or None,
        trade_id=wire.tradeId,
        side=side_of(wire.side),
        price=dec(wire.fillPx, "fillPx"),
        quantity=from_contracts(size, inst),
        fee=-fee,  # OKX: negative is charged; LotusX: positive is paid
        fee_asset=wire.fillFeeCcy,
        is_maker=wire.execType == "M",
        timestamp=ms(wire.fillTime or wire.uTime or "0"),
    )


class FillWire(Struct):
    instId: str
    tradeId: str
    ordId: str
    fillPx: str
    fillSz: str
    side: str
    ts: str
    clOrdId: str = ""
    execType: str = ""
    fee: str = "0"
    feeCcy: str = ""


def to_fill(wire: FillWire, inst: Instrument) -> Fill:
    return Fill(
        symbol=inst.symbol,
        order_id=wire.ordId,
        client_order_id=wire.clOrdId or None,
        trade_id=wire.tradeId,
        side=side_of(wire.side),
        price=dec(wire.fillPx, "fillPx"),
        quantity=from_contracts(dec(wire.fillSz, "fillSz"), inst),
        fee=-(opt_dec(wire.fee, "fee") or ZERO),
        fee_asset=wire.feeCcy,
        is_maker=wire.execType == "M",
        timestamp=ms(wire.ts),
    )


# ============================================================================ account

TRADING = "trading"
FUNDING = "funding"


class BalanceDetailWire(Struct):
    ccy: str
    availBal: str = ""
    frozenBal: str = ""
    cashBal: str = ""
    eq: str = ""


class AccountBalanceWire(Struct):
    details: list[BalanceDetailWire] = []
    uTime: str = "0"


def trading_balance(wire: BalanceDetailWire) -> Balance:
    """Trading account: free = ``availBal``, locked = ``frozenBal`` (``cashBal`` − frozen when
    OKX leaves ``availBal`` empty)."""
    locked = opt_dec(wire.frozenBal, "frozenBal") or ZERO
    free = opt_dec(wire.availBal, "availBal")
    if free is None:
        free = (opt_dec(wire.cashBal, "cashBal") or ZERO) - locked
    return Balance(wire.ccy, free, locked, TRADING)


def trading_balances(wires: Sequence[AccountBalanceWire]) -> list[Balance]:
    out = [trading_balance(d) for w in wires for d in w.details]
    return [b for b in out if b.free or b.locked]


class AssetBalanceWire(Struct):
    ccy: str
    bal: str = "0"
    availBal: str = ""
    frozenBal: str = "0"


def funding_balance(wire: AssetBalanceWire) -> Balance:
    locked = opt_dec(wire.frozenBal, "frozenBal") or ZERO
    free = opt_dec(wire.availBal, "availBal")
    if free is None:
        free = dec(wire.bal, "bal") - locked
    return Balance(wire.ccy, free, locked, FUNDING)


class PositionWire(Struct):
    instId: str
    pos: str
    instType: str = ""
    posSide: str = "net"
    avgPx: str = ""
    markPx: str = ""
    upl: str = ""
    lever: str = ""
    mgnMode: str = "cross"
    margin: str = ""
    liqPx: str = ""
    uTime: str = "0"


_MARGIN_MODE: Mapping[str, MarginMode] = {
    "cross": MarginMode.CROSS,
    "isolated": MarginMode.ISOLATED,
}


def margin_mode(value: str) -> MarginMode:
    return _lookup(_MARGIN_MODE, value, "margin mode")


def to_position(wire: PositionWire, inst: Instrument) -> Position:
    """Net mode: the sign of ``pos`` is the side; long/short mode: ``posSide`` is."""
    pos = opt_dec(wire.pos, "pos") or ZERO
    if wire.posSide == "long":
        side = PositionSide.LONG if pos else PositionSide.FLAT
    elif wire.posSide == "short":
        side = PositionSide.SHORT if pos else PositionSide.FLAT
    else:
        side = (
            PositionSide.LONG if pos > 0 else PositionSide.SHORT if pos < 0 else PositionSide.FLAT
        )
    mode = margin_mode(wire.mgnMode)
    return Position(
        symbol=inst.symbol,
        side=side,
        quantity=from_contracts(abs(pos), inst),
        entry_price=opt_dec(wire.avgPx, "avgPx") or None,
        mark_price=opt_dec(wire.markPx, "markPx") or None,
        unrealized_pnl=opt_dec(wire.upl, "upl") or ZERO,
        leverage=opt_dec(wire.lever, "lever") or ZERO,
        margin_mode=mode,
        margin=opt_dec(wire.margin, "margin") if mode is MarginMode.ISOLATED else None,
        liquidation_price=opt_dec(wire.liqPx, "liqPx") or None,
        timestamp=ms(wire.uTime or "0"),
    )


class TradeFeeWire(Struct):
    maker: str = ""
    taker: str = ""
    makerU: str = ""
    takerU: str = ""
    makerUSDC: str = ""
    takerUSDC: str = ""


def to_fee(wire: TradeFeeWire, inst: Instrument) -> FeeRate:
    """OKX reports charges as negative rates (``-0.0008``) and rebates as positive; LotusX's
    rates are what the user pays. Linear swaps use the USDT (``makerU``) or USDC rates."""
    maker, taker = wire.maker, wire.taker
    if inst.kind is MarketKind.LINEAR:
        if inst.symbol.settle == "USDT" and wire.makerU:
            maker, taker = wire.makerU, wire.takerU
        elif inst.symbol.settle == "USDC" and wire.makerUSDC:
            maker, taker = wire.makerUSDC, wire.takerUSDC
    return FeeRate(inst.symbol, -dec(maker, "maker"), -dec(taker, "taker"))


class TierWire(Struct):
    tier: str
    minSz: str
    maxSz: str
    mmr: str
    maxLever: str
    imr: str = ""
    instFamily: str = ""
    instId: str = ""


def to_brackets(wires: Sequence[TierWire], inst: Instrument) -> list[LeverageBracket]:
    """Tiers by position size. OKX bounds a tier by position size (contracts), not notional:
    ``notional_floor``/``notional_cap`` carry those sizes **in base units**; the tiers have no
    maintenance deduction (``maintenance_amount`` 0)."""
    out = [
        LeverageBracket(
            symbol=inst.symbol,
            tier=int(ms(w.tier, "tier")),
            notional_floor=from_contracts(dec(w.minSz, "minSz"), inst),
            notional_cap=from_contracts(dec(w.maxSz, "maxSz"), inst),
            max_leverage=dec(w.maxLever, "maxLever"),
            maintenance_margin_rate=dec(w.mmr, "mmr"),
            basis=TierBasis.SIZE,  # OKX tiers by position size (minSz/maxSz)
        )
        for w in wires
    ]
    return sorted(out, key=lambda b: b.tier)


class LeverageWire(Struct):
    lever: str
    instId: str = ""
    mgnMode: str = ""
    posSide: str = ""


# ============================================================================ funds


class SubAccountWire(Struct):
    subAcct: str
    label: str = ""
    enable: bool | str = True
    uid: str = ""


class TransferWire(Struct):
    transId: str
    ccy: str = ""
    amt: str = ""
    clientId: str = ""


class WithdrawalIdWire(Struct):
    wdId: str
    ccy: str = ""
    amt: str = ""
    chain: str = ""
    clientId: str = ""


class WithdrawalWire(Struct):
    wdId: str
    ccy: str
    amt: str
    state: str
    ts: str
    toAddr: str = ""
    chain: str = ""
    txId: str = ""
    fee: str = ""
    clientId: str = ""


class DepositWire(Struct):
    depId: str
    ccy: str
    amt: str
    state: str
    ts: str
    to: str = ""
    chain: str = ""
    txId: str = ""


_WITHDRAWAL_STATE: Mapping[str, TransferStatus] = {
    "-3": TransferStatus.CANCELED,  # canceling
    "-2": TransferStatus.CANCELED,
    "-1": TransferStatus.FAILED,
    "0": TransferStatus.PENDING,  # waiting withdrawal
    "1": TransferStatus.PROCESSING,  # withdrawing (broadcasting)
    "2": TransferStatus.COMPLETED,
    "7": TransferStatus.PROCESSING,  # approved
    "10": TransferStatus.PENDING,  # waiting transfer
    **dict.fromkeys(("4", "5", "6", "8", "9", "12", "15", "16", "17"), TransferStatus.PENDING),
}
_DEPOSIT_STATE: Mapping[str, TransferStatus] = {
    "0": TransferStatus.PENDING,  # waiting for confirmation
    "1": TransferStatus.COMPLETED,  # credited, not yet withdrawable
    "2": TransferStatus.COMPLETED,
    "8": TransferStatus.PENDING,  # deposits of this asset suspended for now
    "11": TransferStatus.FAILED,  # address blacklisted
    "12": TransferStatus.FAILED,  # account or deposit frozen
    "13": TransferStatus.FAILED,  # sub-account deposit interception
    "14": TransferStatus.PENDING,  # KYC limit
}


def withdrawal_status(state: str) -> TransferStatus:
    return _lookup(_WITHDRAWAL_STATE, state, "withdrawal state")


def to_withdrawal(wire: WithdrawalWire) -> Withdrawal:
    return Withdrawal(
        withdrawal_id=wire.wdId,
        asset=wire.ccy,
        amount=dec(wire.amt, "amt"),
        address=wire.toAddr,
        network=wire.chain or None,
        fee=opt_dec(wire.fee, "fee"),
        status=withdrawal_status(wire.state),
        tx_id=wire.txId or None,
        timestamp=ms(wire.ts),
    )


def to_deposit(wire: DepositWire) -> Deposit:
    return Deposit(
        deposit_id=wire.depId,
        asset=wire.ccy,
        amount=dec(wire.amt, "amt"),
        address=wire.to or None,
        network=wire.chain or None,
        status=_lookup(_DEPOSIT_STATE, wire.state, "deposit state"),
        tx_id=wire.txId or None,
        timestamp=ms(wire.ts),
    )


def chain(asset: str, network: str) -> str:
    """OKX names a withdrawal chain ``<asset>-<network>`` (``USDT-TRC20``); a network given in
    that form is kept as is."""
    return network if "-" in network else f"{asset}-{network}"


# ============================================================================ stream payloads


class ArgWire(Struct):
    channel: str
    instId: str = ""
    instType: str = ""
    instFamily: str = ""


class PushWire(Struct):
    """A WS data push: ``arg`` names the subscription; ``action`` is set on book channels."""

    arg: ArgWire
    data: msgspec.Raw
    action: str = ""


class BookPushWire(Struct):
    data: list[BookWire]
    action: str = "update"


class AccountPushWire(Struct):
    data: list[AccountBalanceWire]


class OrdersPushWire(Struct):
    data: list[OrderWire]


class PositionsPushWire(Struct):
    data: list[PositionWire]


class TradesPushWire(Struct):
    data: list[TradeWire]


class CandlesPushWire(Struct):
    data: list[CandleWire]


class MarkPricePushWire(Struct):
    data: list[MarkPriceWire]
