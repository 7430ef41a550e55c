"""Kraken Futures WebSocket v1 (`/ws/v1`): `{"event": ...}` requests, challenge auth, public
feeds book (book_snapshot + one message per level, contiguous `seq` per product), trade,
ticker, heartbeat; private feeds open_orders, fills, balances, open_positions."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from lotusx.sim.core import MAIN, VenueCore
from lotusx.sim.dialects.kraken import ws_futures_private as priv
from lotusx.sim.dialects.kraken.auth import challenge_sign, same
from lotusx.sim.dialects.kraken.ids import Ids
from lotusx.sim.dialects.kraken.markets import CODE, FUTURES
from lotusx.sim.dialects.kraken.render_futures import num
from lotusx.sim.dialects.kraken.truth import BookIds
from lotusx.sim.dialects.kraken.wsbase import WsConn
from lotusx.sim.model import BookDelta, Event, Side, Trade
from lotusx.sim.wshub import ConnectionHub

PUBLIC = frozenset({"book", "trade", "ticker", "ticker_lite", "heartbeat"})
PRIVATE = frozenset({"open_orders", "fills", "balances", "open_positions"})


@dataclass(eq=False)
class Conn(WsConn):
    feeds: dict[str, set[str]] = field(default_factory=dict)
    challenges: dict[str, str] = field(default_factory=dict)  # challenge -> api key
    account: str | None = None
    last_ticker: dict[str, tuple[Any, ...]] = field(default_factory=dict)


class FuturesStreams(ConnectionHub[Conn]):
    def __init__(
        self,
        core: VenueCore,
        app: web.Application,
        keys: Mapping[str, str],
        ids: Ids,
        truth: BookIds,
        idle_timeout: float = 60.0,
    ) -> None:
        super().__init__(core)
        self.truth = truth
        self.keys = keys
        self.ids = ids
        self.idle_timeout = idle_timeout
        self.specs = core.specs[FUTURES]
        self.book_seq: dict[str, int] = dict.fromkeys(self.specs, 0)
        self.trade_seq: dict[str, int] = dict.fromkeys(self.specs, 0)
        app.router.add_get("/ws/v1", self._serve)

    def start(self) -> None:
        self._start([(1.0, self._tickers), (5.0, self._heartbeat), (1.0, self._reap_idle)])

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=False)  # pings count as activity
        await ws.prepare(request)
        conn = Conn(ws)
        self.conns.add(conn)
        task = asyncio.get_running_loop().create_task(self._writer(conn))
        conn.send({"event": "info", "version": 1})
        try:
            async for msg in ws:
                conn.active = time.monotonic()
                if msg.type is WSMsgType.TEXT:
                    self._request(conn, msg.data)
                elif msg.type is WSMsgType.PING:
                    await ws.pong(msg.data)
                elif msg.type in (WSMsgType.CLOSE, WSMsgType.ERROR):
                    break
        finally:
            self.conns.discard(conn)
            conn.queue.put_nowait(None)
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            await ws.close()
        return ws

    def _reap_idle(self) -> None:
        now = time.monotonic()
        for conn in list(self.conns):
            if now - conn.active > self.idle_timeout:
                conn.queue.put_nowait(None)

    # ----------------------------------------------------------------- requests
    def _request(self, conn: Conn, text: str) -> None:
        try:
            req = json.loads(text)
        except ValueError:
            conn.send({"event": "error", "message": "Json Error"})
            return
        if not isinstance(req, dict):
            conn.send({"event": "error", "message": "Json Error"})
            return
        event = req.get("event")
        if event == "challenge":
            key = str(req.get("api_key", ""))
            if key not in self.keys:
                conn.send({"event": "error", "message": "Invalid API key"})
                return
            challenge = str(uuid.uuid4())
            conn.challenges[challenge] = key
            conn.send({"event": "challenge", "message": challenge})
            return
        if event not in ("subscribe", "unsubscribe"):
            conn.send({"event": "error", "message": "Invalid event"})
            return
        feed = str(req.get("feed", ""))
        if feed in PRIVATE:
            self._private(conn, req, feed, event)
        elif feed in PUBLIC:
            self._public(conn, req, feed, event)
        else:
            conn.send({"event": "error", "message": "Invalid feed"})

    def _public(self, conn: Conn, req: dict[str, Any], feed: str, event: str) -> None:
        if feed == "heartbeat":
            if event == "subscribe":
                conn.feeds["heartbeat"] = set()
            else:
                conn.feeds.pop("heartbeat", None)
            conn.send({"event": f"{event}d", "feed": feed})
            return
        products = req.get("product_ids")
        if not isinstance(products, list) or not products:
            conn.send({"event": "error", "message": "Invalid product id"})
            return
        names = [str(p).upper() for p in products]
        if any(n not in self.specs for n in names):
            conn.send({"event": "error", "message": "Invalid product id"})
            return
        subs = conn.feeds.setdefault(feed, set())
        if event == "unsubscribe":
            subs.difference_update(names)
            conn.send({"event": "unsubscribed", "feed": feed, "product_ids": names})
            return
        subs.update(names)
        conn.send({"event": "subscribed", "feed": feed, "product_ids": names})
        for name in names:
            if feed == "book":
                self._book_snapshot(conn, name)
            elif feed == "trade":
                self._trade_snapshot(conn, name)
            elif feed in ("ticker", "ticker_lite"):
                self._send_ticker(conn, name, feed, force=True)

    def _private(self, conn: Conn, req: dict[str, Any], feed: str, event: str) -> None:
        key = str(req.get("api_key", ""))
        original = str(req.get("original_challenge", ""))
        signed = str(req.get("signed_challenge", ""))
        secret = self.keys.get(key)
        if secret is None or conn.challenges.get(original) != key:
            conn.send({"event": "error", "message": "Invalid challenge"})
            return
        if not same(challenge_sign(secret, original), signed):
            conn.send({"event": "error", "message": "Invalid challenge"})
            return
        conn.account = MAIN
        ack = {
            "event": f"{event}d",
            "feed": feed,
            "api_key": key,
            "original_challenge": original,
            "signed_challenge": signed,
        }
        if event == "unsubscribe":
            conn.feeds.pop(feed, None)
            conn.send(ack)
            return
        conn.feeds[feed] = set()
        conn.send(ack)
        priv.snapshot(self, conn, feed)

    # ----------------------------------------------------------------- public feeds
    def _book_snapshot(self, conn: Conn, symbol: str) -> None:
        book = self.core.engines[FUTURES].books[symbol]
        conn.send(
            {
                "feed": "book_snapshot",
                "product_id": symbol,
                "timestamp": self.core.now_ms(),
                "seq": self.book_seq[symbol],
                "tickSize": None,
                "bids": [{"price": num(p), "qty": num(q)} for p, q in book.bids.depth(1000)],
                "asks": [{"price": num(p), "qty": num(q)} for p, q in book.asks.depth(1000)],
            }
        )

    def _on_book(self, ev: BookDelta) -> None:
        subs = [c for c in self.conns if ev.symbol in c.feeds.get("book", ())]
        levels = [(Side.BUY, p, q) for p, q in sorted(ev.bids.items(), reverse=True)]
        levels += [(Side.SELL, p, q) for p, q in sorted(ev.asks.items())]
        gap = bool(subs) and self.core.faults.take("sequence_gaps")
        for n, (side, price, qty) in enumerate(levels, 1):
            self.book_seq[ev.symbol] += 1
            if n == len(levels):  # a book with only part of the update is no engine state
                self.truth.futures_sent(ev.symbol, self.book_seq[ev.symbol], ev.update_id)
            if gap:  # one message is lost: its number never reaches anyone
                gap = False
                continue
            body = {
                "feed": "book",
                "product_id": ev.symbol,
                "side": "buy" if side is Side.BUY else "sell",
                "seq": self.book_seq[ev.symbol],
                "price": num(price),
                "qty": num(qty),
                "timestamp": ev.time_ms,
            }
            for conn in subs:
                conn.send(body)

    def _trade_json(self, t: Trade) -> dict[str, Any]:
        return {
            "feed": "trade",
            "product_id": t.symbol,
            "uid": Ids.public_trade(t.symbol, t.trade_id),
            "side": "sell" if t.buyer_is_maker else "buy",
            "type": "fill",
            "seq": t.trade_id,
            "time": t.time_ms,
            "qty": num(t.qty),
            "price": num(t.price),
        }

    def _trade_snapshot(self, conn: Conn, symbol: str) -> None:
        trades = list(self.core.engines[FUTURES].trades[symbol])[-100:]
        conn.send(
            {
                "feed": "trade_snapshot",
                "product_id": symbol,
                "trades": [self._trade_json(t) for t in reversed(trades)],
            }
        )

    def _on_trade(self, t: Trade) -> None:
        body = self._trade_json(t)
        for conn in self.conns:
            if t.symbol in conn.feeds.get("trade", ()):
                conn.send(body)

    def _ticker(self, symbol: str, feed: str) -> dict[str, Any]:
        core = self.core
        book = core.engines[FUTURES].books[symbol]
        bid, ask = book.bids.depth(1), book.asks.depth(1)
        mark, rate = core.mark_price(symbol), core.funding_rate(symbol)
        body: dict[str, Any] = {
            "time": core.now_ms(),
            "product_id": symbol,
            "feed": feed,
            "bid": num(bid[0][0]) if bid else 0,
            "ask": num(ask[0][0]) if ask else 0,
            "change": 0,
            "premium": num(((mark / core.index_price(symbol)) - 1) * 100),
            "volume": 0,
            "tag": "perpetual",
            "pair": f"{CODE[self.specs[symbol].base]}:USD",
            "dtm": 0,
            "maturityTime": 0,
            "markPrice": num(mark),
        }
        if feed == "ticker":
            body |= {
                "bid_size": num(bid[0][1]) if bid else 0,
                "ask_size": num(ask[0][1]) if ask else 0,
                "index": num(core.index_price(symbol)),
                "last": num(core.engines[FUTURES].last_price[symbol]),
                "leverage": "50x",
                "openInterest": 0,
                "funding_rate": num(rate * mark),
                "funding_rate_prediction": num(rate * mark),
                "relative_funding_rate": num(rate),
                "relative_funding_rate_prediction": num(rate),
                "next_funding_rate_time": core.next_funding_ms,
                "suspended": False,
                "post_only": False,
            }
        return body

    def _send_ticker(self, conn: Conn, symbol: str, feed: str, force: bool = False) -> None:
        body = self._ticker(symbol, feed)
        state = (body["bid"], body["ask"], body["markPrice"])
        if not force and conn.last_ticker.get(f"{feed}:{symbol}") == state:
            return
        conn.last_ticker[f"{feed}:{symbol}"] = state
        conn.send(body)

    def _tickers(self) -> None:
        for conn in list(self.conns):
            for feed in ("ticker", "ticker_lite"):
                for symbol in conn.feeds.get(feed, ()):
                    self._send_ticker(conn, symbol, feed)

    def _heartbeat(self) -> None:
        for conn in list(self.conns):
            if "heartbeat" in conn.feeds:
                conn.send({"feed": "heartbeat", "time": self.core.now_ms()})

    # ----------------------------------------------------------------- events
    def on_event(self, ev: Event) -> None:
        if isinstance(ev, BookDelta) and ev.market == FUTURES:
            self._on_book(ev)
        elif isinstance(ev, Trade) and ev.market == FUTURES:
            self._on_trade(ev)
        else:
            priv.on_event(self, ev)
