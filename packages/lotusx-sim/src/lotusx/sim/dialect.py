"""The Dialect interface (one per exchange wire protocol) and the registry of dialects."""

from __future__ import annotations

import importlib
import secrets
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from lotusx.sim.market import MarketSpec
from lotusx.sim.ratelimit import RateLimitRule

if TYPE_CHECKING:
    from lotusx.sim.core import VenueCore
    from lotusx.sim.model import Fill, Order


@dataclass(frozen=True, slots=True)
class DialectOptions:
    """Per-run options a dialect may honour."""

    host: str = "127.0.0.1"
    port: int = 0
    rate_limits: Mapping[str, list[RateLimitRule]] | None = None
    ping_interval: float = 20.0
    extra: Mapping[str, Any] = field(default_factory=dict)


class Dialect(ABC):
    """Maps a `VenueCore` onto one exchange's documented wire protocol.

    A new exchange is a subpackage `lotusx.sim.dialects.<name>` exposing a Dialect subclass:
    instruments, starting balances, and servers (REST routes, auth, error bodies, rate-limit
    policy and headers, WS channels with sequence/checksum rules, private streams).
    """

    name: ClassVar[str]
    ports: ClassVar[int] = 1
    primary_rest: ClassVar[str] = "rest"
    primary_ws: ClassVar[str] = "ws"
    uses_passphrase: ClassVar[bool] = False

    @abstractmethod
    def markets(self) -> list[MarketSpec]:
        """Instruments listed on the venue."""

    def starting_balances(self) -> dict[tuple[str, str], Decimal]:
        """(wallet, asset) -> amount credited to the main user and, scaled down, its subs."""
        return {
            ("spot", "USDT"): Decimal(100000),
            ("spot", "BTC"): Decimal(2),
            ("spot", "ETH"): Decimal(20),
            ("futures", "USDT"): Decimal(100000),
        }

    def wallet_aliases(self) -> dict[str, str]:
        """Wallet names that share another wallet's balances (unified accounts)."""
        return {}

    def new_credentials(self) -> tuple[str, str]:
        """(api key, secret) minted for the main account when the caller gives none."""
        return secrets.token_hex(32), secrets.token_hex(32)

    def wire_order_id(self, order: Order) -> str:
        """The id the venue's wire gives an engine order (its number, unless the exchange
        names orders otherwise)."""
        return str(order.order_id)

    def wire_trade_id(self, fill: Fill) -> str:
        """The trade id the venue's wire gives one of an account's fills."""
        return str(fill.trade_id)

    @abstractmethod
    async def start(self, core: VenueCore, options: DialectOptions) -> dict[str, str]:
        """Start the servers; return the URL map (e.g. spot_rest, spot_ws)."""

    @abstractmethod
    async def stop(self) -> None:
        """Stop the servers and close every connection."""


_BUILTIN: dict[str, str] = {
    "binance": "lotusx.sim.dialects.binance:BinanceDialect",
    "bybit": "lotusx.sim.dialects.bybit:BybitDialect",
    "coinbase": "lotusx.sim.dialects.coinbase:CoinbaseDialect",
    "kraken": "lotusx.sim.dialects.kraken:KrakenDialect",
    "okx": "lotusx.sim.dialects.okx:OkxDialect",
}
_REGISTERED: dict[str, type[Dialect]] = {}


def register(cls: type[Dialect]) -> type[Dialect]:
    """Class decorator registering a third-party dialect under `cls.name`."""
    _REGISTERED[cls.name] = cls
    return cls


def available() -> list[str]:
    return sorted(set(_BUILTIN) | set(_REGISTERED))


def load(name: str) -> type[Dialect]:
    """The Dialect class registered as `name`; raises KeyError if unknown."""
    if name in _REGISTERED:
        return _REGISTERED[name]
    target = _BUILTIN[name]
    module, _, attr = target.partition(":")
    cls: type[Dialect] = getattr(importlib.import_module(module), attr)
    return cls
