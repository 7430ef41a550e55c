"""Coinbase Advanced Trade WebSocket dialect: channels, subscribe messages, sequence and book
rules, merging.

Market data uses one connection to ``wss://advanced-trade-ws.coinbase.com``; the ``user``
channel (orders) one connection to ``wss://advanced-trade-ws-user.coinbase.com`` whose subscribe
messages carry a JWT (no ``uri`` claim). A subscription names one channel and its products:
``{"type":"subscribe","channel":"level2","product_ids":["BTC-USD"]}``. Channels here are
``"<channel>:<product_id>"`` (``level2:BTC-USD``, ``market_trades:BTC-USD``) or ``user``.
Pushes arrive on ``l2_data``, ``market_trades``, ``user``; ``subscriptions`` acknowledges.

Every connection also subscribes ``heartbeats``: Coinbase closes channels that go 60-90 s
without a message, and the heartbeat (one per second) keeps the connection visibly alive.

``sequence_num`` counts every message of a connection (heartbeats included). A gap means a
message was lost, on whichever channel: `CoinbaseProtocol.route` refuses the frame, so the
session resets every subscription of the connection and resubscribes them (level2 answers a
subscription with a fresh snapshot). A number at or below the last one is a message out of order
(the docs: it "can be ignored"): dropped. After a frame that does not decode, the count starts
over. There is no checksum.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import msgspec

from lotusx.core.book import BookSync, Delta, L2Book, SyncResult, Verdict
from lotusx.core.errors import ExchangeError
from lotusx.core.observability import get_logger
from lotusx.core.streaming import merge
from lotusx.core.transport.ws import Frame, Heartbeat, HeartbeatKind, WsConnection
from lotusx.core.types import OrderBook

from .wire import L2MessageWire, TextLevel, ms, split_updates

__all__ = [
    "HEARTBEATS",
    "LEVEL2",
    "MARKET_TRADES",
    "USER",
    "CoinbaseBook",
    "CoinbaseProtocol",
    "ConnectionSequence",
    "SequenceGap",
    "channel_of",
    "merge",
    "public_product",
]

LEVEL2 = "level2"
MARKET_TRADES = "market_trades"
USER = "user"
HEARTBEATS = "heartbeats"
# The channel a push names → the channel it was subscribed as.
_PUSHED_AS = {"l2_data": LEVEL2, "level2": LEVEL2, MARKET_TRADES: MARKET_TRADES}


def channel_of(name: str, product_id: str) -> str:
    return f"{name}:{product_id}"


# -USDC products served on every channel under their own id (WebSocket Channels page).
USDC_ON_ALL_CHANNELS = frozenset({"USDT-USDC", "EURC-USDC"})


def public_product(product_id: str) -> str:
    """The product a public channel is subscribed as: "Subscribing to -USDC based products are
    only available on the user channel. Other channels will return the same data as the
    corresponding -USD based products" (USDT-USDC and EURC-USDC excepted)."""
    if product_id.endswith("-USDC") and product_id not in USDC_ON_ALL_CHANNELS:
        return product_id[:-1]
    return product_id


class SequenceGap(ValueError):
    """A connection's ``sequence_num`` skipped: a message was lost (raised by `route`)."""


# ----------------------------------------------------------------------------- routing


class _Pid(msgspec.Struct):
    product_id: str = ""


class _EventHead(msgspec.Struct):
    product_id: str = ""
    trades: list[_Pid] = msgspec.field(default_factory=list)
    subscriptions: dict[str, list[str]] = msgspec.field(default_factory=dict)


class _Head(msgspec.Struct):
    channel: str = ""
    type: str = ""
    message: str = ""
    sequence_num: int = -1
    events: list[_EventHead] = msgspec.field(default_factory=list)


_decode_head = msgspec.json.Decoder(_Head).decode


class CoinbaseProtocol:
    """Subscribe/unsubscribe messages, ``heartbeats`` on connect, routing by channel and
    product, and the per-connection ``sequence_num`` check. ``jwt`` (user connection) makes
    every subscribe message carry a fresh token."""

    heartbeat = Heartbeat(HeartbeatKind.SERVER_PING, 20.0)

    def __init__(self, exchange: str = "coinbase", jwt: Callable[[], str] | None = None) -> None:
        self._jwt = jwt
        self._log = get_logger(exchange)
        self.last_sequence: int | None = None
        self.gaps = 0

    def _message(self, op: str, channel: str, products: list[str]) -> str:
        body: dict[str, object] = {"type": op, "channel": channel}
        if products:
            body["product_ids"] = products
        if self._jwt is not None:
            body["jwt"] = self._jwt()
        return msgspec.json.encode(body).decode()

    def _messages(self, op: str, channels: Sequence[str]) -> list[str]:
        grouped: dict[str, list[str]] = {}
        for channel in channels:
            name, _, product = channel.partition(":")
            products = grouped.setdefault(name, [])
            if product:
                products.append(product)
        return [self._message(op, name, products) for name, products in grouped.items()]

    def subscribe_messages(self, channels: Sequence[str]) -> list[str]:
        return self._messages("subscribe", channels)

    def unsubscribe_messages(self, channels: Sequence[str]) -> list[str]:
        return self._messages("unsubscribe", channels)

    async def on_connect(self, connection: WsConnection) -> None:
        self.last_sequence = None  # sequence_num starts over on every connection
        await connection.send(self._message("subscribe", HEARTBEATS, []))

    def _check_sequence(self, sequence: int) -> bool:
        """Whether the message is new. A number at or below the last one is a message that
        arrived out of order ("can be ignored"): dropped, the last number kept. One that skips
        raises `SequenceGap`."""
        last = self.last_sequence
        if last is not None and sequence <= last:
            self._log.info("ws_out_of_order", sequence_num=sequence, last=last)
            return False
        self.last_sequence = sequence
        if last is not None and sequence != last + 1:
            self.gaps += 1
            raise SequenceGap(f"sequence_num {last} then {sequence}")
        return True

    def route(self, frame: Frame) -> tuple[str, msgspec.Raw | bytes] | None:
        try:
            head = _decode_head(frame)
        except (msgspec.DecodeError, msgspec.ValidationError):
            # The session resubscribes after a refused frame; its sequence_num is unknown, so
            # the next one is no gap of its own (that would reset everything a second time).
            self.last_sequence = None
            raise
        if head.sequence_num >= 0 and not self._check_sequence(head.sequence_num):
            return None
        if head.type == "error":
            self._log.warning("ws_error_message", msg=head.message)
            return None
        if head.channel == USER:
            return USER, frame
        name = _PUSHED_AS.get(head.channel)
        if name is None or not head.events:  # heartbeats, subscriptions, unknown channels
            return None
        event = head.events[0]
        product = event.product_id or (event.trades[0].product_id if event.trades else "")
        return (channel_of(name, product), frame) if product else None

    def confirmed(self, frame: Frame) -> list[str]:
        """The channels a ``subscriptions`` message lists as subscribed."""
        try:
            head = _decode_head(frame)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return []
        if head.channel != "subscriptions":
            return []
        out: list[str] = []
        for event in head.events:
            for name, products in event.subscriptions.items():
                if name == USER:
                    out.append(USER)
                else:
                    out += [channel_of(name, p) for p in products]
        return out


# ----------------------------------------------------------------------------- book sync rule


class ConnectionSequence:
    """Ids are a connection's ``sequence_num``, checked for gaps by `CoinbaseProtocol`: a delta
    applies unless it is older than the book (events of one message share its number)."""

    def check(self, book_id: int, delta: Delta, first_after_snapshot: bool) -> Verdict:
        return Verdict.APPLY if delta.last >= book_id else Verdict.SKIP


_decode_l2 = msgspec.json.Decoder(L2MessageWire).decode


class CoinbaseBook:
    """One ``level2`` subscription's book, message by message.

    * A ``snapshot`` event replaces the book; ``update`` events set levels to ``new_quantity``
      (``"0"`` removes the level).
    * Updates before the first snapshot (or after a reset, until the next snapshot) belong to an
      older subscription: dropped.
    * Sequencing is checked per connection by `CoinbaseProtocol` (a gap resets the book through
      the session); here the book's id is the ``sequence_num`` of its last message, which only
      grows. A malformed message or level, or a crossed book, discards the book and returns
      `SyncResult.RESYNC` (the caller resubscribes for a fresh snapshot).
    """

    def __init__(
        self, book: L2Book, exchange: str | None = "coinbase", product_id: str = ""
    ) -> None:
        self.sync = BookSync(book, ConnectionSequence(), exchange=exchange)
        # events of other products (a message may carry several) are not this book's
        self.product_id = product_id

    @property
    def live(self) -> bool:
        return self.sync.live

    def reset(self, reason: str) -> SyncResult:
        return self.sync.reset(reason)

    def snapshot(self, depth: int) -> OrderBook:
        return self.sync.book.snapshot(depth)

    def on_frame(self, frame: bytes | msgspec.Raw) -> SyncResult:
        try:
            message = _decode_l2(frame)
        except (msgspec.ValidationError, msgspec.DecodeError):
            return self.sync.reset("malformed_event")
        return self.on_message(message)

    def on_message(self, message: L2MessageWire) -> SyncResult:
        sync = self.sync
        result = SyncResult.SKIPPED
        try:
            ts = ms(message.timestamp, "l2_data timestamp") if message.timestamp else 0
            for event in message.events:
                if self.product_id and event.product_id and event.product_id != self.product_id:
                    continue
                bids, asks = split_updates(event.updates)
                if event.type == "snapshot":
                    result = sync.on_snapshot(bids, asks, message.sequence_num, timestamp=ts)
                elif event.type != "update":
                    return sync.reset("malformed_event")
                elif not sync.live:
                    continue
                else:
                    result = sync.on_delta(_delta(message.sequence_num, bids, asks, ts))
                if result is SyncResult.RESYNC:
                    return result
        except (ValueError, ExchangeError):  # an unreadable event is lost data
            return sync.reset("malformed_event")
        if result is SyncResult.APPLIED and sync.book.crossed:
            return sync.reset("crossed")
        return result


def _delta(sequence: int, bids: list[TextLevel], asks: list[TextLevel], ts: int) -> Delta:
    return Delta(sequence, sequence, bids, asks, timestamp=ts)
