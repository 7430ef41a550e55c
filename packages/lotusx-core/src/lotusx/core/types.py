"""The exchange model every connector speaks: frozen msgspec structs, money as ``Decimal``.

Timestamps are integer milliseconds since the Unix epoch, UTC. Quantities are in base-asset
units for every market kind (connectors apply contract sizes), prices in quote units.
"""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, Decimal
from enum import StrEnum

import msgspec

from lotusx.core.errors import InvalidOrderError, InvalidSymbolError

__all__ = [
    "AmendRequest",
    "Balance",
    "BookLevel",
    "Candle",
    "Deposit",
    "FeeRate",
    "Fill",
    "FundingRate",
    "IndexPrice",
    "Instrument",
    "LeverageBracket",
    "MarginMode",
    "MarkPrice",
    "MarketKind",
    "Order",
    "OrderBook",
    "OrderRequest",
    "OrderStatus",
    "OrderType",
    "Position",
    "PositionSide",
    "RateLimitRule",
    "ServerTime",
    "Side",
    "SubAccount",
    "Symbol",
    "SymbolLike",
    "SystemStatus",
    "Ticker",
    "TierBasis",
    "TimeInForce",
    "Trade",
    "Transfer",
    "TransferStatus",
    "Withdrawal",
    "as_symbol",
    "plain",
]


class MarketKind(StrEnum):
    SPOT = "spot"
    LINEAR = "linear"
    INVERSE = "inverse"


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"

    @property
    def opposite(self) -> Side:
        return Side.SELL if self is Side.BUY else Side.BUY


class OrderType(StrEnum):
    LIMIT = "limit"
    MARKET = "market"


class TimeInForce(StrEnum):
    GTC = "gtc"
    IOC = "ioc"
    FOK = "fok"
    POST_ONLY = "post_only"


class OrderStatus(StrEnum):
    """An order's state. ACCEPTED: the venue acknowledged the order and said no more; its state
    after matching is not known yet (``stream_orders`` or ``get_order`` tell). It counts as open:
    nothing says it is done."""

    ACCEPTED = "accepted"
    NEW = "new"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELED = "canceled"
    REJECTED = "rejected"
    EXPIRED = "expired"

    @property
    def is_open(self) -> bool:
        return self in (OrderStatus.ACCEPTED, OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED)


class PositionSide(StrEnum):
    LONG = "long"
    SHORT = "short"
    FLAT = "flat"


class MarginMode(StrEnum):
    CROSS = "cross"
    ISOLATED = "isolated"


class TransferStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELED = "canceled"


_ASSET = r"[A-Z0-9][A-Z0-9.\-]*"
_SYMBOL_RE = re.compile(rf"^({_ASSET})/({_ASSET})(?::({_ASSET}))?$")


class Symbol(msgspec.Struct, frozen=True, order=True):
    """A unified market name.

    ``BTC/USDT`` spot, ``BTC/USDT:USDT`` linear perpetual, ``BTC/USD:BTC`` inverse perpetual.
    """

    base: str
    quote: str
    settle: str | None = None

    @classmethod
    def parse(cls, text: str) -> Symbol:
        """Parse the unified notation; raises `InvalidSymbolError` on anything else."""
        match = _SYMBOL_RE.match(text)
        if match is None:
            raise InvalidSymbolError(
                f"{text!r} is not a unified symbol (BASE/QUOTE, BASE/QUOTE:SETTLE; upper case)"
            )
        base, quote, settle = match.groups()
        if base == quote:
            raise InvalidSymbolError(f"{text!r}: base and quote are the same asset")
        if settle is not None and settle not in (base, quote):
            raise InvalidSymbolError(f"{text!r}: settle asset must be the base or the quote")
        return cls(base, quote, settle)

    @property
    def kind(self) -> MarketKind:
        if self.settle is None:
            return MarketKind.SPOT
        return MarketKind.LINEAR if self.settle == self.quote else MarketKind.INVERSE

    @property
    def is_derivative(self) -> bool:
        return self.settle is not None

    def __str__(self) -> str:
        pair = f"{self.base}/{self.quote}"
        return pair if self.settle is None else f"{pair}:{self.settle}"


SymbolLike = Symbol | str


def as_symbol(value: SymbolLike) -> Symbol:
    """Accept a `Symbol` or its unified string."""
    return value if isinstance(value, Symbol) else Symbol.parse(value)


def plain(value: Decimal) -> Decimal:
    """The same number without trailing zeros and never in exponent form (``9000.00`` → ``9000``,
    ``0.0100`` → ``0.01``): how tick and lot sizes read best, and how exchanges expect them."""
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    return normal.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else normal


def _is_multiple(value: Decimal, step: Decimal) -> bool:
    return value % step == 0


class Instrument(msgspec.Struct, frozen=True):
    """A tradable market with the exchange's rules, used to validate and round orders."""

    symbol: Symbol
    native_id: str
    tick_size: Decimal
    lot_size: Decimal
    min_quantity: Decimal
    max_quantity: Decimal | None = None
    min_notional: Decimal | None = None
    contract_size: Decimal = Decimal(1)
    active: bool = True

    @property
    def kind(self) -> MarketKind:
        return self.symbol.kind

    @property
    def price_decimals(self) -> int:
        """Number of decimal places of the tick size (the book engine's fixed-point scale)."""
        exponent = self.tick_size.normalize().as_tuple().exponent
        return max(0, -exponent) if isinstance(exponent, int) else 0

    def round_price(self, price: Decimal, side: Side | None = None) -> Decimal:
        """Round to the tick; toward the passive side when ``side`` is given (buy down, sell up)."""
        if side is Side.SELL:
            rounding = ROUND_CEILING
        elif side is Side.BUY:
            rounding = ROUND_FLOOR
        else:
            rounding = ROUND_DOWN
        steps = (price / self.tick_size).to_integral_value(rounding=rounding)
        return (steps * self.tick_size).quantize(self.tick_size)

    def round_quantity(self, quantity: Decimal) -> Decimal:
        """Round down to the lot size (never more than asked)."""
        steps = (quantity / self.lot_size).to_integral_value(rounding=ROUND_DOWN)
        return (steps * self.lot_size).quantize(self.lot_size)

    def check_order(self, order: OrderRequest, reference_price: Decimal | None = None) -> None:
        """Raise `InvalidOrderError` naming the first rule the order breaks.

        ``reference_price`` stands in for a market order's price in the notional check.
        """
        name = str(self.symbol)
        if order.symbol != self.symbol:
            raise InvalidOrderError(name, "symbol", f"order is for {order.symbol}")
        if not self.active:
            raise InvalidOrderError(name, "active", "instrument is not trading")
        if order.quantity <= 0:
            raise InvalidOrderError(name, "quantity", f"{order.quantity} is not positive")
        if not _is_multiple(order.quantity, self.lot_size):
            raise InvalidOrderError(
                name, "lot_size", f"quantity {order.quantity} is not a multiple of {self.lot_size}"
            )
        if order.quantity < self.min_quantity:
            raise InvalidOrderError(
                name, "min_quantity", f"quantity {order.quantity} < {self.min_quantity}"
            )
        if self.max_quantity is not None and order.quantity > self.max_quantity:
            raise InvalidOrderError(
                name, "max_quantity", f"quantity {order.quantity} > {self.max_quantity}"
            )
        if order.type is OrderType.LIMIT:
            if order.price is None or order.price <= 0:
                raise InvalidOrderError(name, "price", "a limit order needs a positive price")
            if not _is_multiple(order.price, self.tick_size):
                raise InvalidOrderError(
                    name, "tick_size", f"price {order.price} is not a multiple of {self.tick_size}"
                )
        elif order.price is not None:
            raise InvalidOrderError(name, "price", "a market order takes no price")
        elif order.time_in_force is TimeInForce.POST_ONLY:
            raise InvalidOrderError(name, "time_in_force", "a market order cannot be post-only")
        if order.reduce_only and not self.symbol.is_derivative:
            raise InvalidOrderError(name, "reduce_only", "spot markets have no positions")
        price = order.price if order.price is not None else reference_price
        if self.min_notional is not None and price is not None:
            notional = price * order.quantity
            if notional < self.min_notional:
                raise InvalidOrderError(
                    name, "min_notional", f"notional {notional} < {self.min_notional}"
                )

    def prepare_order(
        self, order: OrderRequest, reference_price: Decimal | None = None
    ) -> OrderRequest:
        """Round price (passively) and quantity (down) to the instrument's grid, then check it."""
        price = None if order.price is None else self.round_price(order.price, order.side)
        rounded = msgspec.structs.replace(
            order, price=price, quantity=self.round_quantity(order.quantity)
        )
        self.check_order(rounded, reference_price)
        return rounded


class OrderRequest(msgspec.Struct, frozen=True):
    """What the user asks for. ``time_in_force=POST_ONLY`` is the maker-only flag."""

    symbol: Symbol
    side: Side
    type: OrderType
    quantity: Decimal
    price: Decimal | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    client_order_id: str | None = None
    reduce_only: bool = False


class AmendRequest(msgspec.Struct, frozen=True):
    """Change the price and/or quantity of an open order, named by either id."""

    symbol: Symbol
    order_id: str | None = None
    client_order_id: str | None = None
    price: Decimal | None = None
    quantity: Decimal | None = None


class Order(msgspec.Struct, frozen=True):
    """An order as the venue last told it.

    An order returned by ``place_order``, ``place_batch_orders``, ``amend_order``,
    ``cancel_order`` or ``cancel_batch`` is built from the request and the venue's
    acknowledgement of that one request (`lotusx.core.orders`): ids, the status and timestamps
    the acknowledgement gave (ACCEPTED where it gave none). Fills it did not report reach the
    user through ``stream_orders``/``stream_fills`` or ``get_order``.
    """

    symbol: Symbol
    order_id: str
    client_order_id: str | None
    side: Side
    type: OrderType
    time_in_force: TimeInForce
    quantity: Decimal
    price: Decimal | None
    filled_quantity: Decimal
    average_price: Decimal | None
    status: OrderStatus
    reduce_only: bool
    created_at: int
    updated_at: int

    @property
    def remaining_quantity(self) -> Decimal:
        return self.quantity - self.filled_quantity


class Fill(msgspec.Struct, frozen=True):
    """One execution of one of the user's orders."""

    symbol: Symbol
    order_id: str
    client_order_id: str | None
    trade_id: str
    side: Side
    price: Decimal
    quantity: Decimal
    fee: Decimal
    fee_asset: str
    is_maker: bool
    timestamp: int


class Trade(msgspec.Struct, frozen=True):
    """A public trade; ``side`` is the taker's side."""

    symbol: Symbol
    trade_id: str
    price: Decimal
    quantity: Decimal
    side: Side
    timestamp: int


class BookLevel(msgspec.Struct, frozen=True, array_like=True):
    price: Decimal
    quantity: Decimal


class OrderBook(msgspec.Struct, frozen=True):
    """An L2 book: bids best (highest) first, asks best (lowest) first."""

    symbol: Symbol
    bids: tuple[BookLevel, ...]
    asks: tuple[BookLevel, ...]
    sequence: int
    timestamp: int

    @property
    def best_bid(self) -> BookLevel | None:
        return self.bids[0] if self.bids else None

    @property
    def best_ask(self) -> BookLevel | None:
        return self.asks[0] if self.asks else None

    @property
    def mid(self) -> Decimal | None:
        if not self.bids or not self.asks:
            return None
        return (self.bids[0].price + self.asks[0].price) / 2


class Candle(msgspec.Struct, frozen=True):
    symbol: Symbol
    interval: str
    open_time: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    closed: bool = True


class Ticker(msgspec.Struct, frozen=True):
    symbol: Symbol
    last: Decimal | None
    bid: Decimal | None
    ask: Decimal | None
    high_24h: Decimal | None
    low_24h: Decimal | None
    volume_24h: Decimal | None
    timestamp: int


class MarkPrice(msgspec.Struct, frozen=True):
    symbol: Symbol
    mark_price: Decimal
    index_price: Decimal | None
    timestamp: int


class IndexPrice(msgspec.Struct, frozen=True):
    symbol: Symbol
    price: Decimal
    timestamp: int


class FundingRate(msgspec.Struct, frozen=True):
    symbol: Symbol
    rate: Decimal
    funding_time: int
    next_funding_time: int | None = None


class Balance(msgspec.Struct, frozen=True):
    asset: str
    free: Decimal
    locked: Decimal
    wallet: str = "spot"

    @property
    def total(self) -> Decimal:
        return self.free + self.locked


class Position(msgspec.Struct, frozen=True):
    symbol: Symbol
    side: PositionSide
    quantity: Decimal
    entry_price: Decimal | None
    mark_price: Decimal | None
    unrealized_pnl: Decimal
    leverage: Decimal
    margin_mode: MarginMode
    margin: Decimal | None
    liquidation_price: Decimal | None
    timestamp: int


class FeeRate(msgspec.Struct, frozen=True):
    symbol: Symbol
    maker: Decimal
    taker: Decimal


class TierBasis(StrEnum):
    NOTIONAL = "notional"  # tier bounds are position notional, in the quote asset (Binance, Bybit)
    SIZE = "size"  # tier bounds are position size, in the base asset (OKX)


class LeverageBracket(msgspec.Struct, frozen=True):
    """One risk tier: up to ``notional_cap`` at most ``max_leverage``.

    The bounds are in quote notional, or in base-asset size when ``basis`` is `TierBasis.SIZE`
    (exchanges that tier by position size). ``maintenance_amount`` is the tier's deduction
    (Binance ``cum``) in the maintenance formula.
    """

    symbol: Symbol
    tier: int
    notional_floor: Decimal
    notional_cap: Decimal
    max_leverage: Decimal
    maintenance_margin_rate: Decimal
    maintenance_amount: Decimal = Decimal(0)
    basis: TierBasis = TierBasis.NOTIONAL


class Transfer(msgspec.Struct, frozen=True):
    transfer_id: str
    asset: str
    amount: Decimal
    from_account: str
    to_account: str
    status: TransferStatus
    timestamp: int


class Withdrawal(msgspec.Struct, frozen=True):
    withdrawal_id: str
    asset: str
    amount: Decimal
    address: str
    network: str | None
    fee: Decimal | None
    status: TransferStatus
    tx_id: str | None
    timestamp: int


class Deposit(msgspec.Struct, frozen=True):
    deposit_id: str
    asset: str
    amount: Decimal
    address: str | None
    network: str | None
    status: TransferStatus
    tx_id: str | None
    timestamp: int


class SubAccount(msgspec.Struct, frozen=True):
    account_id: str
    name: str
    frozen: bool = False


class SystemStatus(msgspec.Struct, frozen=True):
    operational: bool
    message: str
    timestamp: int


class RateLimitRule(msgspec.Struct, frozen=True):
    """A published quota: ``limit`` units of ``kind`` per ``window_ms`` in ``scope`` (ip, uid)."""

    kind: str
    scope: str
    window_ms: int
    limit: int
    used: int | None = None


class ServerTime(msgspec.Struct, frozen=True):
    server_time: int
    local_time: int
    offset_ms: int
    round_trip_ms: int
