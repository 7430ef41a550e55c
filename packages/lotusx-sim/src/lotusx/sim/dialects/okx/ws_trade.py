"""OKX WebSocket Trade API on the logged-in private socket: ops `order`, `batch-orders`,
`amend-order`, `batch-amend-orders`, `cancel-order`, `batch-cancel-orders`, each run by the REST
handler (same checks, per-item `sCode`s and order rate limits, shared with REST); replies
`{"id","op","code","msg","data":[…],"inTime","outTime"}`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lotusx.sim import wsorders
from lotusx.sim.dialects.okx import rest_trade
from lotusx.sim.dialects.okx.errors import OkxError, unavailable
from lotusx.sim.dialects.okx.http import Batch, Ctx, OkxServer, envelope
from lotusx.sim.dialects.okx.params import Params

if TYPE_CHECKING:
    from lotusx.sim.dialects.okx.ws import Conn

SERVER = "ws_private"
OPS = {
    "order": "/api/v5/trade/order",
    "batch-orders": "/api/v5/trade/batch-orders",
    "amend-order": "/api/v5/trade/amend-order",
    "batch-amend-orders": "/api/v5/trade/amend-batch-orders",
    "cancel-order": "/api/v5/trade/cancel-order",
    "batch-cancel-orders": "/api/v5/trade/cancel-batch-orders",
}
BATCH = frozenset({"batch-orders", "batch-amend-orders", "batch-cancel-orders"})


class _Lost(Exception):
    def __init__(self, mode: str) -> None:
        super().__init__(mode)
        self.mode = mode


class WsTrade:
    """Runs trade ops for the private WebSocket service of one venue."""

    def __init__(self, server: OkxServer) -> None:
        self.server = server
        self.core = server.core
        self.routes = {r.path: r for r in rest_trade.routes() if r.method == "POST"}

    async def handle(self, conn: Conn, req: dict[str, Any]) -> None:
        """Run one trade request and send its reply (unless the reply is lost by a fault)."""
        now = self.core.now_ms()
        op = str(req.get("op"))
        in_us = str(now * 1000)
        try:
            body = await self._run(conn, op, req.get("args"), now)
        except OkxError as err:
            body = err.body()
        except _Lost as lost:
            wsorders.log(self.core, op, wsorders.LOST, now, SERVER)
            wsorders.lose(conn, lost.mode)
            return
        head: dict[str, Any] = {} if req.get("id") is None else {"id": req["id"]}
        out_us = str(self.core.now_ms() * 1000)
        conn.send(head | {"op": op, **body, "inTime": in_us, "outTime": out_us})
        wsorders.log(self.core, op, 200 if body["code"] == "0" else 400, now, SERVER)

    async def _run(self, conn: Conn, op: str, args: Any, now: int) -> dict[str, Any]:
        if conn.cred is None:
            raise OkxError("60011", "Please log in")
        if self.core.faults.maintenance:
            raise unavailable()
        if not isinstance(args, list) or not args or not all(isinstance(a, dict) for a in args):
            raise OkxError("60013", "Invalid args")
        if op not in BATCH and len(args) != 1:
            raise OkxError("60013", "Invalid args")
        route = self.routes[OPS[op]]
        payload: Any = args if op in BATCH else args[0]
        account = conn.cred.account
        limits = self.server.limits
        inst_ids = [str(a.get("instId", "")) for a in args]
        cost = max(1, route.cost(payload) if route.cost else 1)
        charges = limits.charges(
            account, route.method, route.path, inst_ids, cost, self.server._spot
        )
        limits.charge_all(charges, now)
        values = payload if isinstance(payload, dict) else {}
        ctx = Ctx(self.core, self.server, Params(values), payload, account, now)
        result = await route.handler(ctx)
        if route.places and (mode := wsorders.lost_reply_mode(self.core)) is not None:
            raise _Lost(mode)
        if isinstance(result, Batch):
            return envelope(result.items)
        return {"code": "0", "msg": "", "data": result}
