"""Binance WebSocket dialects: combined market streams, user-data streams, book sync rules.

Market data uses one ``/stream`` connection per venue; channels are stream names
(``btcusdt@depth@100ms``), subscribed with ``SUBSCRIBE`` JSON and routed by the envelope's
``stream`` field. The server pings; aiohttp answers. The user-data stream is ``/ws/<listenKey>``
with a fresh key on every (re)connect, a keep-alive every 30 minutes, and a reconnect when
Binance says ``listenKeyExpired``; its channels are event types (``executionReport``...).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import msgspec

from lotusx.core.book import ContiguousSequence, Delta, PrevIdSequence, SequencePolicy
from lotusx.core.errors import BadRequest, LotusXError
from lotusx.core.observability import get_logger
from lotusx.core.streaming import merge
from lotusx.core.transport.ws import (
    Frame,
    Heartbeat,
    HeartbeatKind,
    Overflow,
    Reset,
    Subscription,
    WsConnection,
    WsSession,
)

from .endpoints import Venue
from .wire import DepthEventWire, EventTypeWire

__all__ = [
    "KEEPALIVE_SECONDS",
    "MarketProtocol",
    "UserDataProtocol",
    "UserDataStream",
    "book_policy",
    "candle_channel",
    "depth_channel",
    "mark_price_channel",
    "merge",
    "snapshot_too_old",
    "to_delta",
    "trade_channel",
]

T = TypeVar("T")
KEEPALIVE_SECONDS = 30 * 60
_SUBSCRIBE_CHUNK = 200  # streams per SUBSCRIBE message


# ----------------------------------------------------------------------------- channel names


def depth_channel(native: str) -> str:
    return f"{native.lower()}@depth@100ms"


def trade_channel(native: str, venue: Venue) -> str:
    """Spot ``@trade``; USDⓈ-M publishes ``@aggTrade`` only."""
    return f"{native.lower()}@{'trade' if venue is Venue.SPOT else 'aggTrade'}"


def candle_channel(native: str, interval: str) -> str:
    return f"{native.lower()}@kline_{interval}"


def mark_price_channel(native: str) -> str:
    return f"{native.lower()}@markPrice@1s"


# Private channels are event types.
ORDER_EVENT = {Venue.SPOT: "executionReport", Venue.FUTURES: "ORDER_TRADE_UPDATE"}
BALANCE_EVENT = {Venue.SPOT: "outboundAccountPosition", Venue.FUTURES: "ACCOUNT_UPDATE"}
POSITION_EVENT = "ACCOUNT_UPDATE"
KEY_EXPIRED_EVENT = "listenKeyExpired"


# ----------------------------------------------------------------------------- book sync rules


def book_policy(venue: Venue) -> SequencePolicy:
    """Spot diffs chain by ``U == previous u + 1``; futures diffs name the previous ``u``
    in ``pu``."""
    return ContiguousSequence() if venue is Venue.SPOT else PrevIdSequence()


def to_delta(event: DepthEventWire) -> Delta:
    return Delta(event.U, event.u, event.b, event.a, prev=event.pu, timestamp=event.E)


def snapshot_too_old(last_update_id: int, first_buffered_u: int) -> bool:
    """Binance: a snapshot older than the first buffered diff's ``U`` must be fetched again."""
    return last_update_id < first_buffered_u


# ----------------------------------------------------------------------------- protocols


class _Envelope(msgspec.Struct):
    stream: str | None = None
    data: msgspec.Raw = msgspec.Raw(b"")
    id: int | str | None = None
    code: int | None = None
    msg: str | None = None


_decode_envelope = msgspec.json.Decoder(_Envelope).decode
_decode_event_type = msgspec.json.Decoder(EventTypeWire).decode


class MarketProtocol:
    """Combined streams: ``SUBSCRIBE``/``UNSUBSCRIBE`` JSON, ``{"stream","data"}`` envelopes."""

    heartbeat = Heartbeat(HeartbeatKind.SERVER_PING)

    def __init__(self, exchange: str = "binance") -> None:
        self._ids = itertools.count(1)
        self._log = get_logger(exchange)

    def _messages(self, method: str, channels: Sequence[str]) -> list[str]:
        return [
            msgspec.json.encode(
                {
                    "method": method,
                    "params": list(channels[i : i + _SUBSCRIBE_CHUNK]),
                    "id": next(self._ids),
                }
            ).decode()
            for i in range(0, len(channels), _SUBSCRIBE_CHUNK)
        ]

    def subscribe_messages(self, channels: Sequence[str]) -> list[str]:
        return self._messages("SUBSCRIBE", channels)

    def unsubscribe_messages(self, channels: Sequence[str]) -> list[str]:
        return self._messages("UNSUBSCRIBE", channels)

    def route(self, frame: Frame) -> tuple[str, msgspec.Raw | bytes] | None:
        envelope = _decode_envelope(frame)
        if envelope.stream is None or not envelope.data:
            if envelope.code is not None:
                self._log.warning("ws_control_error", code=envelope.code, msg=envelope.msg)
            return None  # a control reply ({"result": null, "id": n})
        return envelope.stream, envelope.data

    async def on_connect(self, connection: WsConnection) -> None:
        return None


class UserDataProtocol:
    """``/ws/<listenKey>``: raw event objects, routed by their ``e`` (event type)."""

    heartbeat = Heartbeat(HeartbeatKind.SERVER_PING)

    def subscribe_messages(self, channels: Sequence[str]) -> list[str]:
        return []

    def unsubscribe_messages(self, channels: Sequence[str]) -> list[str]:
        return []

    def route(self, frame: Frame) -> tuple[str, msgspec.Raw | bytes] | None:
        return _decode_event_type(frame).e, frame

    async def on_connect(self, connection: WsConnection) -> None:
        return None


class UserDataStream:
    """One venue's user-data connection: listen key, keep-alive, reconnect on expiry."""

    def __init__(
        self,
        exchange: str,
        venue: Venue,
        ws_base: str,
        create_key: Callable[[], Awaitable[str]],
        keepalive: Callable[[str], Awaitable[None]],
        *,
        close_key: Callable[[str], Awaitable[None]] | None = None,
        keepalive_seconds: float = KEEPALIVE_SECONDS,
    ) -> None:
        self.venue = venue
        self._ws_base = ws_base.rstrip("/")
        self._create_key = create_key
        self._keepalive = keepalive
        self._close_key = close_key
        self._interval = keepalive_seconds
        self._key: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._log = get_logger(exchange).bind(ws=f"{venue}-user")
        self.session = WsSession(
            exchange, self._url, UserDataProtocol(), name=f"{venue}-user", stale_after=None
        )

    async def _url(self) -> str:
        self._key = await self._create_key()
        return f"{self._ws_base}/ws/{self._key}"

    async def subscribe(self, event: str) -> Subscription:
        """Items of one event type (raw frames), starting the connection on first use."""
        if self._task is None:
            expired = await self.session.subscribe(KEY_EXPIRED_EVENT, overflow=Overflow.DROP_OLDEST)
            self._task = asyncio.create_task(self._maintain(expired), name="lotusx-binance-key")
        return await self.session.subscribe(event, overflow=Overflow.RAISE)

    async def _maintain(self, expired: Subscription) -> None:
        """Keep the key alive; when it expires or a keep-alive is refused, reconnect."""
        while True:
            try:
                item = await asyncio.wait_for(expired.__anext__(), self._interval)
            except TimeoutError:
                if self._key is not None:
                    try:
                        await self._keepalive(self._key)
                    except BadRequest as exc:  # -1125: the key is gone
                        self._log.warning("listen_key_refused", error=str(exc))
                        await self.session.drop()
                    except LotusXError as exc:
                        self._log.warning("listen_key_keepalive_failed", error=str(exc))
                continue
            except StopAsyncIteration:
                return
            if not isinstance(item, Reset):
                self._log.info("listen_key_expired")
                await self.session.drop()

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.session.close()
        key, self._key = self._key, None
        if key is not None and self._close_key is not None:
            with contextlib.suppress(LotusXError):  # best effort: it expires in 60 min anyway
                await self._close_key(key)


# ----------------------------------------------------------------------------- merging
