"""Binance WebSocket streams of one host: raw `/ws/<stream>`, combined `/stream?streams=`,
JSON control methods, server pings, market streams and listenKey user data streams."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec
from aiohttp import WSMsgType, web

from lotusx.sim.core import VenueCore
from lotusx.sim.dialects.binance import userdata as ud
from lotusx.sim.dialects.binance.http import BinanceHost
from lotusx.sim.dialects.binance.streams import (
    DiffAccumulator,
    StreamKey,
    agg_trade_payload,
    kline_payload,
    levels,
    parse,
    trade_payload,
)
from lotusx.sim.model import AccountEvent, BalanceEvent, BookDelta, Event, OrderEvent, Trade
from lotusx.sim.wshub import ConnectionHub

METHODS = ("SUBSCRIBE", "UNSUBSCRIBE", "LIST_SUBSCRIPTIONS", "SET_PROPERTY", "GET_PROPERTY")
MAX_STREAMS = 1024


@dataclass(eq=False)
class Conn:
    """One client connection and what it listens to."""

    ws: web.WebSocketResponse
    combined: bool
    streams: set[str] = field(default_factory=set)
    listen_keys: set[str] = field(default_factory=set)
    queue: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)
    last_pong: float = field(default_factory=time.monotonic)
    window: tuple[int, int] = (0, 0)

    def push(self, stream: str, raw: str) -> None:
        if self.combined:
            self.queue.put_nowait(f'{{"stream":"{stream}","data":{raw}}}')
        else:
            self.queue.put_nowait(raw)


class StreamHub(ConnectionHub[Conn]):
    """Streams of one host (spot or futures); fed synchronously by venue events."""

    def __init__(
        self,
        core: VenueCore,
        host: BinanceHost,
        futures: bool,
        ping_interval: float,
        inbound_limit: int | None = None,
    ) -> None:
        super().__init__(core)
        self.host = host
        self.futures = futures
        self.market = host.market
        self.specs = core.specs[self.market]
        self.ping_interval = ping_interval
        self.pong_timeout = 3 * ping_interval
        self.inbound_limit = inbound_limit if inbound_limit is not None else (10 if futures else 5)
        self.subs: dict[str, set[Conn]] = {}
        self.keys: dict[str, StreamKey] = {}
        self.diffs: dict[tuple[str, int], DiffAccumulator] = {}
        self.due: dict[str, float] = {}
        self.partial_prev: dict[str, int] = {}
        self.kline_open: dict[str, int] = {}
        self.top: dict[str, tuple[Any, ...]] = {}
        host.app.router.add_get("/ws", self.handle_ws)
        host.app.router.add_get("/ws/{path:.*}", self.handle_ws)
        host.app.router.add_get("/stream", self.handle_combined)
        host.on_listen_key_closed = self.close_listen_key
        host.on_config = self.on_config
        core.tick_hooks.append(self.expire_keys)

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> None:
        self._start([(0.02, self._tick)])

    # ----------------------------------------------------------------- connections
    async def handle_ws(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info.get("path", "")
        return await self._serve(request, [s for s in path.split("/") if s], combined=False)

    async def handle_combined(self, request: web.Request) -> web.StreamResponse:
        names = [s for s in request.query.get("streams", "").split("/") if s]
        return await self._serve(request, names, combined=True)

    async def _serve(
        self, request: web.Request, names: list[str], combined: bool
    ) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=False)
        await ws.prepare(request)
        conn = Conn(ws, combined)
        self.conns.add(conn)
        for name in names:
            self._attach(conn, name)
        writer = asyncio.get_running_loop().create_task(self._writer(conn))
        pinger = asyncio.get_running_loop().create_task(self._pinger(conn))
        try:
            async for msg in ws:
                if not self._inbound_ok(conn):
                    break
                if msg.type is WSMsgType.TEXT:
                    self._control(conn, msg.data)
                elif msg.type is WSMsgType.PING:
                    await ws.pong(msg.data)
                elif msg.type is WSMsgType.PONG:
                    conn.last_pong = time.monotonic()
                elif msg.type in (WSMsgType.CLOSE, WSMsgType.ERROR):
                    break
        finally:
            self._detach_all(conn)
            pinger.cancel()
            conn.queue.put_nowait(None)
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await writer
            await ws.close()
        return ws

    def _inbound_ok(self, conn: Conn) -> bool:
        second = int(time.monotonic())
        start, count = conn.window
        conn.window = (second, count + 1) if start == second else (second, 1)
        return conn.window[1] <= self.inbound_limit

    async def _pinger(self, conn: Conn) -> None:
        while not conn.ws.closed:
            await asyncio.sleep(self.ping_interval)
            if time.monotonic() - conn.last_pong > self.pong_timeout:
                conn.queue.put_nowait(None)
                return
            with contextlib.suppress(ConnectionError, RuntimeError):
                await conn.ws.ping(str(self.core.now_ms()).encode())

    # ----------------------------------------------------------------- subscriptions
    def _attach(self, conn: Conn, name: str) -> bool:
        if self.host.listen_keys.get(name, self.core.now_ms()) is not None:
            conn.listen_keys.add(name)
            return True
        key = self.keys.get(name) or parse(name, self.specs, self.futures)
        if key is None or len(conn.streams) >= MAX_STREAMS:
            return False
        self.keys[name] = key
        conn.streams.add(name)
        self.subs.setdefault(name, set()).add(conn)
        if key.kind == "depth":
            self.diffs.setdefault(
                (key.symbol, key.period_ms),
                DiffAccumulator(self.core.engines[self.market].books[key.symbol].update_id),
            )
        if key.period_ms:
            self.due.setdefault(name, time.monotonic() + key.period_ms / 1000)
        return True

    def _detach(self, conn: Conn, name: str) -> None:
        conn.streams.discard(name)
        conn.listen_keys.discard(name)
        subs = self.subs.get(name)
        if subs is not None:
            subs.discard(conn)
            if not subs:
                del self.subs[name]
                self.due.pop(name, None)

    def _detach_all(self, conn: Conn) -> None:
        for name in list(conn.streams):
            self._detach(conn, name)
        conn.listen_keys.clear()
        self.conns.discard(conn)

    def _reply(self, conn: Conn, body: dict[str, Any]) -> None:
        conn.queue.put_nowait(json.dumps(body, separators=(",", ":")))

    def _control(self, conn: Conn, text: str) -> None:
        try:
            req = json.loads(text)
        except ValueError:
            self._reply(conn, {"code": 3, "msg": "Invalid JSON: expected value at line 1 column 1"})
            return
        if not isinstance(req, dict) or "method" not in req:
            self._reply(
                conn,
                {
                    "code": 2,
                    "msg": f"Invalid request: missing field `method` at line 1 column {len(text)}",
                },
            )
            return
        rid = req.get("id")
        if (
            rid is not None
            and not (isinstance(rid, int) and not isinstance(rid, bool))
            and not (isinstance(rid, str) and len(rid) <= 36)
        ):
            self._reply(
                conn, {"code": 2, "msg": "Invalid request: request ID must be an unsigned integer"}
            )
            return
        method, params = req["method"], req.get("params", [])
        if method not in METHODS:
            self._reply(
                conn,
                {
                    "code": 2,
                    "msg": f"Invalid request: unknown variant {method}, "
                    "expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, "
                    "`LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, "
                    "`GET_PROPERTY`",
                    "id": rid,
                },
            )
            return
        result: Any = None
        if method in ("SUBSCRIBE", "UNSUBSCRIBE"):
            if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
                self._reply(conn, {"code": 2, "msg": "Invalid request: invalid params", "id": rid})
                return
            for name in params:
                if method == "UNSUBSCRIBE":
                    self._detach(conn, name)
                elif not self._attach(conn, name):
                    self._reply(
                        conn,
                        {"code": 2, "msg": f"Invalid request: unknown stream {name}", "id": rid},
                    )
                    return
        elif method == "LIST_SUBSCRIPTIONS":
            result = sorted(conn.streams | conn.listen_keys)
        elif method == "SET_PROPERTY":
            if not (isinstance(params, list) and len(params) == 2 and params[0] == "combined"):
                self._reply(conn, {"code": 0, "msg": "Unknown property", "id": rid})
                return
            if not isinstance(params[1], bool):
                self._reply(conn, {"code": 1, "msg": "Invalid value type: expected Boolean"})
                return
            conn.combined = params[1]
        else:
            if params != ["combined"]:
                self._reply(conn, {"code": 0, "msg": "Unknown property", "id": rid})
                return
            result = conn.combined
        self._reply(conn, {"result": result, "id": rid})

    # ----------------------------------------------------------------- fan-out
    def _send(self, name: str, payload: dict[str, Any]) -> None:
        conns = self.subs.get(name)
        if not conns:
            return
        raw = msgspec.json.encode(payload).decode()
        for conn in conns:
            conn.push(name, raw)

    def _send_user(self, account: str, build: Callable[[], dict[str, Any]]) -> None:
        """Push `build()` to the account's user-data connections (built only if listened to)."""
        targets = [
            (conn, key)
            for conn in self.conns
            for key in conn.listen_keys
            if (lk := self.host.listen_keys.keys.get(key)) is not None and lk.account == account
        ]
        if not targets:
            return
        raw = msgspec.json.encode(build()).decode()
        for conn, key in targets:
            conn.push(key, raw)

    def on_event(self, ev: Event) -> None:
        now = self.core.now_ms()
        if isinstance(ev, BookDelta):
            if ev.market == self.market:
                self._on_book(ev, now)
        elif isinstance(ev, Trade):
            if ev.market == self.market:
                spec = self.specs[ev.symbol]
                base = ev.symbol.lower()
                self._send(f"{base}@trade", trade_payload(ev, spec, self.futures, now))
                self._send(f"{base}@aggTrade", agg_trade_payload(ev, spec, self.futures, now))
        elif isinstance(ev, OrderEvent):
            if ev.order.market == self.market:
                order_ev = ev
                self._send_user(
                    ev.order.account,
                    lambda: (
                        ud.order_trade_update(self.core, order_ev, now)
                        if self.futures
                        else ud.execution_report(order_ev, now)
                    ),
                )
        elif isinstance(ev, AccountEvent):
            self._on_account(ev, now)
        elif isinstance(ev, BalanceEvent) and ev.wallet == self.market:
            self._on_balance(ev, now)

    def _on_balance(self, ev: BalanceEvent, now: int) -> None:
        if self.futures:
            reason = ud.futures_reason(ev)
            self._send_user(
                ev.account,
                lambda: ud.account_update(
                    self.core,
                    ev.account,
                    reason,
                    (ev.asset,),
                    (),
                    {ev.asset: ev.delta},
                    ev.time_ms,
                    now,
                ),
            )
            return
        position = AccountEvent(ev.account, "spot", (ev.asset,), (), ev.reason, ev.time_ms)
        self._send_user(ev.account, lambda: ud.balance_update(ev, now))
        self._send_user(ev.account, lambda: ud.account_position(self.core, position, now))

    def _on_account(self, ev: AccountEvent, now: int) -> None:
        if ev.wallet != self.market:
            return
        if not self.futures:
            self._send_user(ev.account, lambda: ud.account_position(self.core, ev, now))
        elif ev.symbols:  # futures: only balance/position changes from fills are pushed
            self._send_user(
                ev.account,
                lambda: ud.account_update(
                    self.core, ev.account, "ORDER", ev.assets, ev.symbols, {}, ev.time_ms, now
                ),
            )

    def _on_book(self, ev: BookDelta, now: int) -> None:
        for (sym, _), acc in self.diffs.items():
            if sym == ev.symbol:
                acc.add(ev.update_id, ev.bids, ev.asks)
        name = f"{ev.symbol.lower()}@bookTicker"
        if name not in self.subs:
            return
        book = self.core.engines[self.market].books[ev.symbol]
        bid, ask = book.bids.depth(1), book.asks.depth(1)
        top = (tuple(bid), tuple(ask))
        if self.top.get(ev.symbol) == top:
            return
        self.top[ev.symbol] = top
        spec = self.specs[ev.symbol]
        ((b, bq),) = levels(bid, spec, self.futures) or [["0", "0"]]
        ((a, aq),) = levels(ask, spec, self.futures) or [["0", "0"]]
        payload: dict[str, Any] = {
            "u": ev.update_id,
            "s": ev.symbol,
            "b": b,
            "B": bq,
            "a": a,
            "A": aq,
        }
        if self.futures:
            payload = {
                "e": "bookTicker",
                "u": ev.update_id,
                "E": now,
                "T": ev.time_ms,
                "s": ev.symbol,
                "b": b,
                "B": bq,
                "a": a,
                "A": aq,
            }
        self._send(name, payload)

    # ----------------------------------------------------------------- timers
    def _tick(self) -> None:
        mono = time.monotonic()
        flushed: dict[tuple[str, int], tuple[Any, ...] | None] = {}
        for name, due in list(self.due.items()):
            if mono < due:
                continue
            key = self.keys[name]
            self.due[name] = max(due + key.period_ms / 1000, mono)
            self._fire(key, flushed)
        for (sym, period), acc in self.diffs.items():
            if (sym, period) not in flushed and not any(
                k.kind == "depth" and k.symbol == sym and k.period_ms == period
                for k in (self.keys[n] for n in self.subs)
            ):
                acc.take()

    def _fire(self, key: StreamKey, flushed: dict[tuple[str, int], tuple[Any, ...] | None]) -> None:
        now = self.core.now_ms()
        spec = self.specs[key.symbol]
        if key.kind == "depth":
            slot = (key.symbol, key.period_ms)
            if slot not in flushed:
                flushed[slot] = self.diffs[slot].take()
                if flushed[slot] is not None and self.core.faults.take("sequence_gaps"):
                    flushed[slot] = None
            batch = flushed[slot]
            if batch is None:
                return
            first, last, prev, bids, asks = batch
            payload: dict[str, Any] = {"e": "depthUpdate", "E": now}
            if self.futures:
                payload["T"] = now
            payload.update({"s": key.symbol, "U": first, "u": last})
            if self.futures:
                payload["pu"] = prev
            payload["b"] = levels(sorted(bids.items(), reverse=True), spec, self.futures)
            payload["a"] = levels(sorted(asks.items()), spec, self.futures)
            self._send(key.name, payload)
        elif key.kind == "partial":
            self._send(key.name, self._partial(key, now))
        elif key.kind == "kline":
            self._kline(key, now)
        elif key.kind == "markPrice":
            core = self.core
            self._send(
                key.name,
                {
                    "e": "markPriceUpdate",
                    "E": now,
                    "s": key.symbol,
                    "p": f"{core.mark_price(key.symbol):.8f}",
                    "i": f"{core.index_price(key.symbol):.8f}",
                    "P": f"{core.index_price(key.symbol):.8f}",
                    "r": f"{core.funding_rate(key.symbol):.8f}",
                    "T": core.next_funding_ms,
                },
            )

    def _partial(self, key: StreamKey, now: int) -> dict[str, Any]:
        book = self.core.engines[self.market].books[key.symbol]
        spec = self.specs[key.symbol]
        bids = levels(book.bids.depth(key.levels), spec, self.futures)
        asks = levels(book.asks.depth(key.levels), spec, self.futures)
        if not self.futures:
            return {"lastUpdateId": book.update_id, "bids": bids, "asks": asks}
        prev = self.partial_prev.get(key.name, book.update_id)
        self.partial_prev[key.name] = book.update_id
        return {
            "e": "depthUpdate",
            "E": now,
            "T": now,
            "s": key.symbol,
            "U": min(prev + 1, book.update_id),
            "u": book.update_id,
            "pu": prev,
            "b": bids,
            "a": asks,
        }

    def _kline(self, key: StreamKey, now: int) -> None:
        store = self.core.candles[self.market]
        spec = self.specs[key.symbol]
        bars = store.candles(key.symbol, key.interval, None, None, 2, now)
        if not bars:
            return
        current = bars[-1]
        last_open = self.kline_open.get(key.name)
        if last_open is not None and last_open != current.open_ms:
            prev = [b for b in bars if b.open_ms == last_open]
            if prev:
                self._send(key.name, kline_payload(prev[0], key, spec, self.futures, now, True))
        self.kline_open[key.name] = current.open_ms
        self._send(key.name, kline_payload(current, key, spec, self.futures, now, False))

    # ----------------------------------------------------------------- user data
    def close_listen_key(self, key: str) -> None:
        for conn in list(self.conns):
            if key in conn.listen_keys:
                conn.listen_keys.discard(key)
                if not conn.streams and not conn.listen_keys:
                    conn.queue.put_nowait(None)

    def expire_keys(self, now: int) -> None:
        for lk in self.host.listen_keys.expire(now):
            payload = msgspec.json.encode(ud.listen_key_expired(lk.key, now)).decode()
            for conn in list(self.conns):
                if lk.key in conn.listen_keys:
                    conn.push(lk.key, payload)
                    conn.listen_keys.discard(lk.key)

    def on_config(self, account: str, symbol: str, leverage: int) -> None:
        now = self.core.now_ms()
        self._send_user(account, lambda: ud.config_update(symbol, leverage, now))
