"""Bybit WebSocket: public `/v5/public/{spot,linear}` topics and private `/v5/private`."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import msgspec
from aiohttp import web

from lotusx.sim.core import VenueCore
from lotusx.sim.dialects.bybit.auth import Credential, ws_auth
from lotusx.sim.dialects.bybit.render import (
    exec_json,
    order_json,
    plain,
    position_json,
    px,
    qty,
    wallet_json,
)
from lotusx.sim.dialects.bybit.rest_market import INTERVALS, ticker_json
from lotusx.sim.market import MarketSpec
from lotusx.sim.model import AccountEvent, BalanceEvent, Event, OrderEvent, Trade
from lotusx.sim.wshub import ConnectionHub

DEPTHS = {"1": 0.01, "50": 0.02, "200": 0.1, "500": 0.1, "1000": 0.2}
PRIVATE_TOPICS = ("order", "execution", "position", "wallet")
Levels = dict[Decimal, Decimal]


@dataclass(eq=False)
class Conn:
    ws: web.WebSocketResponse
    category: str  # spot | linear | private
    conn_id: str = field(default_factory=lambda: secrets.token_hex(8))
    queue: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)
    cred: Credential | None = None
    topics: set[str] = field(default_factory=set)
    books: dict[str, tuple[Levels, Levels]] = field(default_factory=dict)
    book_ids: dict[str, int] = field(default_factory=dict)  # the topic's last ``u``
    due: dict[str, float] = field(default_factory=dict)
    tickers: dict[str, dict[str, Any]] = field(default_factory=dict)

    def send(self, body: Mapping[str, Any]) -> None:
        self.queue.put_nowait(msgspec.json.encode(body).decode())


class BybitStreams(ConnectionHub[Conn]):
    def __init__(
        self, core: VenueCore, app: web.Application, keys: Mapping[str, Credential]
    ) -> None:
        super().__init__(core)
        self.keys = keys
        self.bars: dict[tuple[str, str], int] = {}
        for category in ("spot", "linear"):
            app.router.add_get(f"/v5/public/{category}", self._handler(category))
        app.router.add_get("/v5/private", self._handler("private"))

    def start(self) -> None:
        self._start(
            [
                (0.01, self._flush_books),
                (0.1, self._push_tickers),
                (1.0, self._push_klines),
            ]
        )

    def _handler(self, category: str) -> Callable[[web.Request], Any]:
        async def handle(request: web.Request) -> web.StreamResponse:
            return await self.serve(request, lambda ws: Conn(ws, category))

        return handle

    # ----------------------------------------------------------------- requests
    def _reply(self, conn: Conn, op: str, rid: Any, ok: bool, msg: str = "") -> None:
        body: dict[str, Any] = {"success": ok, "ret_msg": msg, "conn_id": conn.conn_id}
        if rid is not None:
            body["req_id"] = rid
        body["op"] = op
        conn.send(body)

    def _control(self, conn: Conn, text: str) -> None:
        try:
            req = json.loads(text)
        except ValueError:
            self._reply(conn, "", None, False, f"error:request not json, {text}")
            return
        if not isinstance(req, dict):
            self._reply(conn, "", None, False, "error:request not json")
            return
        op, rid, args = req.get("op"), req.get("req_id"), req.get("args") or []
        if op == "ping":
            if conn.category == "private":
                body: dict[str, Any] = {
                    "op": "pong",
                    "args": [str(self.core.now_ms())],
                    "conn_id": conn.conn_id,
                }
                if rid is not None:
                    body = {"req_id": rid, **body}
                conn.send(body)
            else:
                self._reply(conn, "ping", rid, True, "pong")
            return
        if op == "auth":
            if conn.category != "private":
                self._reply(conn, "auth", rid, False, "error:auth is only for private")
                return
            cred, msg = ws_auth(list(args), self.keys, self.core.now_ms())
            conn.cred = cred
            self._reply(conn, "auth", rid, cred is not None, msg)
            return
        if op not in ("subscribe", "unsubscribe") or not isinstance(args, list):
            self._reply(conn, str(op), rid, False, f"error:handler not found,op:{op}")
            return
        if conn.category == "spot" and len(args) > 10:
            self._reply(conn, op, rid, False, "args size >10")
            return
        if op == "unsubscribe":
            for topic in args:
                conn.topics.discard(str(topic))
                conn.books.pop(str(topic), None)
            self._reply(conn, op, rid, True)
            return
        bad = [str(t) for t in args if not self._valid(conn, str(t))]
        if bad:
            if conn.category == "private" and conn.cred is None:
                self._reply(conn, op, rid, False, "Request not authorized")
            else:
                self._reply(conn, op, rid, False, f"Invalid topic :[{','.join(bad)}]")
            return
        self._reply(conn, op, rid, True)
        for topic in args:
            conn.topics.add(str(topic))
            self._initial(conn, str(topic))

    def _spec(self, category: str, symbol: str) -> MarketSpec | None:
        return self.core.specs.get(category, {}).get(symbol)

    def _valid(self, conn: Conn, topic: str) -> bool:
        if conn.category == "private":
            return conn.cred is not None and topic.split(".")[0] in PRIVATE_TOPICS
        parts = topic.split(".")
        if parts[0] == "orderbook" and len(parts) == 3:
            return parts[1] in DEPTHS and self._spec(conn.category, parts[2]) is not None
        if parts[0] in ("publicTrade", "tickers") and len(parts) == 2:
            return self._spec(conn.category, parts[1]) is not None
        if parts[0] == "kline" and len(parts) == 3:
            return parts[1] in INTERVALS and self._spec(conn.category, parts[2]) is not None
        return False

    def _initial(self, conn: Conn, topic: str) -> None:
        parts = topic.split(".")
        if parts[0] == "orderbook":
            conn.books.pop(topic, None)
            conn.book_ids.pop(topic, None)
            self._book_push(conn, topic, force_snapshot=True)
        elif parts[0] == "tickers":
            self._ticker_push(conn, topic)

    # ----------------------------------------------------------------- order books
    def _top(self, category: str, symbol: str, depth: int) -> tuple[Levels, Levels]:
        book = self.core.engines[category].books[symbol]
        return dict(book.bids.depth(depth)), dict(book.asks.depth(depth))

    def _book_push(self, conn: Conn, topic: str, force_snapshot: bool = False) -> None:
        _, depth_raw, symbol = topic.split(".")
        spec = self._spec(conn.category, symbol)
        assert spec is not None
        depth = int(depth_raw)
        bids, asks = self._top(conn.category, symbol, depth)
        last = conn.books.get(topic)
        now = self.core.now_ms()
        book = self.core.engines[conn.category].books[symbol]
        mono = time.monotonic()
        unchanged = last is not None and (bids, asks) == last
        if unchanged and (depth != 1 or mono < conn.due.get(topic, 0)):
            return
        conn.books[topic] = (bids, asks)
        conn.due[topic] = mono + 3.0
        snapshot = force_snapshot or last is None or depth == 1
        # ``u`` counts this topic's messages, one by one ("normally contiguous"); ``seq`` is the
        # matching engine's cross sequence. A new subscription starts ``u`` from the engine's.
        previous = conn.book_ids.get(topic)
        update_id = conn.book_ids[topic] = book.update_id if previous is None else previous + 1
        if snapshot:
            b_rows = sorted(bids.items(), reverse=True)
            a_rows = sorted(asks.items())
        else:
            assert last is not None
            if self.core.faults.take("sequence_gaps"):
                return  # lost: the next message's ``u`` jumps by two
            b_rows = _diff(last[0], bids, reverse=True)
            a_rows = _diff(last[1], asks, reverse=False)
        conn.send(
            {
                "topic": topic,
                "type": "snapshot" if snapshot else "delta",
                "ts": now,
                "data": {
                    "s": symbol,
                    "b": [[px(spec, p), qty(spec, q)] for p, q in b_rows],
                    "a": [[px(spec, p), qty(spec, q)] for p, q in a_rows],
                    "u": update_id,
                    "seq": book.update_id,
                },
                "cts": now,
            }
        )

    def _flush_books(self) -> None:
        mono = time.monotonic()
        for conn in list(self.conns):
            for topic in list(conn.topics):
                if not topic.startswith("orderbook."):
                    continue
                period = DEPTHS[topic.split(".")[1]]
                key = "push:" + topic
                if mono < conn.due.get(key, 0):
                    continue
                conn.due[key] = mono + period
                self._book_push(conn, topic)

    # ----------------------------------------------------------------- other public
    def _ticker_push(self, conn: Conn, topic: str) -> None:
        symbol = topic.split(".")[1]
        spec = self._spec(conn.category, symbol)
        assert spec is not None
        now = self.core.now_ms()
        data = ticker_json(self.core, conn.category, spec, now)
        last = conn.tickers.get(topic)
        if conn.category == "spot" or last is None:
            if last == data:
                return
            conn.tickers[topic] = data
            conn.send({"topic": topic, "ts": now, "type": "snapshot", "cs": now, "data": data})
            return
        changed = {k: v for k, v in data.items() if last.get(k) != v}
        if not changed:
            return
        conn.tickers[topic] = data
        conn.send(
            {
                "topic": topic,
                "type": "delta",
                "data": {"symbol": symbol, **changed},
                "cs": now,
                "ts": now,
            }
        )

    def _push_tickers(self) -> None:
        for conn in list(self.conns):
            for topic in list(conn.topics):
                if topic.startswith("tickers."):
                    self._ticker_push(conn, topic)

    def _push_klines(self) -> None:
        now = self.core.now_ms()
        for conn in list(self.conns):
            for topic in list(conn.topics):
                if not topic.startswith("kline."):
                    continue
                _, interval, symbol = topic.split(".")
                spec = self._spec(conn.category, symbol)
                assert spec is not None
                store = self.core.candles[conn.category]
                bars = store.candles(symbol, INTERVALS[interval], None, None, 2, now)
                if not bars:
                    continue
                key = (conn.conn_id, topic)
                rows = []
                last_open = self.bars.get(key)
                if last_open is not None and last_open != bars[-1].open_ms:
                    rows += [(b, True) for b in bars if b.open_ms == last_open]
                self.bars[key] = bars[-1].open_ms
                rows.append((bars[-1], False))
                data = [
                    {
                        "start": b.open_ms,
                        "end": b.close_ms,
                        "interval": interval,
                        "open": px(spec, b.open),
                        "close": px(spec, b.close),
                        "high": px(spec, b.high),
                        "low": px(spec, b.low),
                        "volume": qty(spec, b.volume),
                        "turnover": plain(b.quote_volume),
                        "confirm": done,
                        "timestamp": now,
                    }
                    for b, done in rows
                ]
                conn.send({"topic": topic, "data": data, "ts": now, "type": "snapshot"})

    def _on_trade(self, t: Trade) -> None:
        spec = self.core.specs[t.market][t.symbol]
        topic = f"publicTrade.{t.symbol}"
        row: dict[str, Any] = {
            "T": t.time_ms,
            "s": t.symbol,
            "S": "Sell" if t.buyer_is_maker else "Buy",
            "v": qty(spec, t.qty),
            "p": px(spec, t.price),
            "i": str(t.trade_id),
            "BT": False,
            "RPI": False,
            "seq": t.trade_id,
        }
        if t.market == "linear":
            row["L"] = "ZeroPlusTick"
        for conn in self.conns:
            if conn.category == t.market and topic in conn.topics:
                conn.send({"topic": topic, "type": "snapshot", "ts": t.time_ms, "data": [row]})

    # ----------------------------------------------------------------- private
    def _private(self, account: str, topic: str, category: str | None) -> list[Conn]:
        names = {topic, f"{topic}.{category}"} if category else {topic}
        return [
            c
            for c in self.conns
            if c.cred is not None and c.cred.account == account and c.topics & names
        ]

    def _push(self, conns: list[Conn], topic: str, data: list[Any]) -> None:
        now = self.core.now_ms()
        for conn in conns:
            conn.send(
                {"id": secrets.token_hex(8), "topic": topic, "creationTime": now, "data": data}
            )

    def _on_order(self, ev: OrderEvent) -> None:
        o = ev.order
        conns = self._private(o.account, "order", o.market)
        if conns:
            self._push(conns, "order", [{"category": o.market, **order_json(self.core, o)}])
        if ev.fill is not None:
            conns = self._private(o.account, "execution", o.market)
            if conns:
                body = exec_json(self.core, ev.fill, o)
                self._push(conns, "execution", [{"category": o.market, **body}])

    def _on_account(self, account: str, symbols: tuple[str, ...]) -> None:
        conns = self._private(account, "position", "linear")
        if conns and symbols:
            rows = []
            for sym in symbols:
                spec = self.core.specs["linear"][sym]
                pos = self.core.ledger.position(account, sym)
                rows.append({"category": "linear", **position_json(self.core, spec, pos)})
            self._push(conns, "position", rows)
        conns = self._private(account, "wallet", None)
        if conns:
            self._push(conns, "wallet", [wallet_json(self.core, account, None)])

    def on_event(self, ev: Event) -> None:
        if isinstance(ev, Trade):
            self._on_trade(ev)
        elif isinstance(ev, OrderEvent):
            self._on_order(ev)
        elif isinstance(ev, AccountEvent):
            self._on_account(ev.account, ev.symbols)
        elif isinstance(ev, BalanceEvent) and ev.wallet in ("spot", "futures"):
            self._on_account(ev.account, ())


def _diff(old: Levels, new: Levels, reverse: bool) -> list[tuple[Decimal, Decimal]]:
    changes = {p: q for p, q in new.items() if old.get(p) != q}
    changes.update({p: Decimal(0) for p in old if p not in new})
    return sorted(changes.items(), reverse=reverse)
