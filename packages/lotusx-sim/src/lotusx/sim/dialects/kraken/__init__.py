"""Kraken dialect: Spot (REST `/0/...`, WebSocket v2) and Kraken Futures (REST
`/derivatives/api/v3/...`, WebSocket v1) on two ports.

Spot pairs XBT/USD and ETH/USD; flex (multi-collateral) linear perpetuals PF_XBTUSD and
PF_ETHUSD margined in USD. One API key pair serves both hosts (Kraken issues separate keys
for Futures; the simulator accepts the spot pair on both). Every decision taken where the
documentation is silent is listed in docs/sim.md ("Kraken dialect").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from aiohttp import web

from lotusx.sim.core import MAIN, VenueCore
from lotusx.sim.dialect import Dialect, DialectOptions
from lotusx.sim.dialects.kraken import (
    auth,
    charts,
    rest_futures_account,
    rest_futures_market,
    rest_futures_trade,
    rest_spot_account,
    rest_spot_public,
    rest_spot_trade,
)
from lotusx.sim.dialects.kraken.deadman import DeadMan
from lotusx.sim.dialects.kraken.fees import KrakenSpotAccountant
from lotusx.sim.dialects.kraken.http_futures import FuturesServer
from lotusx.sim.dialects.kraken.http_spot import SpotServer
from lotusx.sim.dialects.kraken.ids import Ids
from lotusx.sim.dialects.kraken.limits import TIERS, KrakenLimits
from lotusx.sim.dialects.kraken.markets import FUTURES, SPOT, kraken_markets
from lotusx.sim.dialects.kraken.truth import BookIds
from lotusx.sim.dialects.kraken.ws_futures import FuturesStreams
from lotusx.sim.dialects.kraken.ws_spot import SpotStreams
from lotusx.sim.market import MarketSpec
from lotusx.sim.model import Fill, Order

DAY_MS = 86_400_000


class KrakenDialect(Dialect):
    """Kraken's documented Spot and Futures protocols over a VenueCore."""

    name: ClassVar[str] = "kraken"
    ports: ClassVar[int] = 2
    primary_rest: ClassVar[str] = "spot_rest"
    primary_ws: ClassVar[str] = "spot_ws"

    def __init__(self) -> None:
        self.ids = Ids()
        self.streams = BookIds()  # test truth: `streams.book_update_id(symbol, seq, ms)`
        self.runners: list[web.AppRunner] = []
        self.hubs: list[SpotStreams | FuturesStreams] = []

    def markets(self) -> list[MarketSpec]:
        return kraken_markets()

    def starting_balances(self) -> dict[tuple[str, str], Decimal]:
        return {
            (SPOT, "USD"): Decimal(100000),
            (SPOT, "BTC"): Decimal(2),
            (SPOT, "ETH"): Decimal(20),
            (FUTURES, "USD"): Decimal(100000),
        }

    def new_credentials(self) -> tuple[str, str]:
        return auth.new_credentials()

    def wire_order_id(self, order: Order) -> str:
        if order.market == SPOT:
            return self.ids.spot_order(order.order_id)
        return self.ids.futures_order(order.order_id)

    def wire_trade_id(self, fill: Fill) -> str:
        if fill.market == SPOT:
            return Ids.spot_trade(fill.symbol, fill.trade_id, fill.order_id)
        return Ids.futures_fill(fill.symbol, fill.trade_id, fill.order_id)

    @staticmethod
    def seed_history(core: VenueCore) -> None:
        now, led = core.now_ms(), core.ledger
        for asset, qty, address, days in (
            ("USD", Decimal(50000), "Bank Frick (SWIFT)", 3),
            ("BTC", Decimal(1), "bc1qsimkrakendeposit000000000000000000", 2),
            ("ETH", Decimal(10), "0x4242424242424242424242424242424242424242", 1),
        ):
            led.deposit(MAIN, SPOT, asset, qty, asset, address, now - days * DAY_MS, apply=False)

    async def _serve(self, app: web.Application, host: str, port: int) -> int:
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=0.25)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        self.runners.append(runner)
        return int(runner.addresses[0][1])

    async def start(self, core: VenueCore, options: DialectOptions) -> dict[str, str]:
        extra: dict[str, Any] = dict(options.extra)
        keys = {str(extra["api_key"]): str(extra["secret"])}
        tier = str(extra.get("tier", "intermediate")).lower()
        if tier not in TIERS:
            raise ValueError(f"kraken: unknown tier {tier!r} (starter, intermediate, pro)")
        overrides = list((options.rate_limits or {}).get(SPOT, [])) + list(
            (options.rate_limits or {}).get(FUTURES, [])
        )
        limits = KrakenLimits(tier, overrides)
        nonces = auth.NonceBook(int(extra.get("nonce_window", 0)))
        fail_timeout = float(extra.get("fail_timeout", 30.0))
        core.ledger.withdraw_delay_ms = int(extra.get("withdraw_delay_ms", 1000))
        self.seed_history(core)
        tokens = rest_spot_account.Tokens()
        spot = SpotServer(core, self.ids, keys, limits, nonces, fail_timeout)
        spot.add(
            rest_spot_public.routes() + rest_spot_trade.routes() + rest_spot_account.routes(tokens)
        )
        deadman = DeadMan(core)
        core.tick_hooks.append(deadman.tick)
        spot.add([rest_spot_trade.deadman_route(deadman)])
        spot.add_fallback()
        engine = core.engines[SPOT]
        engine.accountant = KrakenSpotAccountant(core.ledger, SPOT, core.specs[SPOT])
        core.tick_hooks.append(lambda now: rest_spot_trade.expire_gtd(engine, now))
        host = options.host
        spot_ws = SpotStreams(core, spot.app, tokens, self.ids, limits, self.streams)
        spot_port = await self._serve(spot.app, host, options.port)
        spot_ws.start()
        self.hubs.append(spot_ws)
        futures = FuturesServer(core, self.ids, keys, limits, fail_timeout)
        futures.add(
            rest_futures_market.routes()
            + rest_futures_trade.routes()
            + rest_futures_account.routes()
            + [rest_futures_trade.deadman_route(deadman)]
        )
        charts.add_routes(futures.app, core)
        fut_ws = FuturesStreams(
            core,
            futures.app,
            keys,
            self.ids,
            self.streams,
            float(extra.get("futures_idle_timeout", 60.0)),
        )
        fut_port = await self._serve(futures.app, host, options.port + 1 if options.port else 0)
        fut_ws.start()
        self.hubs.append(fut_ws)
        return {
            "spot_rest": f"http://{host}:{spot_port}",
            "spot_ws": f"ws://{host}:{spot_port}/v2",
            "spot_ws_auth": f"ws://{host}:{spot_port}/ws-auth/v2",
            "futures_rest": f"http://{host}:{fut_port}",
            "futures_ws": f"ws://{host}:{fut_port}/ws/v1",
        }

    async def stop(self) -> None:
        for hub in self.hubs:
            await hub.stop()
        for runner in self.runners:
            await runner.cleanup()
        self.hubs, self.runners = [], []
