"""The REST pipeline of one Binance host: faults, limits, auth, handler, headers, log."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import msgspec
from aiohttp import web

from lotusx.sim.core import RequestRecord, VenueCore
from lotusx.sim.dialects.binance.auth import Credential, Security, authenticate
from lotusx.sim.dialects.binance.errors import BinanceError
from lotusx.sim.dialects.binance.limits import BinanceLimits
from lotusx.sim.dialects.binance.listenkeys import ListenKeys
from lotusx.sim.dialects.binance.params import Params
from lotusx.sim.market import MarketSpec

Weight = int | Callable[[Params], int]
ENCODER = msgspec.json.Encoder(decimal_format="number")


@dataclass(slots=True)
class Ctx:
    """What a handler gets: the venue, the parsed params and the authenticated account."""

    core: VenueCore
    host: BinanceHost
    params: Params
    account: str | None
    now: int
    api_key: str | None

    @property
    def acct(self) -> str:
        assert self.account is not None
        return self.account

    @property
    def specs(self) -> dict[str, MarketSpec]:
        return self.core.specs[self.host.market]


Handler = Callable[[Ctx], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Route:
    """One endpoint: security type, request weight, order-count cost, handler."""

    method: str
    path: str
    handler: Handler
    security: Security = Security.NONE
    weight: Weight = 1
    orders: Weight = 0
    places: bool = False
    sapi: bool = False
    in_maintenance: bool = False


class BinanceHost:
    """One Binance host (spot `api` or futures `fapi`) served by an aiohttp app."""

    def __init__(
        self,
        core: VenueCore,
        market: str,
        limits: BinanceLimits,
        keys: dict[str, Credential],
        fail_timeout: float = 30.0,
    ) -> None:
        self.core = core
        self.market = market
        self.limits = limits
        self.keys = keys
        self.fail_timeout = fail_timeout
        self.app = web.Application()
        self.routes: dict[tuple[str, str], Route] = {}
        self.sapi_used: dict[str, int] = {}
        self.listen_keys = ListenKeys()
        self.on_listen_key_closed: Callable[[str], None] = lambda key: None
        self.on_config: Callable[[str, str, int], None] = lambda account, symbol, lev: None

    def add(self, routes: list[Route]) -> None:
        for route in routes:
            self.routes[(route.method, route.path)] = route
            self.app.router.add_route(route.method, route.path, self._bind(route))

    def _bind(self, route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handle(request: web.Request) -> web.StreamResponse:
            return await self.dispatch(request, route)

        return handle

    async def dispatch(self, request: web.Request, route: Route) -> web.StreamResponse:
        core, faults = self.core, self.core.faults
        if faults.rest_latency_ms:
            await asyncio.sleep(faults.rest_latency_ms / 1000)
        now = core.now_ms()
        ip = request.remote or "?"
        headers: dict[str, str] = {}
        status = 200
        try:
            raw_query = request.raw_path.partition("?")[2]
            raw_body = (await request.text()) if request.can_read_body else ""
            params = Params(
                parse_qsl(raw_query, keep_blank_values=True),
                parse_qsl(raw_body, keep_blank_values=True),
            )
            body, status, headers = await self._run(
                request, route, params, raw_query, raw_body, ip, now
            )
        except BinanceError as err:
            body, status = err.body(), err.status
            headers.update(err.headers)
        except _Dropped:
            status = 0
            core.request_log.append(
                RequestRecord(route.method, route.path, status, now, self.market)
            )
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=503)
        if route.sapi:
            headers["X-SAPI-USED-IP-WEIGHT-1M"] = str(self.sapi_used.get(ip, 0))
        else:
            headers.update(self.limits.weight_headers(ip, now))
        core.request_log.append(RequestRecord(route.method, route.path, status, now, self.market))
        return web.Response(
            body=ENCODER.encode(body),
            status=status,
            headers=headers,
            content_type="application/json",
        )

    async def _run(
        self,
        request: web.Request,
        route: Route,
        params: Params,
        raw_query: str,
        raw_body: str,
        ip: str,
        now: int,
    ) -> tuple[Any, int, dict[str, str]]:
        faults = self.core.faults
        headers: dict[str, str] = {}
        if not route.sapi:
            self.limits.check_ban(ip, now)
        if faults.take("rest_429"):
            rule = next(r for r in self.limits.rules if r.kind == "REQUEST_WEIGHT")
            raise self.limits.too_many(rule, now)
        if faults.take("rest_5xx"):
            raise BinanceError(
                -1001, "Internal error; unable to process your request. Please try again.", 503
            )
        if faults.maintenance and not route.in_maintenance:
            raise BinanceError(-1016, "This service is no longer available.", 503)
        weight = route.weight(params) if callable(route.weight) else route.weight
        if route.sapi:
            self.sapi_used[ip] = self.sapi_used.get(ip, 0) + weight
        else:
            self.limits.charge_weight(ip, weight, now)
        account = authenticate(
            route.security,
            request.headers.get("X-MBX-APIKEY"),
            params,
            raw_query,
            raw_body,
            self.keys,
            now,
        )
        orders = route.orders(params) if callable(route.orders) else route.orders
        if orders and account is not None:
            self.limits.charge_orders(account, orders, now)
        ctx = Ctx(self.core, self, params, account, now, request.headers.get("X-MBX-APIKEY"))
        try:
            result = await route.handler(ctx)
        finally:
            if orders and account is not None:
                headers.update(self.limits.order_headers(account, now))
        status = 200
        if isinstance(result, Reply):
            result, status = result.body, result.status
        if route.places and faults.take("fail_after_accept"):
            await self._lose_reply(faults.fail_after_accept_mode)
        return result, status, headers

    async def _lose_reply(self, mode: str) -> None:
        if mode == "timeout":
            await asyncio.sleep(self.fail_timeout)
        if mode == "close":
            raise _Dropped
        raise BinanceError(
            -1007,
            "Timeout waiting for response from backend server. Send status "
            "unknown; execution status unknown.",
            503,
        )


@dataclass(frozen=True, slots=True)
class Reply:
    """A handler result with a non-200 status (e.g. cancelReplace partial failure)."""

    body: Any
    status: int


class _Dropped(Exception):
    """Close the connection without a reply."""
