"""The Coinbase REST pipeline: faults, rate limits, JWT auth, JSON body, handler, error body."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
from aiohttp import web

from lotusx.sim.core import MAIN, RequestRecord, VenueCore
from lotusx.sim.dialects.coinbase.auth import Credential, authenticate
from lotusx.sim.dialects.coinbase.errors import CoinbaseError, invalid, unavailable
from lotusx.sim.dialects.coinbase.limits import CoinbaseLimits
from lotusx.sim.dialects.coinbase.params import Query
from lotusx.sim.dialects.coinbase.render import Ids
from lotusx.sim.engine import Engine

ENCODER = msgspec.json.Encoder()
PREFIX = "/api/v3/brokerage"


@dataclass(slots=True)
class Ctx:
    core: VenueCore
    ids: Ids
    query: Query
    body: dict[str, Any]
    path: Mapping[str, str]
    cred: Credential | None
    now: int

    @property
    def acct(self) -> str:
        assert self.cred is not None
        return self.cred.account

    @property
    def engine(self) -> Engine:
        return self.core.engines["spot"]


Handler = Callable[[Ctx], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str
    handler: Handler
    private: bool = True
    places: bool = False


class CoinbaseServer:
    def __init__(
        self,
        core: VenueCore,
        ids: Ids,
        keys: Mapping[str, Credential],
        limits: CoinbaseLimits,
        fail_timeout: float = 30.0,
    ) -> None:
        self.core = core
        self.ids = ids
        self.keys = keys
        self.limits = limits
        self.fail_timeout = fail_timeout
        self.app = web.Application()

    def add(self, routes: list[Route]) -> None:
        for route in routes:
            self.app.router.add_route(route.method, PREFIX + route.path, self._bind(route))

    def _bind(self, route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handle(request: web.Request) -> web.StreamResponse:
            return await self.dispatch(request, route)

        return handle

    async def dispatch(self, request: web.Request, route: Route) -> web.StreamResponse:
        core = self.core
        if core.faults.rest_latency_ms:
            await asyncio.sleep(core.faults.rest_latency_ms / 1000)
        now = core.now_ms()
        status, headers = 200, {}
        try:
            body = await self._run(request, route, now)
        except CoinbaseError as err:
            status, headers, body = err.status, err.headers, err.body()
        except _Dropped:
            core.request_log.append(RequestRecord(route.method, route.path, 0, now, "rest"))
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=503)
        core.request_log.append(RequestRecord(route.method, route.path, status, now, "rest"))
        return web.Response(
            body=ENCODER.encode(body),
            status=status,
            headers=headers,
            content_type="application/json",
        )

    async def _run(self, request: web.Request, route: Route, now: int) -> Any:
        faults = self.core.faults
        cred: Credential | None = None
        if route.private:
            path = request.raw_path.partition("?")[0]  # the `uri` claim names the path as sent
            cred = authenticate(request.headers, request.method, path, self.keys, now / 1000)
            self.limits.charge("private", MAIN, now)  # per user: every portfolio is one user's
        else:
            self.limits.charge("public", request.remote or "?", now)
        if faults.take("rest_429"):
            raise CoinbaseError("RESOURCE_EXHAUSTED", "Too many requests")
        if faults.take("rest_5xx") or faults.maintenance:
            raise unavailable()
        payload: dict[str, Any] = {}
        if request.method == "POST":
            raw = await request.text()
            try:
                parsed = json.loads(raw) if raw else {}
            except ValueError:
                raise invalid("invalid request body") from None
            if not isinstance(parsed, dict):
                raise invalid("invalid request body")
            payload = parsed
        ctx = Ctx(self.core, self.ids, Query(request.query), payload, request.match_info, cred, now)
        result = await route.handler(ctx)
        if route.places and faults.take("fail_after_accept"):
            await self._lose_reply(faults.fail_after_accept_mode)
        return result

    async def _lose_reply(self, mode: str) -> None:
        if mode == "timeout":
            await asyncio.sleep(self.fail_timeout)
        if mode == "close":
            raise _Dropped
        raise CoinbaseError("INTERNAL", "internal error")


class _Dropped(Exception):
    """Close the connection without a reply."""
