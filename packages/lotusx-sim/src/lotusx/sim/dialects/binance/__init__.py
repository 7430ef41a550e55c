"""Binance dialect: spot (`/api/v3`, `/sapi/v1`) and USDⓈ-M (`/fapi`) on two ports."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any, ClassVar

from aiohttp import web

from lotusx.sim.core import MAIN, SUB1, SUB2, VenueCore
from lotusx.sim.dialect import Dialect, DialectOptions
from lotusx.sim.dialects.binance import rest_futures, rest_futures_market, rest_sapi, rest_spot
from lotusx.sim.dialects.binance.auth import Credential
from lotusx.sim.dialects.binance.http import BinanceHost
from lotusx.sim.dialects.binance.limits import FUTURES_DEFAULT, SPOT_DEFAULT, BinanceLimits
from lotusx.sim.dialects.binance.markets import FUTURES, SPOT, binance_markets
from lotusx.sim.dialects.binance.ws import StreamHub
from lotusx.sim.dialects.binance.ws_api import WsApi
from lotusx.sim.market import MarketSpec

DAY_MS = 86_400_000


class BinanceDialect(Dialect):
    """Binance's documented REST + WebSocket protocol over a VenueCore."""

    name: ClassVar[str] = "binance"
    ports: ClassVar[int] = 2
    primary_rest: ClassVar[str] = "spot_rest"
    primary_ws: ClassVar[str] = "spot_ws"

    def __init__(self) -> None:
        self.hosts: dict[str, BinanceHost] = {}
        self.hubs: list[StreamHub] = []
        self.apis: list[WsApi] = []
        self.runners: list[web.AppRunner] = []

    def markets(self) -> list[MarketSpec]:
        return binance_markets()

    def credentials(self, api_key: str, secret: str) -> dict[str, Credential]:
        """Main account key plus derived keys for the two sub-accounts."""
        keys = {api_key: Credential(secret, MAIN)}
        for sub in (SUB1, SUB2):
            digest = hashlib.sha256(f"{api_key}:{sub}".encode()).hexdigest()
            keys[digest] = Credential(hashlib.sha256(f"{secret}:{sub}".encode()).hexdigest(), sub)
        return keys

    def seed_history(self, core: VenueCore) -> None:
        now = core.now_ms()
        led = core.ledger
        led.deposit(
            MAIN,
            "spot",
            "USDT",
            Decimal(50000),
            "ETH",
            "0xsimmainaddress",
            now - 3 * DAY_MS,
            apply=False,
        )
        led.deposit(
            MAIN,
            "spot",
            "BTC",
            Decimal(1),
            "BTC",
            "bc1qsimmainaddress",
            now - 2 * DAY_MS,
            apply=False,
        )
        led.deposit(
            MAIN, "spot", "ETH", Decimal(10), "ETH", "0xsimmainaddress", now - DAY_MS, apply=False
        )

    async def start(self, core: VenueCore, options: DialectOptions) -> dict[str, str]:
        extra: dict[str, Any] = dict(options.extra)
        keys = self.credentials(str(extra["api_key"]), str(extra["secret"]))
        limits = options.rate_limits or {}
        ban_after = int(extra.get("ban_after", 5))
        ban_ms = int(extra.get("ban_ms", 120_000))
        core.ledger.withdraw_delay_ms = int(extra.get("withdraw_delay_ms", 1000))
        self.seed_history(core)
        urls: dict[str, str] = {}
        for i, (market, default, routes, futures) in enumerate(
            (
                (SPOT, SPOT_DEFAULT, rest_spot.routes() + rest_sapi.routes(), False),
                (
                    FUTURES,
                    FUTURES_DEFAULT,
                    rest_futures_market.routes() + rest_futures.routes(),
                    True,
                ),
            )
        ):
            rules = list(limits.get(market, default))
            host = BinanceHost(
                core,
                market,
                BinanceLimits(rules, futures, ban_after, ban_ms),
                keys,
                float(extra.get("fail_timeout", 30.0)),
            )
            host.add(routes)
            host.listen_keys.validity_ms = int(extra.get("listen_key_ms", 60 * 60 * 1000))
            hub = StreamHub(core, host, futures, options.ping_interval, extra.get("inbound_limit"))
            api = WsApi(core, host, futures)
            runner = web.AppRunner(
                host.app, handle_signals=False, access_log=None, shutdown_timeout=0.25
            )
            await runner.setup()
            port = options.port + i if options.port else 0
            site = web.TCPSite(runner, options.host, port)
            await site.start()
            bound = runner.addresses[0][1]
            urls[f"{market}_rest"] = f"http://{options.host}:{bound}"
            urls[f"{market}_ws"] = f"ws://{options.host}:{bound}"
            urls[f"{market}_ws_api"] = f"ws://{options.host}:{bound}{api.path}"
            hub.start()
            self.hosts[market], self.runners = host, [*self.runners, runner]
            self.hubs.append(hub)
            self.apis.append(api)
        return {
            "spot_rest": urls["spot_rest"],
            "spot_ws": urls["spot_ws"],
            "futures_rest": urls["futures_rest"],
            "futures_ws": urls["futures_ws"],
            "spot_ws_api": urls["spot_ws_api"],
            "futures_ws_api": urls["futures_ws_api"],
        }

    async def stop(self) -> None:
        for hub in self.hubs:
            await hub.stop()
        for api in self.apis:
            await api.stop()
        for runner in self.runners:
            await runner.cleanup()
        self.hubs, self.apis, self.runners = [], [], []
