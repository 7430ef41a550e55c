"""Bybit trade WebSocket `/v5/trade`: `auth`, then `{"reqId","header","op","args"}` requests for
order.create/amend/cancel and their `-batch` forms, each run by the REST handler (same checks,
errors and per-UID limits, shared with REST), replies `{"reqId","retCode","retMsg","op","data",
"retExtInfo","header","connId"}`."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec
from aiohttp import web

from lotusx.sim import wsorders
from lotusx.sim.core import VenueCore
from lotusx.sim.dialects.bybit import rest_trade
from lotusx.sim.dialects.bybit.auth import DEFAULT_RECV_WINDOW, Credential, ws_auth
from lotusx.sim.dialects.bybit.errors import BybitError, unavailable
from lotusx.sim.dialects.bybit.http import Ctx, Result
from lotusx.sim.dialects.bybit.limits import BybitLimits
from lotusx.sim.dialects.bybit.params import Params
from lotusx.sim.model import Event
from lotusx.sim.wshub import ConnectionHub

SERVER = "ws_trade"
OPS = {
    "order.create": "/v5/order/create",
    "order.amend": "/v5/order/amend",
    "order.cancel": "/v5/order/cancel",
    "order.create-batch": "/v5/order/create-batch",
    "order.amend-batch": "/v5/order/amend-batch",
    "order.cancel-batch": "/v5/order/cancel-batch",
}


@dataclass(eq=False)
class TradeConn:
    ws: web.WebSocketResponse
    conn_id: str = field(default_factory=lambda: secrets.token_hex(8) + "-trade")
    queue: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)
    cred: Credential | None = None
    req_ids: set[str] = field(default_factory=set)

    def send(self, body: Mapping[str, Any]) -> None:
        self.queue.put_nowait(msgspec.json.encode(body).decode())


class _Lost(Exception):
    def __init__(self, mode: str) -> None:
        super().__init__(mode)
        self.mode = mode


def check_header(header: Any, now: int) -> None:
    """`X-BAPI-TIMESTAMP` within `X-BAPI-RECV-WINDOW` (default 5000) as on REST."""
    header = header if isinstance(header, dict) else {}
    stamp, window = str(header.get("X-BAPI-TIMESTAMP", "")), header.get("X-BAPI-RECV-WINDOW")
    recv = int(window) if str(window).isdigit() else DEFAULT_RECV_WINDOW
    if not stamp.isdigit() or not (now - recv <= int(stamp) < now + 1000):
        raise BybitError(
            10002,
            "invalid request, please check your server timestamp or recv_window param. "
            f"req_timestamp[{stamp}],server_timestamp[{now}],recv_window[{recv}]",
        )


class TradeSocket(ConnectionHub[TradeConn]):
    """The `/v5/trade` endpoint on the REST app."""

    def __init__(
        self,
        core: VenueCore,
        app: web.Application,
        keys: Mapping[str, Credential],
        limits: BybitLimits,
    ) -> None:
        super().__init__(core)
        self.keys, self.limits = keys, limits
        self.routes = {r.path: r for r in rest_trade.routes()}
        self._pending: set[asyncio.Task[None]] = set()
        app.router.add_get("/v5/trade", self.handle)

    def on_event(self, ev: Event) -> None:  # pragma: no cover - not subscribed
        return None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        return await self.serve(request, TradeConn)

    def _control(self, conn: TradeConn, text: str) -> None:
        task = asyncio.get_running_loop().create_task(self._request(conn, text))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    def _send(
        self,
        conn: TradeConn,
        req: dict[str, Any],
        code: int,
        msg: str,
        data: Any = None,
        ext: Any = None,
        header: dict[str, str] | None = None,
    ) -> None:
        body: dict[str, Any] = {} if req.get("reqId") is None else {"reqId": req["reqId"]}
        body |= {"retCode": code, "retMsg": msg, "op": req.get("op")}
        if req.get("op") != "auth":
            now = self.core.now_ms()
            trace = {"Traceid": secrets.token_hex(16), "Timenow": str(now)}
            body |= {"data": data if data is not None else {}, "retExtInfo": ext or {}}
            body["header"] = {**(header or {}), **trace}
        conn.send(body | {"connId": conn.conn_id})

    async def _request(self, conn: TradeConn, text: str) -> None:
        now = self.core.now_ms()
        try:
            req = json.loads(text)
        except ValueError:
            req = None
        if not isinstance(req, dict):
            self._send(conn, {}, 10001, "params error: invalid json")
            return
        op = str(req.get("op", ""))
        if op == "ping":
            pong = {"retCode": 0, "retMsg": "OK", "op": "pong", "data": [str(now)]}
            conn.send(pong | {"connId": conn.conn_id})
            return
        if op == "auth":
            self._auth(conn, req, now)
            return
        header: dict[str, str] = {}
        try:
            result = await self._run(conn, op, req, now, header)
        except BybitError as err:
            self._send(conn, req, err.code, err.msg, header=header or err.headers)
            wsorders.log(self.core, op, err.status, now, SERVER)
            return
        except _Lost as lost:
            wsorders.log(self.core, op, wsorders.LOST, now, SERVER)
            wsorders.lose(conn, lost.mode)
            return
        if isinstance(result, Result):
            self._send(conn, req, 0, "OK", result.result, result.ext, header)
        else:
            self._send(conn, req, 0, "OK", result, None, header)
        wsorders.log(self.core, op, 200, now, SERVER)

    def _auth(self, conn: TradeConn, req: dict[str, Any], now: int) -> None:
        if conn.cred is not None:
            self._send(conn, req, 20001, "Repeat auth")
            return
        args = req.get("args")
        cred, msg = ws_auth(list(args) if isinstance(args, list) else [], self.keys, now)
        if cred is None:
            code = 10001 if msg.startswith("Params Error") else 10004
            self._send(conn, req, code, msg)
            return
        conn.cred = cred
        self._send(conn, req, 0, "OK")

    async def _run(
        self, conn: TradeConn, op: str, req: dict[str, Any], now: int, header: dict[str, str]
    ) -> Any:
        rid = req.get("reqId")
        if rid is not None:
            if str(rid) in conn.req_ids:
                raise BybitError(20006, "reqId is duplicated")
            conn.req_ids.add(str(rid))
        path = OPS.get(op)
        if path is None:
            raise BybitError(10404, f"op type is not found: {op}")
        if conn.cred is None:
            raise BybitError(10003, "Request not authorized")
        if self.core.faults.maintenance:
            raise unavailable()
        check_header(req.get("header"), now)
        args = req.get("args")
        if not isinstance(args, list) or len(args) != 1 or not isinstance(args[0], dict):
            raise BybitError(10001, "params error: args invalid")
        params = Params(args[0])
        route = self.routes[path]
        key = f"{route.path}:{params.opt('category') or 'linear'}"
        header.update(self.limits.charge(conn.cred.account, key, now))
        result = await route.handler(Ctx(self.core, params, args[0], conn.cred.account, now))
        if route.places and (mode := wsorders.lost_reply_mode(self.core)) is not None:
            raise _Lost(mode)
        return result
