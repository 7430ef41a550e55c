"""OKX v5 WebSocket dialect: subscriptions, routing, login, and the book's consistency rules.

Three connections: ``ws_public`` (books, trades, mark price), ``ws_business`` (candles) and
``ws_private`` (orders, account, positions; after a ``login`` op). A subscription argument is a
JSON object (``{"channel": "books", "instId": "BTC-USDT"}``); LotusX names a channel by the
canonical JSON text of that object (`channel_key`), and routes every push by its ``arg`` with the
same function, so a subscription and its pushes always meet. The server drops a connection after
30 s without traffic: the client sends the text ``ping`` every 20 s and the server answers ``pong``.

Books (``books``): a 400-level ``snapshot`` then ``update`` pushes. Each update's ``prevSeqId`` is
the previous push's ``seqId`` (`PrevIdSequence`); every push carries a CRC32 ``checksum`` of the
top 25 levels (`OkxChecksum`). On any break the connector resubscribes, which makes OKX send a
new snapshot.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

import msgspec

from lotusx.core.book import Delta
from lotusx.core.errors import AuthenticationError
from lotusx.core.observability import get_logger
from lotusx.core.transport.ws import Frame, Heartbeat, HeartbeatKind, WsConnection

from .signer import login_args
from .wire import ArgWire, BookWire, text_levels

if TYPE_CHECKING:
    from lotusx.core.clock import Clock
    from lotusx.core.transport.signing import Credentials

__all__ = [
    "HEARTBEAT",
    "LOGIN_TIMEOUT",
    "PrivateProtocol",
    "PublicProtocol",
    "book_delta",
    "channel_key",
]

HEARTBEAT = Heartbeat(HeartbeatKind.CLIENT_MESSAGE, interval=20.0, message="ping")
LOGIN_TIMEOUT = 10.0
_ARG_FIELDS = ("channel", "instId", "instType", "instFamily")


def channel_key(channel: str, **arg: str) -> str:
    """The canonical text of a subscription argument (keys sorted, empty values left out)."""
    fields = {"channel": channel, **{k: v for k, v in arg.items() if v}}
    return msgspec.json.encode(dict(sorted(fields.items()))).decode()


@functools.lru_cache(maxsize=1024)
def _key_for(channel: str, inst_id: str, inst_type: str, inst_family: str) -> str:
    return channel_key(channel, instId=inst_id, instType=inst_type, instFamily=inst_family)


def _key_of(arg: ArgWire) -> str:
    """The subscription key of a push (memoised: every push of a channel repeats its arg)."""
    return _key_for(arg.channel, arg.instId, arg.instType, arg.instFamily)


def book_delta(item: BookWire) -> Delta:
    """An ``update`` push as a `Delta`: one id (``seqId``) chained by ``prevSeqId``."""
    if item.seqId is None:
        raise ValueError("book update without seqId")
    return Delta(
        item.seqId,
        item.seqId,
        text_levels(item.bids),
        text_levels(item.asks),
        prev=item.prevSeqId,
        timestamp=int(item.ts),
        checksum=item.checksum,
    )


class _Event(msgspec.Struct):
    event: str | None = None
    code: str = ""
    msg: str = ""
    arg: ArgWire | None = None
    data: msgspec.Raw = msgspec.Raw(b"")


_decode_event = msgspec.json.Decoder(_Event).decode
_PUSH_START = b'{"arg":{'


class PublicProtocol:
    """``subscribe``/``unsubscribe`` ops; pushes routed by ``arg``; text ping/pong."""

    heartbeat = HEARTBEAT

    def __init__(self, exchange: str = "okx") -> None:
        self._ids = itertools.count(1)
        self._keys: dict[bytes, str] = {}  # a push's leading ``{"arg":{...}`` text -> its key
        self._log = get_logger(exchange)

    def _op(self, op: str, channels: Sequence[str]) -> list[str]:
        if not channels:
            return []
        args = [msgspec.json.decode(c) for c in channels]
        message = {"id": str(next(self._ids)), "op": op, "args": args}
        return [msgspec.json.encode(message).decode()]

    def subscribe_messages(self, channels: Sequence[str]) -> list[str]:
        return self._op("subscribe", channels)

    def unsubscribe_messages(self, channels: Sequence[str]) -> list[str]:
        return self._op("unsubscribe", channels)

    def route(self, frame: Frame) -> tuple[str, msgspec.Raw | bytes] | None:
        if frame == b"pong":
            return None
        # A push opens with its ``arg`` object; once one was decoded, that text names the key.
        if frame.startswith(_PUSH_START):
            key = self._keys.get(frame[: frame.find(b"}") + 1])
            if key is not None:
                return key, frame
        event = _decode_event(frame)
        if event.event is None and event.arg is not None and event.data:
            key = _key_of(event.arg)
            if frame.startswith(_PUSH_START) and len(self._keys) < 1024:
                self._keys[frame[: frame.find(b"}") + 1]] = key
            return key, frame
        if event.event == "error":
            self._log.warning("ws_error_event", code=event.code, msg=event.msg)
        elif event.event == "notice":
            self._log.warning("ws_notice", code=event.code, msg=event.msg)
        return None

    def confirmed(self, frame: Frame) -> list[str]:
        """``{"event":"subscribe","arg":{...}}``: the channel of that ``arg`` is live."""
        if frame == b"pong" or not frame.startswith(b'{"'):
            return []
        try:
            event = _decode_event(frame)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return []
        if event.event == "subscribe" and event.arg is not None:
            return [_key_of(event.arg)]
        return []

    async def on_connect(self, connection: WsConnection) -> None:
        return None


class PrivateProtocol(PublicProtocol):
    """The private connection: a ``login`` op on every (re)connect, before subscribing."""

    def __init__(self, credentials: Credentials, clock: Clock, exchange: str = "okx") -> None:
        super().__init__(exchange)
        self._credentials = credentials
        self._clock = clock

    def login_message(self) -> str:
        args = login_args(self._credentials, self._clock.now_ms())
        return msgspec.json.encode({"op": "login", "args": [args]}).decode()

    async def on_connect(self, connection: WsConnection) -> None:
        await connection.send(self.login_message())
        while True:
            frame = await connection.receive(LOGIN_TIMEOUT)
            if frame == b"pong":
                continue
            event = _decode_event(frame)
            if event.event == "login":
                if event.code not in ("", "0"):
                    raise _login_error(event)
                return
            if event.event == "error":
                raise _login_error(event)


def _login_error(event: _Event) -> AuthenticationError:
    return AuthenticationError(
        event.msg or "login refused", exchange="okx", endpoint="ws.login", code=event.code or None
    )
