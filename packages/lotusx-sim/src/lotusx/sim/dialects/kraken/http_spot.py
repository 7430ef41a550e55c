"""The spot REST pipeline: faults, API-Key/API-Sign/nonce, call counter, handler, envelope."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
from aiohttp import web

from lotusx.sim.core import MAIN, RequestRecord, VenueCore
from lotusx.sim.dialects.kraken.auth import NonceBook, same, spot_sign
from lotusx.sim.dialects.kraken.errors import SpotError, invalid
from lotusx.sim.dialects.kraken.ids import Ids
from lotusx.sim.dialects.kraken.limits import KrakenLimits
from lotusx.sim.dialects.kraken.markets import SPOT, Pair, PairIndex
from lotusx.sim.dialects.kraken.params import Params, parse_body, plain_decimals
from lotusx.sim.engine import Engine

ENCODER = msgspec.json.Encoder()


@dataclass(slots=True)
class Ctx:
    core: VenueCore
    ids: Ids
    pairs: PairIndex
    params: Params
    key: str
    limits: KrakenLimits
    now: int
    account: str = MAIN

    @property
    def engine(self) -> Engine:
        return self.core.engines[SPOT]

    def pair(self, name: str = "pair") -> Pair:
        pair = self.pairs.get(self.params.req(name))
        if pair is None:
            raise SpotError("EQuery:Unknown asset pair")
        return pair


Handler = Callable[[Ctx], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Route:
    name: str
    handler: Handler
    private: bool = True
    places: bool = False


class SpotServer:
    """`/0/public/<Method>` (GET or POST) and `/0/private/<Method>` (POST, signed)."""

    def __init__(
        self,
        core: VenueCore,
        ids: Ids,
        keys: Mapping[str, str],
        limits: KrakenLimits,
        nonces: NonceBook,
        fail_timeout: float = 30.0,
    ) -> None:
        self.core = core
        self.ids = ids
        self.keys = keys
        self.limits = limits
        self.nonces = nonces
        self.fail_timeout = fail_timeout
        self.pairs = PairIndex(core.specs[SPOT])
        self.app = web.Application()

    def add(self, routes: list[Route]) -> None:
        for route in routes:
            scope = "private" if route.private else "public"
            path = f"/0/{scope}/{route.name}"
            methods = ("POST",) if route.private else ("GET", "POST")
            for method in methods:
                self.app.router.add_route(method, path, self._bind(route))

    def add_fallback(self) -> None:
        """Unknown methods: `EGeneral:Unknown method` (after every real route)."""

        async def unknown(request: web.Request) -> web.StreamResponse:
            body = {"error": ["EGeneral:Unknown method"], "result": {}}
            return web.Response(
                body=ENCODER.encode(plain_decimals(body, text=True)),
                content_type="application/json",
            )

        for scope in ("public", "private"):
            self.app.router.add_route("*", f"/0/{scope}/{{name}}", unknown)

    def _bind(self, route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handle(request: web.Request) -> web.StreamResponse:
            return await self.dispatch(request, route)

        return handle

    async def dispatch(self, request: web.Request, route: Route) -> web.StreamResponse:
        core = self.core
        if core.faults.rest_latency_ms:
            await asyncio.sleep(core.faults.rest_latency_ms / 1000)
        now = core.now_ms()
        status = 200
        try:
            body: dict[str, Any] = {"error": [], "result": await self._run(request, route, now)}
        except SpotError as err:
            status, body = err.status, {"error": [err.error], "result": {}}
        except _Dropped:
            core.request_log.append(RequestRecord(request.method, request.path, 0, now, SPOT))
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=503)
        core.request_log.append(RequestRecord(request.method, request.path, status, now, SPOT))
        return web.Response(
            body=ENCODER.encode(plain_decimals(body, text=True)),
            status=status,
            content_type="application/json",
        )

    async def _run(self, request: web.Request, route: Route, now: int) -> Any:
        faults = self.core.faults
        raw = (await request.text()) if request.can_read_body else ""
        values = parse_body(raw, request.content_type)
        if values is None:
            raise invalid()
        if request.method == "GET" or not route.private:
            values = {**request.query, **values}
        key = ""
        if route.private:
            key = self._authenticate(request, raw, values)
            if not self.limits.charge_call(key, route.name, now):
                raise SpotError("EAPI:Rate limit exceeded")
        if faults.take("rest_429"):
            raise SpotError("EGeneral:Too many requests", 429)
        if faults.take("rest_5xx") or (faults.maintenance and route.private):
            raise SpotError("EService:Unavailable", 503)
        params = Params(values, invalid)
        ctx = Ctx(self.core, self.ids, self.pairs, params, key, self.limits, now)
        result = await route.handler(ctx)
        if route.places and faults.take("fail_after_accept"):
            await self._lose_reply(faults.fail_after_accept_mode)
        return result

    def _authenticate(self, request: web.Request, raw: str, values: dict[str, Any]) -> str:
        key = request.headers.get("API-Key", "")
        secret = self.keys.get(key)
        if secret is None:
            raise SpotError("EAPI:Invalid key")
        nonce = str(values.get("nonce", ""))
        if not nonce.isdigit() or len(nonce) > 20:
            raise SpotError("EAPI:Invalid nonce")
        expected = spot_sign(secret, request.path, nonce, raw)
        if not same(expected, request.headers.get("API-Sign", "")):
            raise SpotError("EAPI:Invalid signature")
        if not self.nonces.accept(key, int(nonce)):
            raise SpotError("EAPI:Invalid nonce")
        return key

    async def _lose_reply(self, mode: str) -> None:
        if mode == "timeout":
            await asyncio.sleep(self.fail_timeout)
        if mode == "close":
            raise _Dropped
        raise SpotError("EService:Unavailable", 503)


class _Dropped(Exception):
    """Close the connection without a reply."""
