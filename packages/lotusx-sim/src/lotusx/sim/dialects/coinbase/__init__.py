"""Coinbase Advanced Trade dialect: REST `/api/v3/brokerage`, WebSocket `/ws` and `/ws-user`.

Spot only (BTC-USD, ETH-USD). Where the documentation is silent the dialect decides; every such
decision is listed in docs/sim.md ("Coinbase dialect") and in the module that makes it:

- errors: JSON `{"error", "code", "message", "details"}` for every HTTP error, 401/429 included;
  malformed requests are 400, business refusals `success: false`.
- auth: no clock leeway on `nbf`/`exp`; REST also accepts a one-element `uris` list.
- keys: one CDP key per portfolio (the main key acts on the default portfolio); keys for the
  two other portfolios are derived from the main secret (`sub_credentials`);
  `retail_portfolio_id` on requests is ignored (documented as legacy-key only).
- orders: UUID-shaped ids; a refused order is not stored; IOC/FOK remainders end CANCELLED,
  GTD orders past `end_time` EXPIRED; another portfolio's order is 404.
- market data: public trade `side` is the taker's; `/market/...` answers are not cached.
- WebSocket: snapshot before the `subscriptions` confirmation; no `client_id` and an integer
  `heartbeat_counter` (per the AsyncAPI spec); `user` is served on both hosts (the AsyncAPI
  spec puts it on the market-data host, the Endpoints page on the user host); public channels
  are not served on `ws_user`; idle channels are never closed.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, ClassVar

from aiohttp import web

from lotusx.sim.core import MAIN, SUB1, SUB2, VenueCore
from lotusx.sim.dialect import Dialect, DialectOptions
from lotusx.sim.dialects.coinbase import rest_account, rest_market, rest_trade
from lotusx.sim.dialects.coinbase.auth import (
    Credential,
    derived_ec_key,
    new_key_name,
    pem_of,
    public_key,
)
from lotusx.sim.dialects.coinbase.fees import CoinbaseSpotAccountant
from lotusx.sim.dialects.coinbase.http import CoinbaseServer
from lotusx.sim.dialects.coinbase.limits import CoinbaseLimits
from lotusx.sim.dialects.coinbase.markets import coinbase_markets
from lotusx.sim.dialects.coinbase.render import Ids, fill_trade_id
from lotusx.sim.dialects.coinbase.ws import CoinbaseStreams
from lotusx.sim.market import MarketSpec
from lotusx.sim.model import Fill, Order

NS = uuid.UUID("0c7a3f52-61d4-4b8e-a0f9-5e2d8c1b7a64")


def org_of(key_name: str) -> str:
    parts = key_name.split("/")
    return parts[1] if len(parts) == 4 and parts[0] == "organizations" else key_name


class CoinbaseDialect(Dialect):
    """Coinbase's documented Advanced Trade REST + WebSocket protocol over a VenueCore."""

    name: ClassVar[str] = "coinbase"
    primary_rest: ClassVar[str] = "rest"
    primary_ws: ClassVar[str] = "ws"

    def __init__(self) -> None:
        self.streams: CoinbaseStreams | None = None
        self.runner: web.AppRunner | None = None
        self._core: VenueCore | None = None
        self._ids: Ids | None = None

    def markets(self) -> list[MarketSpec]:
        return coinbase_markets()

    def starting_balances(self) -> dict[tuple[str, str], Decimal]:
        return {
            ("spot", "USD"): Decimal(100000),
            ("spot", "BTC"): Decimal(2),
            ("spot", "ETH"): Decimal(20),
        }

    def new_credentials(self) -> tuple[str, str]:
        """A CDP key name and a fresh P-256 private key as SEC1 PEM."""
        from cryptography.hazmat.primitives.asymmetric import ec

        return new_key_name(), pem_of(ec.generate_private_key(ec.SECP256R1()))

    @staticmethod
    def sub_credentials(api_key: str, secret: str) -> dict[str, tuple[str, str]]:
        """(key name, PEM secret) of the keys permissioned to the two other portfolios."""
        org = org_of(api_key)
        out = {}
        for sub in (SUB1, SUB2):
            key_id = uuid.uuid5(NS, f"{api_key}:{sub}")
            name = f"organizations/{org}/apiKeys/{key_id}"
            out[sub] = (name, pem_of(derived_ec_key(f"{secret}:{sub}")))
        return out

    @classmethod
    def credentials(cls, api_key: str, secret: str) -> dict[str, Credential]:
        try:
            main = public_key(secret)
        except ValueError:
            raise ValueError(
                "coinbase: the secret must be a CDP key: an EC private key in PEM, or a base64"
                " Ed25519 key"
            ) from None
        keys = {api_key: Credential(api_key, main, MAIN)}
        for sub, (name, pem) in cls.sub_credentials(api_key, secret).items():
            keys[name] = Credential(name, public_key(pem), sub)
        return keys

    def wire_order_id(self, order: Order) -> str:
        """Orders are UUIDs on Coinbase's wire."""
        assert self._ids is not None, "the venue is not started"
        return self._ids.order(order.order_id)

    def wire_trade_id(self, fill: Fill) -> str:
        """Fills' trade ids are UUIDs on Coinbase's wire."""
        assert self._core is not None and self._ids is not None, "the venue is not started"
        return fill_trade_id(self._core, self._ids, fill)

    async def start(self, core: VenueCore, options: DialectOptions) -> dict[str, str]:
        extra: dict[str, Any] = dict(options.extra)
        api_key = str(extra["api_key"])
        keys = self.credentials(api_key, str(extra["secret"]))
        ids = self._ids = Ids(org_of(api_key), [MAIN, SUB1, SUB2])
        self._core = core
        rules = list((options.rate_limits or {}).get("rest", []))
        fail_timeout = float(extra.get("fail_timeout", 30.0))
        server = CoinbaseServer(core, ids, keys, CoinbaseLimits(rules), fail_timeout)
        server.add(rest_market.routes() + rest_trade.routes() + rest_account.routes())
        core.tick_hooks.append(lambda now: rest_trade.expire_gtd(core, now))
        engine = core.engines["spot"]
        engine.accountant = CoinbaseSpotAccountant(core.ledger, "spot", core.specs["spot"])
        self.streams = CoinbaseStreams(core, server.app, ids, keys)
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
            "ws": f"{ws}/ws",
            "ws_user": f"{ws}/ws-user",
        }

    async def stop(self) -> None:
        if self.streams is not None:
            await self.streams.stop()
        if self.runner is not None:
            await self.runner.cleanup()
        self.streams, self.runner = None, None
