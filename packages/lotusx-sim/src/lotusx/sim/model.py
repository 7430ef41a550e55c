"""Exchange-neutral domain objects shared by the engine, the ledger and the dialects."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal(0)


class Side(enum.StrEnum):
    BUY = "BUY"
    SELL = "SELL"

    @property
    def opposite(self) -> Side:
        return Side.SELL if self is Side.BUY else Side.BUY

    @property
    def sign(self) -> int:
        return 1 if self is Side.BUY else -1


class OrderType(enum.StrEnum):
    LIMIT = "LIMIT"
    MARKET = "MARKET"


class TimeInForce(enum.StrEnum):
    GTC = "GTC"
    IOC = "IOC"
    FOK = "FOK"


class OrderStatus(enum.StrEnum):
    NEW = "NEW"
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    FILLED = "FILLED"
    CANCELED = "CANCELED"
    EXPIRED = "EXPIRED"
    REJECTED = "REJECTED"

    @property
    def is_open(self) -> bool:
        return self in (OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED)


class ExecType(enum.StrEnum):
    """Why an order update was emitted."""

    NEW = "NEW"
    TRADE = "TRADE"
    CANCELED = "CANCELED"
    EXPIRED = "EXPIRED"
    AMENDMENT = "AMENDMENT"
    REJECTED = "REJECTED"


class MarketKind(enum.StrEnum):
    SPOT = "spot"
    LINEAR_PERP = "linear_perp"


class RejectReason(enum.StrEnum):
    """Engine/ledger refusal, mapped to native codes by each dialect."""

    INSUFFICIENT_BALANCE = "insufficient_balance"
    POST_ONLY_WOULD_TAKE = "post_only_would_take"
    REDUCE_ONLY_REJECTED = "reduce_only_rejected"
    DUPLICATE_CLIENT_ID = "duplicate_client_id"
    UNKNOWN_ORDER = "unknown_order"
    NO_LIQUIDITY = "no_liquidity"
    INVALID_AMEND = "invalid_amend"


class Rejected(Exception):
    """Raised by the engine or the ledger when an action is refused."""

    def __init__(self, reason: RejectReason, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail


@dataclass(slots=True)
class Order:
    """A live or finished order; mutated only by the engine."""

    order_id: int
    account: str
    market: str
    symbol: str
    side: Side
    type: OrderType
    tif: TimeInForce
    price: Decimal | None
    orig_qty: Decimal
    client_id: str
    created_ms: int
    post_only: bool = False
    reduce_only: bool = False
    quote_qty: Decimal | None = None
    executed_qty: Decimal = ZERO
    cum_quote: Decimal = ZERO
    status: OrderStatus = OrderStatus.NEW
    updated_ms: int = 0
    working_ms: int = 0
    reserved: Decimal = ZERO
    leverage: int = 1
    seq: int = 0
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def remaining(self) -> Decimal:
        return self.orig_qty - self.executed_qty

    @property
    def avg_price(self) -> Decimal:
        return self.cum_quote / self.executed_qty if self.executed_qty else ZERO


@dataclass(frozen=True, slots=True)
class Fill:
    """One side of one match: the account's view of a trade."""

    trade_id: int
    market: str
    symbol: str
    order_id: int
    client_id: str
    account: str
    side: Side
    price: Decimal
    qty: Decimal
    quote_qty: Decimal
    fee: Decimal
    fee_asset: str
    is_maker: bool
    realized_pnl: Decimal
    time_ms: int


@dataclass(frozen=True, slots=True)
class Trade:
    """A public trade print."""

    trade_id: int
    market: str
    symbol: str
    price: Decimal
    qty: Decimal
    buyer_order_id: int
    seller_order_id: int
    buyer_is_maker: bool
    time_ms: int


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """An order changed state; `order` is a snapshot, `fill` is set for TRADE updates."""

    order: Order
    exec_type: ExecType
    fill: Fill | None
    time_ms: int


@dataclass(frozen=True, slots=True)
class BookDelta:
    """Level changes of one engine batch on one symbol; `update_id` advanced by exactly 1."""

    market: str
    symbol: str
    update_id: int
    bids: dict[Decimal, Decimal]
    asks: dict[Decimal, Decimal]
    time_ms: int


@dataclass(frozen=True, slots=True)
class BalanceEvent:
    """A ledger movement outside of trading (transfer, deposit, withdrawal, funding)."""

    account: str
    wallet: str
    asset: str
    delta: Decimal
    reason: str
    time_ms: int


@dataclass(frozen=True, slots=True)
class AccountEvent:
    """Balances and/or positions of one account/wallet changed by trading."""

    account: str
    wallet: str
    assets: tuple[str, ...]
    symbols: tuple[str, ...]
    reason: str
    time_ms: int


Event = OrderEvent | Trade | BookDelta | BalanceEvent | AccountEvent
