"""Bybit dialect: REST `/v5`, WebSocket `/v5/public/{spot,linear}`, `/v5/private`, `/v5/trade`."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any, ClassVar

from aiohttp import web

from lotusx.sim.core import MAIN, SUB1, SUB2, VenueCore
from lotusx.sim.dialect import Dialect, DialectOptions
from lotusx.sim.dialects.bybit import rest_account, rest_market, rest_trade
from lotusx.sim.dialects.bybit.auth import Credential
from lotusx.sim.dialects.bybit.http import BybitServer
from lotusx.sim.dialects.bybit.limits import BybitLimits
from lotusx.sim.dialects.bybit.markets import bybit_markets
from lotusx.sim.dialects.bybit.ws import BybitStreams
from lotusx.sim.dialects.bybit.ws_trade import TradeSocket
from lotusx.sim.market import MarketSpec

DAY_MS = 86_400_000


class BybitDialect(Dialect):
    """Bybit's documented v5 REST + WebSocket protocol over a VenueCore (a unified account)."""

    name: ClassVar[str] = "bybit"
    primary_rest: ClassVar[str] = "rest"
    primary_ws: ClassVar[str] = "ws_public_spot"

    def __init__(self) -> None:
        self.streams: BybitStreams | None = None
        self.trade: TradeSocket | None = None
        self.runner: web.AppRunner | None = None

    def markets(self) -> list[MarketSpec]:
        return bybit_markets()

    def starting_balances(self) -> dict[tuple[str, str], Decimal]:
        """The unified trading account (`spot`, aliased `futures`) and the funding account."""
        return {
            ("spot", "USDT"): Decimal(100000),
            ("spot", "BTC"): Decimal(2),
            ("spot", "ETH"): Decimal(20),
            ("funding", "USDT"): Decimal(10000),
        }

    def wallet_aliases(self) -> dict[str, str]:
        return {"futures": "spot"}

    @staticmethod
    def credentials(api_key: str, secret: str) -> dict[str, Credential]:
        keys = {api_key: Credential(secret, MAIN)}
        for sub in (SUB1, SUB2):
            key = hashlib.sha256(f"{api_key}:{sub}".encode()).hexdigest()[:18]
            keys[key] = Credential(hashlib.sha256(f"{secret}:{sub}".encode()).hexdigest()[:36], sub)
        return keys

    def seed_history(self, core: VenueCore) -> None:
        now = core.now_ms()
        for i, (coin, amount, chain, addr) in enumerate(
            (
                ("USDT", Decimal(50000), "TRX", "TSimMainAddress"),
                ("BTC", Decimal(1), "BTC", "bc1qsimmainaddress"),
                ("ETH", Decimal(10), "ETH", "0xsimmainaddress"),
            )
        ):
            t = now - (3 - i) * DAY_MS
            core.ledger.deposit(MAIN, "funding", coin, amount, chain, addr, t, apply=False)

    async def start(self, core: VenueCore, options: DialectOptions) -> dict[str, str]:
        extra: dict[str, Any] = dict(options.extra)
        keys = self.credentials(str(extra["api_key"]), str(extra["secret"]))
        core.ledger.withdraw_delay_ms = int(extra.get("withdraw_delay_ms", 1000))
        self.seed_history(core)
        rules = list((options.rate_limits or {}).get("rest", []))
        limits = BybitLimits(rules)
        server = BybitServer(core, keys, limits, float(extra.get("fail_timeout", 30.0)))
        server.add(rest_market.routes() + rest_trade.routes() + rest_account.routes())
        self.streams = BybitStreams(core, server.app, keys)
        self.trade = TradeSocket(core, server.app, keys, limits)
        self.runner = web.AppRunner(
            server.app, handle_signals=False, access_log=None, shutdown_timeout=0.25
        )
        await self.runner.setup()
        await web.TCPSite(self.runner, options.host, options.port).start()
        port = self.runner.addresses[0][1]
        self.streams.start()
        ws = f"ws://{options.host}:{port}"
        return {
            "rest": f"http://{options.host}:{port}",
            "ws_public_spot": f"{ws}/v5/public/spot",
            "ws_public_linear": f"{ws}/v5/public/linear",
            "ws_private": f"{ws}/v5/private",
            "ws_trade": f"{ws}/v5/trade",
        }

    async def stop(self) -> None:
        if self.streams is not None:
            await self.streams.stop()
        if self.trade is not None:
            await self.trade.stop()
        if self.runner is not None:
            await self.runner.cleanup()
        self.streams, self.trade, self.runner = None, None, None
