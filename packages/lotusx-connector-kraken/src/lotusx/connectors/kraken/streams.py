"""Kraken WebSocket dialects: Spot v2 (public and token-authenticated) and Futures v1.

Spot v2 (``wss://ws.kraken.com/v2``, private on ``ws-auth``): ``{"method": "subscribe",
"params": {"channel": ..., "symbol": [...]}}``; data ``{"channel", "type", "data": [...]}``.
Books carry a CRC32 checksum of the top 10 levels (`KrakenChecksum`) and no sequence number, so
books are numbered locally and a checksum mismatch resubscribes for a fresh snapshot. Private
channels put a token from ``GetWebSocketsToken`` in each subscribe message; a fresh one is
fetched on every connection. The client pings with ``{"method": "ping"}``.

Futures v1 (``wss://futures.kraken.com/ws/v1``): ``{"event": "subscribe", "feed": ...,
"product_ids": [...]}``; a ``book_snapshot`` then one-level ``book`` deltas whose ``seq`` is
contiguous (`FuturesBookSequence`: a gap resubscribes). Private feeds are signed with the
challenge (``{"event": "challenge", "api_key"}`` → ``message``), requested once per connection.

Channel names used inside LotusX: ``book:<symbol>``, ``trade:<symbol>``, ``ohlc:<symbol>:<n>``,
``ticker:<product>``, and the private feed names.
"""

from __future__ import annotations

import itertools
import time
import zlib
from collections.abc import Awaitable, Callable, Sequence

import msgspec

from lotusx.core.book import ContiguousSequence, L2Book
from lotusx.core.errors import AuthenticationError
from lotusx.core.observability import get_logger
from lotusx.core.transport.ws import Frame, Heartbeat, HeartbeatKind, WsConnection

from .signer import FuturesSigner

__all__ = [
    "FuturesBookSequence",
    "FuturesPrivateProtocol",
    "FuturesPublicProtocol",
    "KrakenChecksum",
    "SpotPrivateProtocol",
    "SpotPublicProtocol",
    "checksum_text",
]

CHALLENGE_TIMEOUT = 10.0
HEARTBEAT_SUBSCRIBE = '{"event":"subscribe","feed":"heartbeat"}'
FuturesBookSequence = ContiguousSequence
"""Futures ``seq``: each delta's must be the previous one's plus one (first..last = seq)."""


def _token(text: str) -> str:
    """A level field for the checksum: ``.`` removed, leading zeros stripped."""
    return text.replace(".", "").lstrip("0")


def checksum_text(asks: Sequence[tuple[str, str]], bids: Sequence[tuple[str, str]]) -> str:
    """The string Kraken checksums: top asks (low → high) then top bids (high → low)."""
    return "".join(_token(p) + _token(q) for p, q in (*asks, *bids))


class KrakenChecksum:
    """Unsigned CRC32 of `checksum_text` over the top 10 levels, as the exchange sent them."""

    LEVELS = 10

    def compute(self, book: L2Book) -> int:
        text = checksum_text(book.ask_levels(self.LEVELS), book.bid_levels(self.LEVELS))
        return zlib.crc32(text.encode()) & 0xFFFFFFFF


# ----------------------------------------------------------------------------- spot v2


class _SpotData(msgspec.Struct):
    symbol: str | None = None
    interval: int | None = None


class _SpotResult(msgspec.Struct):
    channel: str | None = None
    symbol: str | None = None
    interval: int | None = None


class _SpotHead(msgspec.Struct):
    channel: str | None = None
    type: str | None = None
    data: list[_SpotData] | None = None
    method: str | None = None
    success: bool | None = None
    result: _SpotResult | None = None
    error: str | None = None


_decode_spot_head = msgspec.json.Decoder(_SpotHead).decode
PRIVATE_SPOT = ("executions", "balances")


def spot_channel(channel: str, symbol: str | None = None, interval: int | None = None) -> str:
    if symbol is None:
        return channel
    return f"{channel}:{symbol}" + (f":{interval}" if interval is not None else "")


class SpotPublicProtocol:
    """Spot v2 public channels: ``book``, ``trade``, ``ohlc``."""

    heartbeat = Heartbeat(HeartbeatKind.CLIENT_MESSAGE, 20.0, '{"method":"ping"}')

    def __init__(self, exchange: str = "kraken") -> None:
        self._ids = itertools.count(1)
        self._log = get_logger(exchange)
        self.depths: dict[str, int] = {}  # book symbol -> subscribed depth
        self.book_users: dict[str, int] = {}  # book symbol -> streams reading its subscription

    def _params(self, channel: str) -> dict[str, object]:
        name, _, rest = channel.partition(":")
        if not rest:
            return {"channel": name}
        if name == "ohlc":
            symbol, _, interval = rest.rpartition(":")
            return {"channel": name, "symbol": [symbol], "interval": int(interval)}
        params: dict[str, object] = {"channel": name, "symbol": [rest]}
        if name == "book":
            params["depth"] = self.depths.get(rest, 10)
            params["snapshot"] = True
        return params

    def _message(self, method: str, channel: str) -> str:
        body = {"method": method, "params": self._params(channel), "req_id": next(self._ids)}
        return msgspec.json.encode(body).decode()

    def subscribe_messages(self, channels: Sequence[str]) -> list[str]:
        return [self._message("subscribe", c) for c in channels]

    def unsubscribe_messages(self, channels: Sequence[str]) -> list[str]:
        return [self._message("unsubscribe", c) for c in channels]

    def route(self, frame: Frame) -> tuple[str, msgspec.Raw | bytes] | None:
        head = _decode_spot_head(frame)
        channel = head.channel
        if channel is None or channel in ("heartbeat", "status", "pong"):
            if head.success is False:
                self._log.warning("ws_request_failed", method=head.method, error=head.error)
            return None
        if channel in PRIVATE_SPOT or channel == "instrument":
            return channel, frame
        first = head.data[0] if head.data else None
        if first is None or first.symbol is None:
            return None
        return spot_channel(channel, first.symbol, first.interval), frame

    def confirmed(self, frame: Frame) -> list[str]:
        try:
            head = _decode_spot_head(frame)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return []
        if head.method != "subscribe" or not head.success or head.result is None:
            return []
        result = head.result
        if result.channel is None:
            return []
        return [spot_channel(result.channel, result.symbol, result.interval)]

    async def on_connect(self, connection: WsConnection) -> None:
        return None


class SpotPrivateProtocol(SpotPublicProtocol):
    """Spot v2 private channels; a fresh ``GetWebSocketsToken`` token per connection."""

    def __init__(self, fetch_token: Callable[[], Awaitable[str]], exchange: str = "kraken"):
        super().__init__(exchange)
        self._fetch_token = fetch_token
        self._token = ""

    def _params(self, channel: str) -> dict[str, object]:
        params: dict[str, object] = {"channel": channel, "token": self._token}
        if channel == "executions":
            params["snap_orders"] = True
            params["snap_trades"] = False
        elif channel == "balances":
            params["snapshot"] = True
        return params

    async def on_connect(self, connection: WsConnection) -> None:
        self._token = await self._fetch_token()


# ----------------------------------------------------------------------------- futures v1


class _FuturesHead(msgspec.Struct):
    event: str | None = None
    feed: str | None = None
    product_id: str | None = None
    product_ids: list[str] | None = None
    message: str | None = None


_decode_futures_head = msgspec.json.Decoder(_FuturesHead).decode
_FEEDS = {
    "book_snapshot": "book",
    "book": "book",
    "trade_snapshot": "trade",
    "trade": "trade",
    "ticker": "ticker",
    "ticker_lite": "ticker",
}
PRIVATE_FUTURES = {
    "open_orders_snapshot": "open_orders",
    "open_orders": "open_orders",
    "fills_snapshot": "fills",
    "fills": "fills",
    "balances_snapshot": "balances",
    "balances": "balances",
    "open_positions": "open_positions",
}


class FuturesPublicProtocol:
    """Futures v1 public feeds, routed as ``<feed>:<product_id>``."""

    # Kraken asks for "a ping request at least every 60 seconds" without naming one: the
    # documented heartbeat subscription is sent every 30 s (a no-op once subscribed, and the
    # server's heartbeat messages show the feed is alive).
    heartbeat = Heartbeat(HeartbeatKind.CLIENT_MESSAGE, 30.0, HEARTBEAT_SUBSCRIBE)

    def __init__(self, exchange: str = "kraken") -> None:
        self._log = get_logger(exchange)

    def _message(self, event: str, channel: str) -> str:
        feed, _, product = channel.partition(":")
        return msgspec.json.encode(
            {"event": event, "feed": feed, "product_ids": [product]}
        ).decode()

    def subscribe_messages(self, channels: Sequence[str]) -> list[str]:
        return [self._message("subscribe", c) for c in channels]

    def unsubscribe_messages(self, channels: Sequence[str]) -> list[str]:
        return [self._message("unsubscribe", c) for c in channels]

    def route(self, frame: Frame) -> tuple[str, msgspec.Raw | bytes] | None:
        head = _decode_futures_head(frame)
        if head.event is not None:
            if head.event in ("error", "alert"):
                self._log.warning("ws_event", kind=head.event, message=head.message)
            return None
        feed = head.feed
        if feed is None:
            return None
        private = PRIVATE_FUTURES.get(feed)
        if private is not None:
            return private, frame
        public = _FEEDS.get(feed)
        if public is None or head.product_id is None:
            return None
        return f"{public}:{head.product_id}", frame

    def confirmed(self, frame: Frame) -> list[str]:
        try:
            head = _decode_futures_head(frame)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return []
        if head.event != "subscribed" or head.feed is None:
            return []
        if head.product_ids:
            return [f"{head.feed}:{p}" for p in head.product_ids]
        return [head.feed]

    async def on_connect(self, connection: WsConnection) -> None:
        return None


class FuturesPrivateProtocol(FuturesPublicProtocol):
    """Private feeds: the challenge is answered once per connection and sent with each
    subscribe message."""

    def __init__(self, signer: FuturesSigner, exchange: str = "kraken") -> None:
        super().__init__(exchange)
        self._signer = signer
        self._original = ""
        self._signed = ""

    def _message(self, event: str, channel: str) -> str:
        return msgspec.json.encode(
            {
                "event": event,
                "feed": channel,
                "api_key": self._signer.api_key,
                "original_challenge": self._original,
                "signed_challenge": self._signed,
            }
        ).decode()

    async def on_connect(self, connection: WsConnection) -> None:
        request = {"event": "challenge", "api_key": self._signer.api_key}
        await connection.send(msgspec.json.encode(request).decode())
        deadline = time.monotonic() + CHALLENGE_TIMEOUT
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("kraken futures: no challenge reply")
            head = _decode_futures_head(await connection.receive(left))
            if head.event == "challenge" and head.message:
                self._original = head.message
                self._signed = self._signer.challenge(head.message)
                return
            if head.event in ("error", "alert"):
                raise AuthenticationError(
                    head.message or "challenge refused", exchange="kraken", endpoint="ws.challenge"
                )
