"""Capabilities: one enum member per public connector method, grouped into ABC-style mixins.

Each method's base implementation raises `NotSupportedError` naming the exchange and the
capability. A connector supports exactly the capabilities whose methods it overrides; that set
is computed once per class (`Capabilities.supported`), so the declaration can never drift from
the code.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar, NoReturn

from lotusx.core.errors import ExchangeError, NotSupportedError
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
    Position,
    RateLimitRule,
    ServerTime,
    Side,
    SubAccount,
    SymbolLike,
    SystemStatus,
    Ticker,
    Trade,
    Transfer,
    Withdrawal,
)

__all__ = [
    "Account",
    "Capability",
    "CapabilityGroup",
    "Funds",
    "MarketData",
    "Streams",
    "SystemMeta",
    "Trading",
]


class CapabilityGroup(StrEnum):
    MARKET_DATA = "market_data"
    TRADING = "trading"
    ACCOUNT = "account"
    FUNDS = "funds"
    SYSTEM = "system"
    STREAMS = "streams"


class Capability(StrEnum):
    """A connector method; the value is the method name."""

    GET_INSTRUMENTS = "get_instruments"
    GET_ORDERBOOK = "get_orderbook"
    GET_TRADES = "get_trades"
    GET_CANDLES = "get_candles"
    GET_TICKER = "get_ticker"
    GET_MARK_PRICE = "get_mark_price"
    GET_INDEX_PRICE = "get_index_price"
    GET_FUNDING_RATE = "get_funding_rate"
    GET_FUNDING_HISTORY = "get_funding_history"
    GET_LIQUIDATION_PRICE = "get_liquidation_price"
    PLACE_ORDER = "place_order"
    PLACE_BATCH_ORDERS = "place_batch_orders"
    AMEND_ORDER = "amend_order"
    CANCEL_ORDER = "cancel_order"
    CANCEL_BATCH = "cancel_batch"
    CANCEL_ALL = "cancel_all"
    GET_ORDER = "get_order"
    GET_OPEN_ORDERS = "get_open_orders"
    GET_FILLS = "get_fills"
    GET_BALANCES = "get_balances"
    GET_POSITIONS = "get_positions"
    GET_FEE_RATES = "get_fee_rates"
    GET_LEVERAGE_BRACKETS = "get_leverage_brackets"
    SET_LEVERAGE = "set_leverage"
    GET_SUBACCOUNTS = "get_subaccounts"
    INTERNAL_TRANSFER = "internal_transfer"
    WITHDRAW = "withdraw"
    GET_DEPOSIT_HISTORY = "get_deposit_history"
    GET_WITHDRAWAL_HISTORY = "get_withdrawal_history"
    SYNC_TIME = "sync_time"
    GET_SYSTEM_STATUS = "get_system_status"
    GET_RATE_LIMITS = "get_rate_limits"
    STREAM_ORDERBOOK = "stream_orderbook"
    STREAM_TRADES = "stream_trades"
    STREAM_CANDLES = "stream_candles"
    STREAM_MARK_PRICE = "stream_mark_price"
    STREAM_ORDERS = "stream_orders"
    STREAM_FILLS = "stream_fills"
    STREAM_BALANCES = "stream_balances"
    STREAM_POSITIONS = "stream_positions"

    @property
    def group(self) -> CapabilityGroup:
        return _GROUP_OF[self]


class _CapabilityBase:
    """Shared by the capability mixins: the exchange name and the refusal."""

    name: ClassVar[str] = "unknown"

    def _unsupported(self, capability: Capability) -> NoReturn:
        raise NotSupportedError(self.name, capability.value)


class MarketData(_CapabilityBase):
    async def get_instruments(self, kind: MarketKind | None = None) -> list[Instrument]:
        self._unsupported(Capability.GET_INSTRUMENTS)

    async def get_orderbook(self, symbol: SymbolLike, depth: int = 100) -> OrderBook:
        self._unsupported(Capability.GET_ORDERBOOK)

    async def get_trades(self, symbol: SymbolLike, limit: int = 100) -> list[Trade]:
        self._unsupported(Capability.GET_TRADES)

    async def get_candles(
        self,
        symbol: SymbolLike,
        interval: str = "1m",
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int = 100,
    ) -> list[Candle]:
        self._unsupported(Capability.GET_CANDLES)

    async def get_ticker(self, symbol: SymbolLike) -> Ticker:
        self._unsupported(Capability.GET_TICKER)

    async def get_mark_price(self, symbol: SymbolLike) -> MarkPrice:
        self._unsupported(Capability.GET_MARK_PRICE)

    async def get_index_price(self, symbol: SymbolLike) -> IndexPrice:
        self._unsupported(Capability.GET_INDEX_PRICE)

    async def get_funding_rate(self, symbol: SymbolLike) -> FundingRate:
        self._unsupported(Capability.GET_FUNDING_RATE)

    async def get_funding_history(
        self,
        symbol: SymbolLike,
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int = 100,
    ) -> list[FundingRate]:
        self._unsupported(Capability.GET_FUNDING_HISTORY)

    async def get_liquidation_price(
        self,
        symbol: SymbolLike,
        *,
        side: Side | None = None,
        quantity: Decimal | None = None,
        entry_price: Decimal | None = None,
        leverage: Decimal | None = None,
    ) -> Decimal | None:
        """The open position's liquidation price, or an estimate for the hypothetical position
        given by ``side``/``quantity``/``entry_price``/``leverage`` (isolated margin, brackets)."""
        self._unsupported(Capability.GET_LIQUIDATION_PRICE)


class Trading(_CapabilityBase):
    async def place_order(self, request: OrderRequest) -> Order:
        self._unsupported(Capability.PLACE_ORDER)

    async def place_batch_orders(
        self, requests: Sequence[OrderRequest]
    ) -> list[Order | ExchangeError]:
        """Place several orders; each item is the placed order or the exchange's error for it."""
        self._unsupported(Capability.PLACE_BATCH_ORDERS)

    async def amend_order(self, request: AmendRequest) -> Order:
        self._unsupported(Capability.AMEND_ORDER)

    async def cancel_order(
        self,
        symbol: SymbolLike,
        *,
        order_id: str | None = None,
        client_order_id: str | None = None,
    ) -> Order:
        self._unsupported(Capability.CANCEL_ORDER)

    async def cancel_batch(
        self, symbol: SymbolLike, order_ids: Sequence[str]
    ) -> list[Order | ExchangeError]:
        self._unsupported(Capability.CANCEL_BATCH)

    async def cancel_all(self, symbol: SymbolLike) -> None:
        self._unsupported(Capability.CANCEL_ALL)

    async def get_order(
        self,
        symbol: SymbolLike,
        *,
        order_id: str | None = None,
        client_order_id: str | None = None,
    ) -> Order:
        self._unsupported(Capability.GET_ORDER)

    async def get_open_orders(self, symbol: SymbolLike | None = None) -> list[Order]:
        self._unsupported(Capability.GET_OPEN_ORDERS)

    async def get_fills(
        self,
        symbol: SymbolLike,
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int = 100,
    ) -> list[Fill]:
        self._unsupported(Capability.GET_FILLS)


class Account(_CapabilityBase):
    async def get_balances(self, wallet: str | None = None) -> list[Balance]:
        self._unsupported(Capability.GET_BALANCES)

    async def get_positions(self, symbol: SymbolLike | None = None) -> list[Position]:
        self._unsupported(Capability.GET_POSITIONS)

    async def get_fee_rates(self, symbol: SymbolLike) -> FeeRate:
        self._unsupported(Capability.GET_FEE_RATES)

    async def get_leverage_brackets(self, symbol: SymbolLike) -> list[LeverageBracket]:
        self._unsupported(Capability.GET_LEVERAGE_BRACKETS)

    async def set_leverage(self, symbol: SymbolLike, leverage: int) -> Decimal:
        self._unsupported(Capability.SET_LEVERAGE)

    async def get_subaccounts(self) -> list[SubAccount]:
        self._unsupported(Capability.GET_SUBACCOUNTS)


class Funds(_CapabilityBase):
    async def internal_transfer(
        self, asset: str, amount: Decimal, from_account: str, to_account: str
    ) -> Transfer:
        """Move funds between wallets (``spot``, ``futures``...) or sub-accounts (``sub:<id>``)."""
        self._unsupported(Capability.INTERNAL_TRANSFER)

    async def withdraw(
        self,
        asset: str,
        amount: Decimal,
        address: str,
        *,
        network: str | None = None,
        tag: str | None = None,
    ) -> Withdrawal:
        self._unsupported(Capability.WITHDRAW)

    async def get_deposit_history(
        self,
        asset: str | None = None,
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int = 100,
    ) -> list[Deposit]:
        self._unsupported(Capability.GET_DEPOSIT_HISTORY)

    async def get_withdrawal_history(
        self,
        asset: str | None = None,
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int = 100,
    ) -> list[Withdrawal]:
        self._unsupported(Capability.GET_WITHDRAWAL_HISTORY)


class SystemMeta(_CapabilityBase):
    async def sync_time(self) -> ServerTime:
        self._unsupported(Capability.SYNC_TIME)

    async def get_system_status(self) -> SystemStatus:
        self._unsupported(Capability.GET_SYSTEM_STATUS)

    async def get_rate_limits(self) -> list[RateLimitRule]:
        self._unsupported(Capability.GET_RATE_LIMITS)


class Streams(_CapabilityBase):
    """Async iterators. A base method raises `NotSupportedError` when called, not when iterated."""

    def stream_orderbook(self, symbol: SymbolLike, depth: int = 20) -> AsyncIterator[OrderBook]:
        self._unsupported(Capability.STREAM_ORDERBOOK)

    def stream_trades(self, symbol: SymbolLike) -> AsyncIterator[Trade]:
        self._unsupported(Capability.STREAM_TRADES)

    def stream_candles(self, symbol: SymbolLike, interval: str = "1m") -> AsyncIterator[Candle]:
        self._unsupported(Capability.STREAM_CANDLES)

    def stream_mark_price(self, symbol: SymbolLike) -> AsyncIterator[MarkPrice]:
        self._unsupported(Capability.STREAM_MARK_PRICE)

    def stream_orders(self, kind: MarketKind | None = None) -> AsyncIterator[Order]:
        self._unsupported(Capability.STREAM_ORDERS)

    def stream_fills(self, kind: MarketKind | None = None) -> AsyncIterator[Fill]:
        self._unsupported(Capability.STREAM_FILLS)

    def stream_balances(self, kind: MarketKind | None = None) -> AsyncIterator[Balance]:
        self._unsupported(Capability.STREAM_BALANCES)

    def stream_positions(self) -> AsyncIterator[Position]:
        self._unsupported(Capability.STREAM_POSITIONS)


_MIXINS: dict[CapabilityGroup, type[_CapabilityBase]] = {
    CapabilityGroup.MARKET_DATA: MarketData,
    CapabilityGroup.TRADING: Trading,
    CapabilityGroup.ACCOUNT: Account,
    CapabilityGroup.FUNDS: Funds,
    CapabilityGroup.SYSTEM: SystemMeta,
    CapabilityGroup.STREAMS: Streams,
}
_GROUP_OF: dict[Capability, CapabilityGroup] = {
    cap: group for group, mixin in _MIXINS.items() for cap in Capability if cap.value in vars(mixin)
}
assert len(_GROUP_OF) == len(Capability), "every capability belongs to exactly one mixin"


def supported_capabilities(cls: type) -> frozenset[Capability]:
    """The capabilities whose method ``cls`` overrides (relative to the refusing base)."""
    found = set()
    for cap in Capability:
        base = vars(_MIXINS[_GROUP_OF[cap]])[cap.value]
        if getattr(cls, cap.value, base) is not base:
            found.add(cap)
    return frozenset(found)
