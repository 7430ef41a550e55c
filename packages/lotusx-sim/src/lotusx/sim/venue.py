"""Venue: one simulated exchange running in this process."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from lotusx.sim import dialect as dialects
from lotusx.sim.core import EIGHT_HOURS_MS, VenueCore
from lotusx.sim.dialect import Dialect, DialectOptions
from lotusx.sim.faults import FaultInjector
from lotusx.sim.model import Fill, Order
from lotusx.sim.ratelimit import RateLimitRule
from lotusx.sim.view import VenueView


class Venue:
    """A running venue: URLs, credentials of the main account, faults and a read-only view."""

    def __init__(
        self,
        core: VenueCore,
        dialect: Dialect,
        urls: Mapping[str, str],
        api_key: str,
        secret: str,
        passphrase: str | None,
    ) -> None:
        self.core = core
        self.dialect = dialect
        self.urls: Mapping[str, str] = dict(urls)
        self.api_key = api_key
        self.secret = secret
        self.passphrase = passphrase
        self.view = VenueView(core)

    @property
    def name(self) -> str:
        return self.core.name

    @property
    def faults(self) -> FaultInjector:
        return self.core.faults

    @property
    def rest_url(self) -> str:
        return self.urls[self.dialect.primary_rest]

    @property
    def ws_url(self) -> str:
        return self.urls[self.dialect.primary_ws]

    def now_ms(self) -> int:
        """Venue clock in ms (real time plus any injected skew)."""
        return self.core.now_ms()

    def wire_order_id(self, order: Order) -> str:
        """How the venue's wire names ``order`` (from `view`): what a client sees."""
        return self.dialect.wire_order_id(order)

    def wire_trade_id(self, fill: Fill) -> str:
        """How the venue's wire names the trade of ``fill`` (from `view.fills`)."""
        return self.dialect.wire_trade_id(fill)

    @staticmethod
    def available() -> list[str]:
        """Names of the dialects that can be started."""
        return dialects.available()

    @classmethod
    async def create(
        cls,
        name: str,
        *,
        seed: int = 7,
        host: str = "127.0.0.1",
        port: int = 0,
        tick_interval: float = 0.1,
        api_key: str | None = None,
        secret: str | None = None,
        passphrase: str | None = None,
        rate_limits: Mapping[str, list[RateLimitRule]] | None = None,
        book_levels: int = 200,
        funding_interval_ms: int = EIGHT_HOURS_MS,
        ping_interval: float = 20.0,
        **extra: Any,
    ) -> Venue:
        """Build and start a venue; call `close()` when done (or use `start`)."""
        dialect = dialects.load(name)()
        core = VenueCore(
            name,
            dialect.markets(),
            seed=seed,
            tick_interval=tick_interval,
            book_levels=book_levels,
            funding_interval_ms=funding_interval_ms,
            starting=dialect.starting_balances(),
            wallet_aliases=dialect.wallet_aliases(),
        )
        minted = dialect.new_credentials() if not (api_key and secret) else ("", "")
        key = api_key or minted[0]
        sec = secret or minted[1]
        pph = (passphrase or secrets.token_hex(8)) if dialect.uses_passphrase else passphrase
        extra = {"api_key": key, "secret": sec, "passphrase": pph, **extra}
        urls = await dialect.start(
            core, DialectOptions(host, port, rate_limits, ping_interval, extra)
        )
        core.start()
        return cls(core, dialect, urls, key, sec, pph)

    async def close(self) -> None:
        await self.core.stop()
        await self.dialect.stop()

    @classmethod
    @asynccontextmanager
    async def start(cls, name: str, **kwargs: Any) -> AsyncIterator[Venue]:
        """`async with Venue.start("binance", seed=7, port=0) as v:` — see `create`."""
        venue = await cls.create(name, **kwargs)
        try:
            yield venue
        finally:
            await venue.close()
