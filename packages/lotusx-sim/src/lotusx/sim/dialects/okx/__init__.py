"""OKX dialect: REST `/api/v5` and WebSocket `/ws/v5/{public,private,business}` on one port."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any, ClassVar

from aiohttp import web

from lotusx.sim.core import MAIN, SUB1, SUB2, VenueCore
from lotusx.sim.dialect import Dialect, DialectOptions
from lotusx.sim.dialects.okx import rest_account, rest_public, rest_trade
from lotusx.sim.dialects.okx.auth import Credential
from lotusx.sim.dialects.okx.http import OkxServer
from lotusx.sim.dialects.okx.limits import OkxLimits
from lotusx.sim.dialects.okx.markets import Inst, okx_instruments
from lotusx.sim.dialects.okx.ws import OkxStreams
from lotusx.sim.dialects.okx.ws_trade import WsTrade
from lotusx.sim.market import MarketSpec

DAY_MS = 86_400_000


class OkxDialect(Dialect):
    """OKX's documented v5 REST + WebSocket protocol over a VenueCore (a unified account)."""

    name: ClassVar[str] = "okx"
    primary_rest: ClassVar[str] = "rest"
    primary_ws: ClassVar[str] = "ws_public"
    uses_passphrase: ClassVar[bool] = True

    def __init__(self) -> None:
        self.insts: dict[str, Inst] = {i.inst_id: i for i in okx_instruments()}
        self.streams: OkxStreams | None = None
        self.runner: web.AppRunner | None = None

    def markets(self) -> list[MarketSpec]:
        return [i.spec for i in self.insts.values()]

    def starting_balances(self) -> dict[tuple[str, str], Decimal]:
        """The trading account (`spot`, aliased `futures`) and the funding account."""
        return {
            ("spot", "USDT"): Decimal(100000),
            ("spot", "BTC"): Decimal(2),
            ("spot", "ETH"): Decimal(20),
            ("funding", "USDT"): Decimal(10000),
        }

    def wallet_aliases(self) -> dict[str, str]:
        return {"futures": "spot"}

    @staticmethod
    def credentials(
        api_key: str, secret: str, passphrase: str, demo: bool
    ) -> dict[str, Credential]:
        """Main account key plus derived keys for the two sub-accounts (same passphrase)."""
        keys = {api_key: Credential(secret, passphrase, MAIN, demo)}
        for sub in (SUB1, SUB2):
            key = hashlib.sha256(f"{api_key}:{sub}".encode()).hexdigest()[:32]
            sec = hashlib.sha256(f"{secret}:{sub}".encode()).hexdigest()[:32].upper()
            keys[key] = Credential(sec, passphrase, sub, demo)
        return keys

    def seed_history(self, core: VenueCore) -> None:
        now = core.now_ms()
        led = core.ledger
        for i, (ccy, amount, chain, addr) in enumerate(
            (
                ("USDT", Decimal(50000), "USDT-TRC20", "TSimMainAddress"),
                ("BTC", Decimal(1), "BTC-Bitcoin", "bc1qsimmainaddress"),
                ("ETH", Decimal(10), "ETH-ERC20", "0xsimmainaddress"),
            )
        ):
            led.deposit(
                MAIN, "funding", ccy, amount, chain, addr, now - (3 - i) * DAY_MS, apply=False
            )

    async def start(self, core: VenueCore, options: DialectOptions) -> dict[str, str]:
        extra: dict[str, Any] = dict(options.extra)
        keys = self.credentials(
            str(extra["api_key"]),
            str(extra["secret"]),
            str(extra["passphrase"]),
            bool(extra.get("demo", False)),
        )
        core.ledger.withdraw_delay_ms = int(extra.get("withdraw_delay_ms", 1000))
        self.seed_history(core)
        rules = list((options.rate_limits or {}).get("rest", []))
        server = OkxServer(
            core, self.insts, keys, OkxLimits(rules), float(extra.get("fail_timeout", 30.0))
        )
        server.add(rest_public.routes() + rest_trade.routes() + rest_account.routes())
        self.streams = OkxStreams(
            core,
            server.app,
            self.insts,
            keys,
            idle_timeout=float(extra.get("idle_timeout", 30.0)),
            book_interval=float(extra.get("book_interval", 0.1)),
        )
        self.streams.trading = WsTrade(server)
        self.runner = web.AppRunner(
            server.app, handle_signals=False, access_log=None, shutdown_timeout=0.25
        )
        await self.runner.setup()
        site = web.TCPSite(self.runner, options.host, options.port)
        await site.start()
        port = self.runner.addresses[0][1]
        self.streams.start()
        http, ws = f"http://{options.host}:{port}", f"ws://{options.host}:{port}"
        return {
            "rest": http,
            "ws_public": f"{ws}/ws/v5/public",
            "ws_private": f"{ws}/ws/v5/private",
            "ws_business": f"{ws}/ws/v5/business",
        }

    async def stop(self) -> None:
        if self.streams is not None:
            await self.streams.stop()
        if self.runner is not None:
            await self.runner.cleanup()
        self.streams, self.runner = None, None
