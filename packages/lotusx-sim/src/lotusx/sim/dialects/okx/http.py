"""The OKX REST pipeline: faults, auth, rate limits, handler, `{"code","msg","data"}` envelope."""

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
from lotusx.sim.dialects.okx.auth import Credential, authenticate
from lotusx.sim.dialects.okx.errors import ALL_FAILED, PARTIAL, OkxError, unavailable
from lotusx.sim.dialects.okx.limits import OkxLimits
from lotusx.sim.dialects.okx.markets import Inst
from lotusx.sim.dialects.okx.params import Params
from lotusx.sim.engine import Engine

ENCODER = msgspec.json.Encoder()


@dataclass(slots=True)
class Ctx:
    """What a handler gets: the venue, the parsed params and the authenticated account."""

    core: VenueCore
    server: OkxServer
    params: Params
    body: Any
    account: str | None
    now: int

    @property
    def acct(self) -> str:
        assert self.account is not None
        return self.account

    @property
    def insts(self) -> dict[str, Inst]:
        return self.server.insts

    def engine(self, inst: Inst) -> Engine:
        return self.core.engines[inst.spec.market]


@dataclass(frozen=True, slots=True)
class Batch:
    """Per-item results of a trade request: the envelope code follows their `sCode`s."""

    items: list[dict[str, Any]]


Handler = Callable[[Ctx], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str
    handler: Handler
    private: bool = False
    trade: bool = False
    places: bool = False
    in_maintenance: bool = False
    cost: Callable[[Any], int] | None = None


class OkxServer:
    """One aiohttp app serving `/api/v5/...` (the WebSocket hub adds `/ws/v5/...`)."""

    def __init__(
        self,
        core: VenueCore,
        insts: dict[str, Inst],
        keys: Mapping[str, Credential],
        limits: OkxLimits,
        fail_timeout: float = 30.0,
    ) -> None:
        self.core = core
        self.insts = insts
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
        in_us = str(now * 1000)
        status = 200
        try:
            body = await self._run(request, route, now)
        except OkxError as err:
            body, status = err.body(), err.status
        except _Dropped:
            core.request_log.append(RequestRecord(route.method, route.path, 0, now, "rest"))
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=503)
        if route.trade and status == 200:
            body["inTime"], body["outTime"] = in_us, str(core.now_ms() * 1000)
        core.request_log.append(RequestRecord(route.method, route.path, status, now, "rest"))
        return web.Response(
            body=ENCODER.encode(body), status=status, content_type="application/json"
        )

    async def _run(self, request: web.Request, route: Route, now: int) -> dict[str, Any]:
        faults = self.core.faults
        if faults.take("rest_429"):
            raise OkxError("50011", "Too Many Requests", 429)
        if faults.take("rest_5xx"):
            raise unavailable()
        if faults.maintenance and not route.in_maintenance:
            raise unavailable()
        raw_body = (await request.text()) if request.can_read_body else ""
        account: str | None = None
        if route.private:
            cred = authenticate(
                request.headers, request.method, request.raw_path, raw_body, self.keys, now
            )
            account = cred.account
        payload: Any = None
        if request.method == "POST":
            try:
                payload = json.loads(raw_body) if raw_body else None
            except ValueError:
                raise OkxError("50002", "Invalid JSON", 400) from None
        values: dict[str, Any] = dict(parse_qsl(request.raw_path.partition("?")[2]))
        if isinstance(payload, dict):
            values = payload
        cost = route.cost(payload) if route.cost else 1
        orders = payload if isinstance(payload, list) else [values]
        charges = self.limits.charges(
            account if account is not None else (request.remote or "?"),
            route.method,
            route.path,
            [_inst_id(item) for item in orders],
            max(1, cost),
            self._spot,
        )
        self.limits.charge_all(charges, now)
        ctx = Ctx(self.core, self, Params(values), payload, account, now)
        result = await route.handler(ctx)
        if route.places and faults.take("fail_after_accept"):
            await self._lose_reply(faults.fail_after_accept_mode)
        if isinstance(result, Batch):
            return envelope(result.items)
        return {"code": "0", "msg": "", "data": result}

    def _spot(self, inst_id: str) -> bool:
        """Spot orders are exempt from the sub-account order limit ("spot/margin orders are
        exempted from the sub-account rate limit")."""
        inst = self.insts.get(inst_id)
        return inst is not None and not inst.swap

    async def _lose_reply(self, mode: str) -> None:
        if mode == "timeout":
            await asyncio.sleep(self.fail_timeout)
        if mode == "close":
            raise _Dropped
        raise OkxError(
            "50004",
            "API endpoint request timeout (does not mean that the request was successful or "
            "failed, please check the request result).",
            503,
        )


def _inst_id(item: Any) -> str:
    inst_id = item.get("instId") if isinstance(item, dict) else None
    return inst_id if isinstance(inst_id, str) else ""


def envelope(items: list[dict[str, Any]]) -> dict[str, Any]:
    """code "0" if every item succeeded, "1" if all failed, "2" if some did."""
    failed = sum(1 for i in items if i.get("sCode") != "0")
    if failed == 0:
        return {"code": "0", "msg": "", "data": items}
    if failed == len(items):
        return {"code": "1", "msg": ALL_FAILED, "data": items}
    return {"code": "2", "msg": PARTIAL, "data": items}


class _Dropped(Exception):
    """Close the connection without a reply."""
