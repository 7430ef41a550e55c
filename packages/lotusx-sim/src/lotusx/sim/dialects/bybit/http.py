"""The Bybit REST pipeline: faults, IP limit, auth, per-UID limits, handler, envelope."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import msgspec
from aiohttp import web

from lotusx.sim.core import RequestRecord, VenueCore
from lotusx.sim.dialects.bybit.auth import Credential, authenticate
from lotusx.sim.dialects.bybit.errors import BybitError, envelope, error_body, unavailable
from lotusx.sim.dialects.bybit.limits import BybitLimits
from lotusx.sim.dialects.bybit.params import Params
from lotusx.sim.engine import Engine
from lotusx.sim.market import MarketSpec

ENCODER = msgspec.json.Encoder()


@dataclass(slots=True)
class Ctx:
    core: VenueCore
    params: Params
    body: Any
    account: str | None
    now: int

    @property
    def acct(self) -> str:
        assert self.account is not None
        return self.account

    def specs(self, category: str) -> dict[str, MarketSpec]:
        return self.core.specs[category]

    def engine(self, category: str) -> Engine:
        return self.core.engines[category]


@dataclass(frozen=True, slots=True)
class Result:
    """A handler's `result` plus optional `retExtInfo` (per-item codes of batches)."""

    result: Any
    ext: Any = None


Handler = Callable[[Ctx], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str
    handler: Handler
    private: bool = False
    per_category: bool = False
    places: bool = False
    in_maintenance: bool = False


class BybitServer:
    def __init__(
        self,
        core: VenueCore,
        keys: Mapping[str, Credential],
        limits: BybitLimits,
        fail_timeout: float = 30.0,
    ) -> None:
        self.core = core
        self.keys = keys
        self.limits = limits
        self.fail_timeout = fail_timeout
        self.app = web.Application()

    def add(self, routes: list[Route]) -> None:
        for route in routes:
            self.app.router.add_route(route.method, route.path, self._bind(route))

    def _bind(self, route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handle(request: web.Request) -> web.StreamResponse:
            return await self.dispatch(request, route)

        return handle

    async def dispatch(self, request: web.Request, route: Route) -> web.StreamResponse:
        core = self.core
        if core.faults.rest_latency_ms:
            await asyncio.sleep(core.faults.rest_latency_ms / 1000)
        now = core.now_ms()
        headers: dict[str, str] = {}
        status = 200
        try:
            body = await self._run(request, route, now, headers)
        except BybitError as err:
            status = err.status
            headers.update(err.headers)
            if status == 403:
                core.request_log.append(RequestRecord(route.method, route.path, 403, now, "rest"))
                return web.Response(status=403, text="403 Forbidden: access too frequent")
            body = error_body(err, now)
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

    async def _run(
        self, request: web.Request, route: Route, now: int, headers: dict[str, str]
    ) -> dict[str, Any]:
        faults = self.core.faults
        self.limits.charge_ip(request.remote or "?", now)
        if faults.take("rest_429"):
            raise BybitError(10006, "Too many visits!", 429)
        if faults.take("rest_5xx"):
            raise unavailable()
        if faults.maintenance and not route.in_maintenance:
            raise unavailable()
        raw_query = request.raw_path.partition("?")[2]
        raw_body = (await request.text()) if request.can_read_body else ""
        account: str | None = None
        if route.private:
            cred = authenticate(
                request.headers, request.method, raw_query, raw_body, self.keys, now
            )
            account = cred.account
        payload: Any = None
        values: dict[str, Any] = dict(parse_qsl(raw_query))
        if request.method == "POST":
            try:
                payload = json.loads(raw_body) if raw_body else {}
            except ValueError:
                raise BybitError(10001, "params error: invalid json body") from None
            if not isinstance(payload, dict):
                raise BybitError(10001, "params error: invalid json body")
            values = payload
        params = Params(values)
        if account is not None:
            key = route.path
            if route.per_category:
                key = f"{route.path}:{params.opt('category') or 'linear'}"
            headers.update(self.limits.charge(account, key, now))
        ctx = Ctx(self.core, params, payload, account, now)
        result = await route.handler(ctx)
        if route.places and faults.take("fail_after_accept"):
            await self._lose_reply(faults.fail_after_accept_mode)
        if isinstance(result, Result):
            return envelope(result.result, now, result.ext)
        return envelope(result, now)

    async def _lose_reply(self, mode: str) -> None:
        if mode == "timeout":
            await asyncio.sleep(self.fail_timeout)
        if mode == "close":
            raise _Dropped
        raise BybitError(10000, "Server Timeout", 503)


class _Dropped(Exception):
    """Close the connection without a reply."""
