"""Bybit's trade WebSocket (``/v5/trade``): order entry over one authenticated connection.

The connection logs in with the ``auth`` op the private stream uses (``["api key", expires,
signature]``) and is kept alive with ``{"op":"ping"}`` every 20 s. A request is
``{"reqId","header":{"X-BAPI-TIMESTAMP","X-BAPI-RECV-WINDOW"},"op","args":[params]}`` where
``op`` is the REST endpoint's name (``order.create``, ``order.amend``, ``order.cancel`` and their
``-batch`` forms) and ``params`` its REST body. The reply
``{"reqId","retCode","retMsg","op","data","retExtInfo","header","connId"}`` carries the REST
``result`` as ``data``, so it becomes the REST `Envelope` (`to_envelope`): ``header.Timenow`` is
its time, and ``header``'s ``X-Bapi-Limit``/``X-Bapi-Limit-Status`` the per-UID quota's state.
"""

# ruff: noqa: N815  (wire structs keep Bybit's field names, so they match its docs)

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping

import msgspec

from lotusx.core.errors import AuthenticationError, ExchangeError
from lotusx.core.transport.rest import plain_decimals
from lotusx.core.transport.signing import Credentials
from lotusx.core.transport.ws import Frame, WsConnection

from .errors import TABLE, Envelope
from .signer import RECV_WINDOW_HEADER, TIMESTAMP_HEADER, ws_auth_args
from .streams import AUTH_EXPIRY_MS, AUTH_TIMEOUT, HEARTBEAT

__all__ = [
    "RESTARTING",
    "TradeProtocol",
    "TradeReply",
    "decode_reply",
    "reply_error",
    "request_message",
    "to_envelope",
]

# "ws trade service is restarting, do not accept new request": the request was not taken; a new
# connection is routed to a healthy service.
RESTARTING = 10019
_MAX_REQ_ID = 36  # reqId's documented maximum length


class TradeReply(msgspec.Struct):
    """A reply to an ``auth`` or order request (``data``/``retExtInfo`` as REST's
    ``result``/``retExtInfo``; ``header`` holds ``Timenow`` and the ``X-Bapi-Limit*`` values)."""

    retCode: int
    reqId: str | None = None
    retMsg: str = ""
    op: str = ""
    data: msgspec.Raw = msgspec.Raw(b"null")
    retExtInfo: msgspec.Raw = msgspec.Raw(b"null")
    header: dict[str, str] = msgspec.field(default_factory=dict)
    connId: str = ""


class _ReplyId(msgspec.Struct):
    reqId: str | None = None


_decode_reply = msgspec.json.Decoder(TradeReply).decode
_decode_id = msgspec.json.Decoder(_ReplyId).decode
_encode = msgspec.json.Encoder().encode


def request_message(
    op: str, request_id: str, params: Mapping[str, object], now_ms: int, recv_window: int
) -> str:
    """One order request: ``params`` are the REST body (None values left out, decimals plain);
    the header's values are strings, as documented."""
    body = {k: v for k, v in params.items() if v is not None}
    message = {
        "reqId": request_id,
        "header": {TIMESTAMP_HEADER: str(now_ms), RECV_WINDOW_HEADER: str(recv_window)},
        "op": op,
        "args": [plain_decimals(body)],
    }
    return _encode(message).decode()


def decode_reply(frame: Frame, op: str) -> TradeReply:
    """The reply struct; `ExchangeError` when the frame is not one."""
    try:
        return _decode_reply(frame)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise TABLE.unexpected(op, f"malformed trade reply: {exc}", frame) from exc


def to_envelope(reply: TradeReply) -> Envelope:
    """The REST envelope the reply stands for (``time`` from ``header.Timenow``, 0 if absent)."""
    now = reply.header.get("Timenow", "")
    return Envelope(
        reply.retCode,
        reply.retMsg,
        reply.data,
        reply.retExtInfo,
        int(now) if now.isdigit() else 0,
    )


def reply_error(reply: TradeReply, op: str, frame: Frame) -> ExchangeError:
    """A non-zero ``retCode`` through the REST error table."""
    return TABLE.build(str(reply.retCode), reply.retMsg, op, raw=frame)


class TradeProtocol:
    """The `WsApiProtocol` of ``/v5/trade``: ``auth`` on connect, replies matched by ``reqId``."""

    heartbeat = HEARTBEAT

    def __init__(self, credentials: Credentials, now_ms: Callable[[], int]) -> None:
        self._credentials = credentials
        self._now_ms = now_ms
        # reqId must never repeat ("20006"): a prefix of this connector's own, then a counter.
        self._prefix = secrets.token_hex(6)

    def request_id(self, n: str) -> str:
        """The ``reqId`` of the client's ``n``-th request (at most 36 characters)."""
        return f"{self._prefix}-{n}"[:_MAX_REQ_ID]

    def auth_message(self) -> str:
        args = ws_auth_args(self._credentials, self._now_ms() + AUTH_EXPIRY_MS)
        return _encode({"op": "auth", "args": args}).decode()

    async def on_connect(self, connection: WsConnection) -> None:
        await connection.send(self.auth_message())
        deadline = time.monotonic() + AUTH_TIMEOUT
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("bybit trade socket: no auth reply")
            frame = await connection.receive(left)
            try:
                reply = _decode_reply(frame)
            except (msgspec.ValidationError, msgspec.DecodeError):
                continue  # not a reply (nothing else is expected before it)
            if reply.op != "auth":
                continue
            if reply.retCode == 0:
                return
            raise AuthenticationError(
                reply.retMsg or "auth refused",
                exchange="bybit",
                endpoint="ws.auth",
                code=str(reply.retCode),
                raw=frame,
            )

    def reply_id(self, frame: Frame) -> str | None:
        """``reqId`` of an order reply; None for a pong (which carries none)."""
        return _decode_id(frame).reqId
