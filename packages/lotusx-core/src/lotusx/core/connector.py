"""The `Connector` base class: configuration, lifecycle, instruments cache, capabilities.

A concrete connector (``lotusx.connectors.<exchange>.connector``) subclasses it, sets ``name``
and its URL tables, builds its `RestClient` in `_build_rest`, and overrides the capability
methods it supports. Everything it does not override raises `NotSupportedError`.

Configuration comes from arguments, else from ``LOTUSX_<EXCHANGE>_API_KEY``/``_SECRET``/
``_PASSPHRASE`` (with ``TESTNET_`` after the exchange name when ``testnet=True``).

Order actions are one request each: a connector builds the returned `Order` from the
acknowledgement (`lotusx.core.orders`) and passes it through `_acknowledged`, which keeps it in
`orders` (so a later cancel or amend acknowledgement, naming only ids, returns the whole order)
and reads it back from the venue only when ``read_back=True``.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Mapping
from enum import StrEnum
from types import TracebackType
from typing import ClassVar, Self, TypedDict, TypeVar

from lotusx.core.capabilities import (
    Account,
    Capability,
    Funds,
    MarketData,
    Streams,
    SystemMeta,
    Trading,
    supported_capabilities,
)
from lotusx.core.clock import Clock
from lotusx.core.errors import BadSymbol, ConfigurationError, LotusXError, RequestNotSent
from lotusx.core.observability import ORDER_FALLBACKS, get_logger
from lotusx.core.orders import OrderLedger
from lotusx.core.transport.rest import RestClient
from lotusx.core.transport.signing import Credentials
from lotusx.core.types import (
    Instrument,
    MarketKind,
    Order,
    OrderRequest,
    Symbol,
    SymbolLike,
    as_symbol,
)

__all__ = ["Connector", "ConnectorOptions", "OrderTransport"]

T = TypeVar("T")


class OrderTransport(StrEnum):
    """How order actions travel: REST requests, or the venue's WebSocket order entry."""

    REST = "rest"
    WS = "ws"


class ConnectorOptions(TypedDict, total=False):
    """The options every connector takes; a connector adds its own before ``**options``."""

    api_key: str | None
    secret: str | None
    passphrase: str | None
    testnet: bool
    urls: Mapping[str, str] | None
    timeout: float
    read_back: bool
    order_transport: OrderTransport | str


class Connector(MarketData, Trading, Account, Funds, SystemMeta, Streams):
    """Base of every exchange connector. Use as ``async with connector: ...``."""

    name: ClassVar[str] = "base"
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    mainnet_urls: ClassVar[Mapping[str, str]] = {}
    testnet_urls: ClassVar[Mapping[str, str]] = {}
    needs_passphrase: ClassVar[bool] = False
    #: Capabilities this connector provides by several requests where the venue has no single
    #: one, with how (shown by ``lotusx exchanges`` and the venue's page).
    emulated: ClassVar[Mapping[Capability, str]] = {}
    #: The order transports this connector offers (``order_transport=`` picks one).
    order_transports: ClassVar[frozenset[OrderTransport]] = frozenset({OrderTransport.REST})

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.capabilities = supported_capabilities(cls)

    def __init__(
        self,
        *,
        api_key: str | None = None,
        secret: str | None = None,
        passphrase: str | None = None,
        testnet: bool = False,
        urls: Mapping[str, str] | None = None,
        timeout: float = 10.0,
        read_back: bool = False,
        order_transport: OrderTransport | str = OrderTransport.REST,
    ) -> None:
        self.testnet = testnet
        self.timeout = timeout
        self.order_transport = OrderTransport(order_transport)
        if self.order_transport not in self.order_transports:
            offered = ", ".join(sorted(t.value for t in self.order_transports))
            raise ConfigurationError(
                f"{self.name} takes orders over {offered} only, not {self.order_transport.value}"
            )
        #: Read every order an action returns back from the venue (one more request each).
        self.read_back = read_back
        #: The orders this connector placed or read (see `_acknowledged`).
        self.orders = OrderLedger()
        self.credentials = self._credentials(api_key, secret, passphrase)
        base = dict(self.testnet_urls if testnet else self.mainnet_urls)
        if testnet and not base:
            raise ConfigurationError(f"{self.name} has no testnet")
        unknown = set(urls or {}) - set(self.mainnet_urls)
        if unknown:
            raise ConfigurationError(
                f"{self.name}: unknown URL keys {sorted(unknown)}; "
                f"known: {sorted(self.mainnet_urls)}"
            )
        base.update(urls or {})
        self.urls: dict[str, str] = base
        self.clock = Clock(self.name)
        self.log = get_logger(self.name)
        self._instruments: dict[Symbol, Instrument] = {}
        self._native: dict[tuple[MarketKind, str], Instrument] = {}
        # Symbols this connector placed orders on, or saw private activity for, since it was
        # made: where a private stream looks for fills it missed in a gap.
        self.traded_symbols: set[Symbol] = set()
        self.rest = self._build_rest()

    def __repr__(self) -> str:
        key = "set" if self.credentials else "none"
        return f"{type(self).__name__}(testnet={self.testnet}, credentials={key})"

    def _credentials(
        self, api_key: str | None, secret: str | None, passphrase: str | None
    ) -> Credentials | None:
        prefix = f"LOTUSX_{self.name.upper()}_{'TESTNET_' if self.testnet else ''}"
        api_key = api_key or os.environ.get(prefix + "API_KEY")
        secret = secret or os.environ.get(prefix + "SECRET")
        passphrase = passphrase or os.environ.get(prefix + "PASSPHRASE")
        if not api_key and not secret:
            return None
        if not api_key or not secret:
            raise ConfigurationError(f"{self.name}: api_key and secret go together")
        if self.needs_passphrase and not passphrase:
            raise ConfigurationError(f"{self.name}: a passphrase is required with the API key")
        return Credentials(api_key, secret, passphrase)

    def _build_rest(self) -> RestClient:
        """Build this connector's `RestClient` (signer, limiter, error table, URLs)."""
        raise NotImplementedError

    def _will_trade(self, inst: Instrument, request: OrderRequest) -> None:
        """Check ``request`` against ``inst`` before it is sent; note the symbol as traded."""
        inst.check_order(request)
        self.traded_symbols.add(inst.symbol)

    async def _acknowledged(self, order: Order) -> Order:
        """Every order an order action returns passes here: kept in `orders`, and replaced by
        the venue's own read of it when ``read_back`` is set (kept as acknowledged when that
        read fails: the action itself succeeded)."""
        if self.read_back:
            try:
                order = await self.get_order(order.symbol, order_id=order.order_id)
            except LotusXError as exc:  # the action succeeded: its acknowledgement stands
                self.log.warning("read_back_failed", order_id=order.order_id, error=str(exc))
        return self.orders.remember(order)

    async def _order_call(
        self, over_ws: Callable[[], Awaitable[T]], over_rest: Callable[[], Awaitable[T]]
    ) -> T:
        """One order action over the chosen transport. With ``order_transport="ws"``, a request
        the socket could not take (`RequestNotSent`: nothing reached the venue) goes over REST
        at once; any other failure is the action's own (a lost reply is never re-sent here)."""
        if self.order_transport is OrderTransport.WS:
            try:
                return await over_ws()
            except RequestNotSent as exc:
                ORDER_FALLBACKS.labels(self.name).inc()
                self.log.warning("order_entry_fallback_to_rest", reason=str(exc))
        return await over_rest()

    async def _known_order(
        self, symbol: Symbol, order_id: str | None, client_order_id: str | None
    ) -> Order:
        """The order named by either id: as last known here, else read from the venue (the
        one case an order action costs a second request: an order this connector never saw)."""
        found = self.orders.find(symbol, order_id, client_order_id)
        if found is None:
            found = self.orders.remember(
                await self.get_order(symbol, order_id=order_id, client_order_id=client_order_id)
            )
        return found

    # ------------------------------------------------------------------ lifecycle

    async def open(self) -> None:
        await self.rest.open()

    async def close(self) -> None:
        await self.rest.close()

    async def __aenter__(self) -> Self:
        try:
            await self.open()
        except BaseException:
            await self.close()  # `__aexit__` does not run when entering fails
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @classmethod
    def supports(cls, capability: Capability) -> bool:
        return capability in cls.capabilities

    # ------------------------------------------------------------------ instruments

    async def load_instruments(self, *, reload: bool = False) -> dict[Symbol, Instrument]:
        """All instruments, fetched once and cached (``reload=True`` refreshes)."""
        if reload or not self._instruments:
            loaded = await self.get_instruments()
            self._instruments = {i.symbol: i for i in loaded}
            self._native = {(i.kind, i.native_id): i for i in loaded}
        return self._instruments

    async def instrument(self, symbol: SymbolLike) -> Instrument:
        """The instrument for a unified symbol; `BadSymbol` when the exchange lists none."""
        sym = as_symbol(symbol)
        instruments = await self.load_instruments()
        found = instruments.get(sym)
        if found is None:
            raise BadSymbol(
                f"no instrument {sym} (known: {len(instruments)} instruments)",
                exchange=self.name,
                endpoint="instruments",
            )
        return found

    def instrument_by_native(self, kind: MarketKind, native_id: str) -> Instrument:
        """The cached instrument for a native id (instruments must be loaded)."""
        found = self._native.get((kind, native_id))
        if found is None:
            raise BadSymbol(
                f"unknown {kind} instrument {native_id!r}",
                exchange=self.name,
                endpoint="instruments",
            )
        return found
