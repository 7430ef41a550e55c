"""Bybit v5 WebSocket dialect: topics, ``op`` messages, login, book sync rule, merging.

Public data uses one connection per category (``/v5/public/spot``, ``/v5/public/linear``);
private data one ``/v5/private`` connection that logs in with the ``auth`` op before subscribing.
Channels are topics (``orderbook.50.BTCUSDT``, ``order``...), subscribed with
``{"op":"subscribe","args":[...]}`` (at most 10 per message, the spot limit) and routed by the
message's ``topic``. The client pings with ``{"op":"ping"}`` every 20 s, as Bybit asks.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

import msgspec

from lotusx.core.book import BookSync, Delta, L2Book, SyncResult, Verdict
from lotusx.core.errors import AuthenticationError
from lotusx.core.observability import get_logger
from lotusx.core.streaming import merge
from lotusx.core.transport.signing import Credentials
from lotusx.core.transport.ws import Frame, Heartbeat, HeartbeatKind, WsConnection
from lotusx.core.types import OrderBook

from .signer import ws_auth_args
from .wire import BookWire, WsMessageWire

__all__ = [
    "AUTH_TIMEOUT",
    "EXECUTION_TOPIC",
    "ORDER_TOPIC",
    "PING",
    "POSITION_TOPIC",
    "WALLET_TOPIC",
    "BybitBook",
    "BybitBookSequence",
    "PrivateProtocol",
    "PublicProtocol",
    "book_topic",
    "kline_topic",
    "merge",
    "ticker_topic",
    "to_delta",
    "trade_topic",
]

T = TypeVar("T")
PING = '{"op":"ping"}'
HEARTBEAT = Heartbeat(HeartbeatKind.CLIENT_MESSAGE, 20.0, PING)
_ARGS_PER_MESSAGE = 10  # spot accepts at most 10 args per subscribe request
AUTH_TIMEOUT = 10.0
AUTH_EXPIRY_MS = 10_000

# Private topics (all categories).
ORDER_TOPIC = "order"
EXECUTION_TOPIC = "execution"
WALLET_TOPIC = "wallet"
POSITION_TOPIC = "position"


def book_topic(depth: int, native: str) -> str:
    return f"orderbook.{depth}.{native}"


def trade_topic(native: str) -> str:
    return f"publicTrade.{native}"


def kline_topic(interval: str, native: str) -> str:
    """``interval`` is Bybit's (``1``, ``60``, ``D``...)."""
    return f"kline.{interval}.{native}"


def ticker_topic(native: str) -> str:
    return f"tickers.{native}"


# ----------------------------------------------------------------------------- book sync rule


class BybitBookSequence:
    """Bybit's ``u`` counts a topic's messages one by one (documented as normally contiguous;
    ``u == 1`` marks a restart snapshot): a delta applies when its ``u`` is the book's plus
    one; an older one is skipped; a jump means a lost delta (the book is rebuilt)."""

    def check(self, book_id: int, delta: Delta, first_after_snapshot: bool) -> Verdict:
        if delta.last <= book_id:
            return Verdict.SKIP
        return Verdict.APPLY if delta.first == book_id + 1 else Verdict.GAP


def to_delta(data: BookWire, ts: int) -> Delta:
    return Delta(data.u, data.u, data.b, data.a, timestamp=ts)


_decode_book = msgspec.json.Decoder(BookWire).decode


class BybitBook:
    """One ``orderbook.{depth}.{symbol}`` subscription's book, message by message.

    * A ``snapshot`` replaces the book (whatever its ``u``: ``u == 1`` after a Bybit restart).
    * A ``delta`` applies when its ``u`` follows the book's; a delta before the first snapshot
      (or after a reset, until the next snapshot) belongs to an older subscription: dropped.
    * Inconsistencies discard the book and return `SyncResult.RESYNC` (the caller resubscribes
      for a fresh snapshot): a delta whose ``u`` skips one (a lost delta), a delta with
      ``u == 1``, ``seq`` going backwards, a malformed message or level, a crossed book.
    * The books handed out carry ``seq``, Bybit's cross sequence, as their ``sequence``: it
      orders them against REST snapshots and other depths, which ``u`` does not.
    """

    def __init__(self, book: L2Book, exchange: str | None = "bybit") -> None:
        self.sync = BookSync(book, BybitBookSequence(), exchange=exchange)
        self.last_seq = -1

    @property
    def book(self) -> L2Book:
        return self.sync.book

    @property
    def live(self) -> bool:
        return self.sync.live

    def reset(self, reason: str) -> SyncResult:
        return self.sync.reset(reason)

    def snapshot(self, depth: int) -> OrderBook:
        """The top ``depth`` levels, ``sequence`` = the last applied message's ``seq``."""
        return msgspec.structs.replace(self.sync.book.snapshot(depth), sequence=self.last_seq)

    def on_message(self, message: WsMessageWire) -> SyncResult:
        try:
            data = _decode_book(message.data)
        except (msgspec.ValidationError, msgspec.DecodeError):
            return self.sync.reset("malformed_event")
        sync = self.sync
        if message.type == "snapshot":
            result = sync.on_snapshot(data.b, data.a, data.u, timestamp=message.ts)
            self.last_seq = data.seq
        elif message.type != "delta":
            return sync.reset("malformed_event")
        elif not sync.live:
            return SyncResult.SKIPPED
        elif data.u == 1:
            return sync.reset("service_restart")
        elif data.seq < self.last_seq:
            return sync.reset("seq_backwards")
        else:
            result = sync.on_delta(to_delta(data, message.ts))
            self.last_seq = max(self.last_seq, data.seq)
        if result is SyncResult.APPLIED and sync.book.crossed:
            return sync.reset("crossed")
        return result


# ----------------------------------------------------------------------------- protocols


class _Control(msgspec.Struct):
    topic: str | None = None
    op: str | None = None
    success: bool | None = None
    ret_msg: str = ""
    req_id: str = ""


_decode_control = msgspec.json.Decoder(_Control).decode


class PublicProtocol:
    """``subscribe``/``unsubscribe`` ops; data messages routed by ``topic``."""

    heartbeat = HEARTBEAT

    def __init__(self, exchange: str = "bybit") -> None:
        self._ids = itertools.count(1)
        self._log = get_logger(exchange)
        self._asked: dict[str, list[str]] = {}  # subscribe req_id -> its topics, until acked

    def _messages(self, op: str, channels: Sequence[str]) -> list[str]:
        out = []
        for i in range(0, len(channels), _ARGS_PER_MESSAGE):
            req_id, topics = str(next(self._ids)), list(channels[i : i + _ARGS_PER_MESSAGE])
            if op == "subscribe":
                if len(self._asked) > 1000:  # acks that never came: forget the oldest
                    del self._asked[next(iter(self._asked))]
                self._asked[req_id] = topics
            out.append(msgspec.json.encode({"req_id": req_id, "op": op, "args": topics}).decode())
        return out

    def confirmed(self, frame: Frame) -> list[str]:
        """A successful ``subscribe`` acknowledgement: the topics its ``req_id`` asked for."""
        try:
            control = _decode_control(frame)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return []
        if control.op == "subscribe" and control.success:
            return self._asked.pop(control.req_id, [])
        return []

    def subscribe_messages(self, channels: Sequence[str]) -> list[str]:
        return self._messages("subscribe", channels)

    def unsubscribe_messages(self, channels: Sequence[str]) -> list[str]:
        return self._messages("unsubscribe", channels)

    def route(self, frame: Frame) -> tuple[str, msgspec.Raw | bytes] | None:
        control = _decode_control(frame)
        if control.topic is not None:
            return control.topic, frame
        if control.success is False:
            self._log.warning("ws_op_failed", op=control.op, msg=control.ret_msg)
        return None  # pong, subscribe/auth acknowledgements

    async def on_connect(self, connection: WsConnection) -> None:
        return None


class PrivateProtocol(PublicProtocol):
    """The public dialect plus the ``auth`` op, sent and confirmed before subscribing."""

    def __init__(
        self,
        credentials: Credentials,
        now_ms: Callable[[], int],
        exchange: str = "bybit",
    ) -> None:
        super().__init__(exchange)
        self._credentials = credentials
        self._now_ms = now_ms

    def auth_message(self) -> str:
        expires = self._now_ms() + AUTH_EXPIRY_MS
        return msgspec.json.encode(
            {
                "req_id": str(next(self._ids)),
                "op": "auth",
                "args": ws_auth_args(self._credentials, expires),
            }
        ).decode()

    async def on_connect(self, connection: WsConnection) -> None:
        await connection.send(self.auth_message())
        deadline = time.monotonic() + AUTH_TIMEOUT
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("bybit private stream: no auth reply")
            control = _decode_control(await connection.receive(left))
            if control.op != "auth":
                continue
            if control.success:
                return
            raise AuthenticationError(
                control.ret_msg or "auth refused", exchange="bybit", endpoint="ws.auth"
            )


# ----------------------------------------------------------------------------- merging
