"""What every WebSocket order-entry server shares: one request-log entry per request, and the
reply lost after the venue accepted a placement (the `fail_after_accept` fault)."""

from __future__ import annotations

from lotusx.sim.core import RequestRecord, VenueCore
from lotusx.sim.wshub import HubConnection

WS = "WS"
LOST = 0  # the status logged for a request whose reply the client never gets


def log(core: VenueCore, name: str, status: int, now: int, server: str) -> None:
    """Record one request of method/op `name` as `RequestRecord("WS", name, status, …)`."""
    core.request_log.append(RequestRecord(WS, name, status, now, server))


def lost_reply_mode(core: VenueCore) -> str | None:
    """The mode in which this accepted placement's reply is lost, or None when it is sent."""
    faults = core.faults
    return faults.fail_after_accept_mode if faults.take("fail_after_accept") else None


def lose(conn: HubConnection, mode: str) -> None:
    """ "close": the socket closes without the reply; "timeout" and "5xx": it is never sent."""
    if mode == "close":
        conn.queue.put_nowait(None)
