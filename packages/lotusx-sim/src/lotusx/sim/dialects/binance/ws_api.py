"""Binance WebSocket API (spot `/ws-api/v3`, USDⓈ-M `/ws-fapi/v1`): `{"id", "method", "params"}`
requests signed per request, each method run by the host's REST route (same checks, errors,
weights and order counts, shared with REST), replies `{"id", "status", "result" | "error",
"rateLimits"}`."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import msgspec
from aiohttp import web

from lotusx.sim import wsorders
from lotusx.sim.core import VenueCore
from lotusx.sim.dialects.binance.auth import Security, ws_authenticate
from lotusx.sim.dialects.binance.errors import BinanceError
from lotusx.sim.dialects.binance.http import BinanceHost, Ctx, Reply, Route
from lotusx.sim.dialects.binance.params import Params
from lotusx.sim.model import Event
from lotusx.sim.wshub import ConnectionHub

ENCODER = msgspec.json.Encoder(decimal_format="number")
VERSION_PREFIX = re.compile(r"^v[0-9]+/")
SPOT_METHODS = {
    "order.place": ("POST", "/api/v3/order"),
    "order.test": ("POST", "/api/v3/order/test"),
    "order.status": ("GET", "/api/v3/order"),
    "order.cancel": ("DELETE", "/api/v3/order"),
    "order.cancelReplace": ("POST", "/api/v3/order/cancelReplace"),
    "order.amend.keepPriority": ("PUT", "/api/v3/order/amend/keepPriority"),
    "openOrders.status": ("GET", "/api/v3/openOrders"),
    "openOrders.cancelAll": ("DELETE", "/api/v3/openOrders"),
}
FUTURES_METHODS = {
    "order.place": ("POST", "/fapi/v1/order"),
    "order.modify": ("PUT", "/fapi/v1/order"),
    "order.cancel": ("DELETE", "/fapi/v1/order"),
    "order.status": ("GET", "/fapi/v1/order"),
}
SESSION = frozenset({"session.logon", "session.status", "session.logout"})


@dataclass(eq=False)
class ApiConn:
    """One WebSocket API connection."""

    ws: web.WebSocketResponse
    ip: str
    since: int
    rate_limits: bool = True
    queue: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)


@dataclass(slots=True)
class _Call:
    """What one request charged: the account whose order count it used, if any."""

    account: str | None = None
    orders: bool = False


class _Lost(Exception):
    def __init__(self, mode: str) -> None:
        super().__init__(mode)
        self.mode = mode


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def ws_params(raw: dict[str, Any]) -> Params:
    """JSON params as the string values the REST handlers read (`apiKey` counts as read)."""
    params = Params([], [(k, _text(v)) for k, v in raw.items() if v is not None])
    params.read |= {"apiKey", "returnRateLimits"}
    return params


class WsApi(ConnectionHub[ApiConn]):
    """The WebSocket API of one Binance host, served on that host's app."""

    def __init__(self, core: VenueCore, host: BinanceHost, futures: bool) -> None:
        super().__init__(core)
        self.host = host
        self.futures = futures
        self.methods = FUTURES_METHODS if futures else SPOT_METHODS
        self.server = "futures_ws_api" if futures else "spot_ws_api"
        self.path = "/ws-fapi/v1" if futures else "/ws-api/v3"
        self.connect_weight = 5 if futures else 2
        self._pending: set[asyncio.Task[None]] = set()
        host.app.router.add_get(self.path, self.handle)

    def on_event(self, ev: Event) -> None:  # pragma: no cover - not subscribed
        return None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ip, now = request.remote or "?", self.core.now_ms()
        self.host.limits.limiter.add(ip, "REQUEST_WEIGHT", self.connect_weight, now)
        shown = request.query.get("returnRateLimits", "true").lower() != "false"
        return await self.serve(request, lambda ws: ApiConn(ws, ip, now, shown))

    def _control(self, conn: ApiConn, text: str) -> None:
        task = asyncio.get_running_loop().create_task(self._request(conn, text))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    # ----------------------------------------------------------------- one request
    async def _request(self, conn: ApiConn, text: str) -> None:
        now = self.core.now_ms()
        try:
            req = json.loads(text, parse_float=Decimal)
        except ValueError:
            req = None
        if not isinstance(req, dict) or not isinstance(req.get("params", {}), dict):
            self._send(conn, {"id": None}, BinanceError(-1135, "Invalid JSON Request"), now)
            wsorders.log(self.core, "?", 400, now, self.server)
            return
        method = VERSION_PREFIX.sub("", str(req.get("method", "")))
        raw: dict[str, Any] = req.get("params") or {}
        call = _Call()
        try:
            result = await self._run(conn, method, raw, call, now)
        except BinanceError as err:
            self._send(conn, req, err, now, call, raw)
            wsorders.log(self.core, method, err.status, now, self.server)
            return
        except _Lost as lost:
            wsorders.log(self.core, method, wsorders.LOST, now, self.server)
            wsorders.lose(conn, lost.mode)
            return
        self._send(conn, req, result, now, call, raw)
        wsorders.log(self.core, method, 200, now, self.server)

    async def _run(
        self, conn: ApiConn, method: str, raw: dict[str, Any], call: _Call, now: int
    ) -> Any:
        limits, faults = self.host.limits, self.core.faults
        limits.check_ban(conn.ip, now)
        if method in ("ping", "time"):
            limits.charge_weight(conn.ip, 1, now)
            return {} if method == "ping" else {"serverTime": now}
        if method in SESSION:
            return self._session(conn, method, raw, now)
        target = self.methods.get(method)
        if target is None:
            raise BinanceError(-5000, f"Method {method} is invalid")
        route: Route = self.host.routes[target]
        if faults.maintenance and not route.in_maintenance:
            raise BinanceError(-1016, "This service is no longer available.", 503)
        params = ws_params(raw)
        weight = route.weight(params) if callable(route.weight) else route.weight
        limits.charge_weight(conn.ip, weight, now)
        api_key = None
        if route.security is Security.SIGNED:
            cred = ws_authenticate(params, self.host.keys, now)
            call.account, api_key = cred.account, params.opt("apiKey")
        orders = route.orders(params) if callable(route.orders) else route.orders
        if orders and call.account is not None:
            call.orders = True
            limits.charge_orders(call.account, orders, now)
        ctx = Ctx(self.core, self.host, params, call.account, now, api_key)
        result = await route.handler(ctx)
        if isinstance(result, Reply):
            result = result.body
        if route.places and (mode := wsorders.lost_reply_mode(self.core)) is not None:
            raise _Lost(mode)
        return result

    def _session(self, conn: ApiConn, method: str, raw: dict[str, Any], now: int) -> Any:
        """HMAC keys cannot log a session on (the docs: Ed25519 only): status/logout show none."""
        self.host.limits.charge_weight(conn.ip, 2, now)
        if method == "session.logon":
            ws_authenticate(ws_params(raw), self.host.keys, now)
            raise BinanceError(-4056, "HMAC_SHA256 API key is not supported.")
        out: dict[str, Any] = {
            "apiKey": None,
            "authorizedSince": None,
            "connectedSince": conn.since,
            "returnRateLimits": conn.rate_limits,
            "serverTime": now,
        }
        if not self.futures:
            out["userDataStream"] = False
        return out

    # ----------------------------------------------------------------- replies
    def _limits(self, conn: ApiConn, call: _Call, now: int) -> list[dict[str, Any]]:
        limiter = self.host.limits.limiter
        used = limiter.used(call.account, "ORDERS", now) if call.orders and call.account else []
        used += limiter.used(conn.ip, "REQUEST_WEIGHT", now)
        return [
            {
                "rateLimitType": r.kind,
                "interval": r.interval,
                "intervalNum": r.interval_num,
                "limit": r.limit,
                "count": count,
            }
            for r, count in used
        ]

    def _send(
        self,
        conn: ApiConn,
        req: dict[str, Any],
        outcome: Any,
        now: int,
        call: _Call | None = None,
        raw: dict[str, Any] | None = None,
    ) -> None:
        body: dict[str, Any] = {"id": req.get("id")}
        if isinstance(outcome, BinanceError):
            error = outcome.body()
            retry = outcome.headers.get("Retry-After")
            if retry is not None and outcome.data is None:
                error["data"] = {"serverTime": now, "retryAfter": now + int(retry) * 1000}
            body |= {"status": outcome.status, "error": error}
        else:
            body |= {"status": 200, "result": outcome}
        shown = (raw or {}).get("returnRateLimits", conn.rate_limits)
        if call is not None and shown not in (False, "false"):
            body["rateLimits"] = self._limits(conn, call, now)
        conn.queue.put_nowait(ENCODER.encode(body).decode())
