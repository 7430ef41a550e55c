"""The Kraken Futures REST pipeline (`/derivatives/api/v3/<endpoint>`): APIKey/Authent/Nonce,
the 10-second cost budget, faults, `{"result": "success"|"error", "serverTime": ...}` bodies."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec
from aiohttp import web

from lotusx.sim.core import MAIN, RequestRecord, VenueCore
from lotusx.sim.dialects.kraken.auth import futures_sign, same
from lotusx.sim.dialects.kraken.errors import FuturesError
from lotusx.sim.dialects.kraken.ids import Ids
from lotusx.sim.dialects.kraken.limits import FUTURES_COST, KrakenLimits
from lotusx.sim.dialects.kraken.markets import FUTURES
from lotusx.sim.dialects.kraken.params import Params, parse_body, plain_decimals
from lotusx.sim.engine import Engine

ENCODER = msgspec.json.Encoder(decimal_format="number")
PREFIX = "/derivatives"
API = "/api/v3/"
NONCE_MEMORY = 10_000


def iso(ms: int) -> str:
    moment = dt.datetime.fromtimestamp(ms / 1000, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _missing(name: str) -> FuturesError:
    return FuturesError(f"invalidArgument: {name}")


@dataclass(slots=True)
class FuturesNonces:
    """Optional `Nonce` header: out-of-order nonces are tolerated, reuse is not."""

    seen: dict[str, set[int]] = field(default_factory=dict)
    floor: dict[str, int] = field(default_factory=dict)

    def check(self, key: str, nonce: int) -> str | None:
        seen = self.seen.setdefault(key, set())
        if nonce in seen:
            return "nonceDuplicate"
        if nonce < self.floor.get(key, 0):
            return "nonceBelowThreshold"
        seen.add(nonce)
        if len(seen) > NONCE_MEMORY:
            oldest = min(seen)
            seen.discard(oldest)
            self.floor[key] = oldest + 1
        return None


@dataclass(slots=True)
class FCtx:
    core: VenueCore
    ids: Ids
    params: Params
    key: str
    now: int
    account: str = MAIN

    @property
    def engine(self) -> Engine:
        return self.core.engines[FUTURES]


Handler = Callable[[FCtx], Awaitable[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class FRoute:
    method: str
    endpoint: str
    handler: Handler
    private: bool = True
    places: bool = False


class FuturesServer:
    def __init__(
        self,
        core: VenueCore,
        ids: Ids,
        keys: Mapping[str, str],
        limits: KrakenLimits,
        fail_timeout: float = 30.0,
    ) -> None:
        self.core = core
        self.ids = ids
        self.keys = keys
        self.limits = limits
        self.nonces = FuturesNonces()
        self.fail_timeout = fail_timeout
        self.app = web.Application()

    def add(self, routes: list[FRoute]) -> None:
        for route in routes:
            path = PREFIX + API + route.endpoint
            self.app.router.add_route(route.method, path, self._bind(route))

    def _bind(self, route: FRoute) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handle(request: web.Request) -> web.StreamResponse:
            return await self.dispatch(request, route)

        return handle

    async def dispatch(self, request: web.Request, route: FRoute) -> web.StreamResponse:
        core = self.core
        if core.faults.rest_latency_ms:
            await asyncio.sleep(core.faults.rest_latency_ms / 1000)
        now = core.now_ms()
        status = 200
        try:
            body = {"result": "success", **await self._run(request, route, now)}
        except FuturesError as err:
            status, body = err.status, {"result": "error", "error": err.error}
        except _Dropped:
            core.request_log.append(RequestRecord(route.method, request.path, 0, now, FUTURES))
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=503)
        body["serverTime"] = iso(now)
        core.request_log.append(RequestRecord(route.method, request.path, status, now, FUTURES))
        return web.Response(
            body=ENCODER.encode(plain_decimals(body)),
            status=status,
            content_type="application/json",
        )

    async def _run(self, request: web.Request, route: FRoute, now: int) -> dict[str, Any]:
        faults = self.core.faults
        raw_body = (await request.text()) if request.can_read_body else ""
        raw_query = request.raw_path.partition("?")[2]
        values = parse_body(raw_body, request.content_type)
        if values is None:
            raise FuturesError("invalidArgument: body")
        values = {**request.query, **values}
        key = ""
        if route.private:
            key = self._authenticate(request, raw_body or raw_query)
            cost = FUTURES_COST.get(route.endpoint, 1)
            if route.endpoint == "batchorder":
                cost = 9 + _batch_size(values)
            if not self.limits.charge_futures(key, cost, now):
                raise FuturesError("apiLimitExceeded", 429)
        if faults.take("rest_429"):
            raise FuturesError("apiLimitExceeded", 429)
        if faults.take("rest_5xx") or (faults.maintenance and route.private):
            raise FuturesError("unavailable", 503)
        ctx = FCtx(self.core, self.ids, Params(values, _missing), key, now)
        result = await route.handler(ctx)
        if route.places and faults.take("fail_after_accept"):
            await self._lose_reply(faults.fail_after_accept_mode)
        return result

    def _authenticate(self, request: web.Request, post_data: str) -> str:
        key = request.headers.get("APIKey", "")
        secret = self.keys.get(key)
        if secret is None:
            raise FuturesError("authenticationError")
        nonce = request.headers.get("Nonce", "")
        if nonce and not nonce.isdigit():
            raise FuturesError("authenticationError")
        endpoint_path = request.path.removeprefix(PREFIX)
        if not same(
            futures_sign(secret, post_data, nonce, endpoint_path),
            request.headers.get("Authent", ""),
        ):
            raise FuturesError("authenticationError")
        if nonce:
            refused = self.nonces.check(key, int(nonce))
            if refused:
                raise FuturesError(refused)
        return key

    async def _lose_reply(self, mode: str) -> None:
        if mode == "timeout":
            await asyncio.sleep(self.fail_timeout)
        if mode == "close":
            raise _Dropped
        raise FuturesError("unavailable", 503)


def _batch_size(values: dict[str, Any]) -> int:
    import json

    try:
        parsed = json.loads(str(values.get("json", "{}")))
        return len(parsed.get("batchOrder", []))
    except (ValueError, AttributeError):
        return 0


class _Dropped(Exception):
    """Close the connection without a reply."""
