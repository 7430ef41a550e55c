"""Spot WebSocket v2: `/v2` (public) and `/ws-auth/v2` (public + private with a token).

Requests are `{"method", "params", "req_id"}`; every subscribe/unsubscribe is acknowledged per
symbol. Channels: book (snapshot + updates, CRC32 checksum, client-side truncation), trade,
ticker, ohlc, heartbeat, and with a GetWebSocketsToken token: executions, balances.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from aiohttp import WSMsgType, web

from lotusx.sim.core import MAIN, VenueCore
from lotusx.sim.dialects.kraken import books as bk
from lotusx.sim.dialects.kraken import ws_spot_private as priv
from lotusx.sim.dialects.kraken import ws_spot_trading as trading
from lotusx.sim.dialects.kraken.ids import Ids
from lotusx.sim.dialects.kraken.limits import KrakenLimits
from lotusx.sim.dialects.kraken.markets import SPOT, Pair, PairIndex
from lotusx.sim.dialects.kraken.rest_spot_account import Tokens
from lotusx.sim.dialects.kraken.truth import BookIds
from lotusx.sim.dialects.kraken.wsbase import WsConn, iso_us
from lotusx.sim.model import BookDelta, Event, Side, Trade
from lotusx.sim.wshub import ConnectionHub

PUBLIC = frozenset({"book", "trade", "ticker", "ohlc"})
PRIVATE = frozenset({"executions", "balances"})
OHLC = {1: "1m", 5: "5m", 15: "15m", 30: "30m", 60: "1h", 240: "4h", 1440: "1d", 10080: "1w"}
VERSION = "2.0.10"


@dataclass(eq=False)
class Conn(WsConn):
    private_ok: bool = False
    conn_id: int = 0
    subs: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    shown: dict[str, bk.Shown] = field(default_factory=dict)
    account: str | None = None
    seq: dict[str, int] = field(default_factory=dict)
    balances: dict[str, Decimal] = field(default_factory=dict)

    def next_seq(self, channel: str) -> int:
        self.seq[channel] = self.seq.get(channel, 0) + 1
        return self.seq[channel]


class SpotStreams(ConnectionHub[Conn]):
    def __init__(
        self,
        core: VenueCore,
        app: web.Application,
        tokens: Tokens,
        ids: Ids,
        limits: KrakenLimits,
        truth: BookIds,
    ) -> None:
        super().__init__(core)
        self.ids = ids
        self.limits = limits
        self.truth = truth
        self._pending: set[asyncio.Task[None]] = set()
        self.tokens = tokens
        self.pairs = PairIndex(core.specs[SPOT])
        self.by_symbol = {p.symbol: p for p in self.pairs.pairs}
        self._ids = 0
        app.router.add_get("/v2", self._handler(False))
        app.router.add_get("/ws-auth/v2", self._handler(True))

    def start(self) -> None:
        self._start([(1.0, self._heartbeat)])

    def _handler(self, private_ok: bool) -> Any:
        async def handle(request: web.Request) -> web.StreamResponse:
            return await self._serve(request, private_ok)

        return handle

    async def _serve(self, request: web.Request, private_ok: bool) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._ids += 1
        conn = Conn(ws, private_ok=private_ok, conn_id=self._ids)
        self.conns.add(conn)
        task = asyncio.get_running_loop().create_task(self._writer(conn))
        conn.send(
            {
                "channel": "status",
                "type": "update",
                "data": [
                    {
                        "version": VERSION,
                        "system": "maintenance" if self.core.faults.maintenance else "online",
                        "api_version": "v2",
                        "connection_id": 10**17 + conn.conn_id,
                    }
                ],
            }
        )
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    self._request(conn, msg.data)
                elif msg.type in (WSMsgType.CLOSE, WSMsgType.ERROR):
                    break
        finally:
            self.conns.discard(conn)
            conn.queue.put_nowait(None)
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            await ws.close()
        return ws

    # ----------------------------------------------------------------- requests
    def reply(self, conn: Conn, req: dict[str, Any], t_in: int, **body: Any) -> None:
        out: dict[str, Any] = {"method": req.get("method"), **body}
        out["time_in"], out["time_out"] = iso_us(t_in), iso_us(self.core.now_ms())
        if "req_id" in req:
            out["req_id"] = req["req_id"]
        conn.send(out)

    def _request(self, conn: Conn, text: str) -> None:
        t_in = self.core.now_ms()
        try:
            req = json.loads(text)
        except ValueError:
            conn.send({"error": "Malformed request", "success": False, "time_in": iso_us(t_in)})
            return
        if not isinstance(req, dict):
            conn.send({"error": "Malformed request", "success": False, "time_in": iso_us(t_in)})
            return
        method = req.get("method")
        if method == "ping":
            self.reply(conn, req, t_in, method="pong")
            return
        if method in trading.METHODS:
            task = asyncio.get_running_loop().create_task(trading.handle(self, conn, req, t_in))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)
            return
        params = req.get("params")
        if method not in ("subscribe", "unsubscribe") or not isinstance(params, dict):
            self.reply(conn, req, t_in, error="Method not found", success=False)
            return
        channel = params.get("channel")
        if channel in PRIVATE:
            self._private(conn, req, params, t_in)
            return
        if channel not in PUBLIC:
            self.reply(conn, req, t_in, error="Channel not found", success=False)
            return
        symbols = params.get("symbol")
        if not isinstance(symbols, list) or not symbols:
            self.reply(conn, req, t_in, error="Missing field: symbol", success=False)
            return
        for name in symbols:
            self._public(conn, req, params, str(name), t_in)

    def _public(
        self, conn: Conn, req: dict[str, Any], params: dict[str, Any], name: str, t_in: int
    ) -> None:
        channel = str(params["channel"])
        pair = self.by_symbol.get(name)
        if pair is None:
            self.reply(
                conn, req, t_in, error="Currency pair not supported", success=False, symbol=name
            )
            return
        result: dict[str, Any] = {"channel": channel, "symbol": name}
        snapshot = params.get("snapshot", channel != "trade")
        if channel == "book":
            depth = params.get("depth", 10)
            if depth not in bk.DEPTHS:
                self.reply(conn, req, t_in, error="Invalid depth", success=False, symbol=name)
                return
            result |= {"depth": depth, "snapshot": bool(snapshot)}
        elif channel == "ohlc":
            interval = params.get("interval")
            if interval not in OHLC:
                self.reply(conn, req, t_in, error="Invalid interval", success=False, symbol=name)
                return
            result |= {"interval": interval, "snapshot": bool(snapshot)}
        elif channel == "ticker":
            trigger = params.get("event_trigger", "trades")
            if trigger not in ("trades", "bbo"):
                self.reply(
                    conn, req, t_in, error="Invalid event_trigger", success=False, symbol=name
                )
                return
            result |= {"event_trigger": trigger, "snapshot": bool(snapshot)}
        else:
            result["snapshot"] = bool(snapshot)
        key = (channel, name)
        if req["method"] == "unsubscribe":
            if conn.subs.pop(key, None) is None:
                self.reply(
                    conn, req, t_in, error="Subscription Not Found", success=False, symbol=name
                )
                return
            conn.shown.pop(name, None) if channel == "book" else None
            self.reply(conn, req, t_in, result=result, success=True)
            return
        if key in conn.subs:
            self.reply(conn, req, t_in, error="Already subscribed", success=False, symbol=name)
            return
        conn.subs[key] = result
        self.reply(conn, req, t_in, result=result, success=True)
        if channel == "book":
            self._book_snapshot(conn, pair, int(result["depth"]), bool(snapshot))
        elif snapshot and channel == "trade":
            rows = [
                self._trade_row(pair, t)
                for t in list(self.core.engines[SPOT].trades[pair.key])[-50:]
            ]
            conn.send({"channel": "trade", "type": "snapshot", "data": rows})
        elif snapshot and channel == "ticker":
            conn.send({"channel": "ticker", "type": "snapshot", "data": [self._ticker(pair)]})
        elif snapshot and channel == "ohlc":
            self._ohlc(conn, pair, int(result["interval"]), "snapshot")

    def _private(self, conn: Conn, req: dict[str, Any], params: dict[str, Any], t_in: int) -> None:
        channel = str(params["channel"])
        if not conn.private_ok:
            self.reply(conn, req, t_in, error="Private channel on public endpoint", success=False)
            return
        key = self.tokens.check(str(params.get("token", "")), t_in)
        if key is None and conn.account is None:
            self.reply(conn, req, t_in, error="EAPI:Invalid token", success=False)
            return
        conn.account = MAIN
        result = {"channel": channel}
        if req["method"] == "unsubscribe":
            conn.subs.pop((channel, ""), None)
            self.reply(conn, req, t_in, result=result, success=True)
            return
        opts = {k: v for k, v in params.items() if k != "token"}
        conn.subs[(channel, "")] = opts
        self.reply(conn, req, t_in, result=result, success=True)
        if channel == "executions":
            priv.executions_snapshot(self.core, self.ids, conn, opts)
        else:
            priv.balances_snapshot(self.core, conn, opts)

    # ----------------------------------------------------------------- public feeds
    def _book(self, pair: Pair) -> Any:
        return self.core.engines[SPOT].books[pair.key]

    def _corrupt(self, value: int) -> int:
        if self.core.faults.take("bad_checksums"):
            return (value + 1) & 0xFFFFFFFF
        return value

    def _book_snapshot(self, conn: Conn, pair: Pair, depth: int, send: bool) -> None:
        book = self._book(pair)
        bids = bk.top(pair.spec, book, Side.BUY, depth)
        asks = bk.top(pair.spec, book, Side.SELL, depth)
        shown = conn.shown[pair.symbol] = bk.Shown(depth)
        shown.reset(bids, asks)
        if not send:
            return
        data = {
            "symbol": pair.symbol,
            "bids": [{"price": p, "qty": q} for p, q in bids],
            "asks": [{"price": p, "qty": q} for p, q in asks],
            "checksum": self._corrupt(bk.checksum(asks, bids)),
        }
        conn.send({"channel": "book", "type": "snapshot", "data": [data]})

    def _on_book(self, ev: BookDelta) -> None:
        pair = self.pairs.by_key.get(ev.symbol)
        if pair is None:
            return
        subs = [c for c in self.conns if ("book", pair.symbol) in c.subs and pair.symbol in c.shown]
        if not subs:
            return
        self.truth.spot_sent(pair.key, ev.time_ms, ev.update_id)
        book = self._book(pair)
        lost = self.core.faults.take("sequence_gaps")
        stamp = iso_us(ev.time_ms)
        alive_b, alive_a = set(book.bids.levels), set(book.asks.levels)
        for conn in subs:
            shown = conn.shown[pair.symbol]
            bids = bk.top(pair.spec, book, Side.BUY, shown.depth)
            asks = bk.top(pair.spec, book, Side.SELL, shown.depth)
            bid_changes = shown.advance(
                shown.bids, bids, {p.quantize(pair.spec.tick) for p in alive_b}
            )
            ask_changes = shown.advance(
                shown.asks, asks, {p.quantize(pair.spec.tick) for p in alive_a}
            )
            if (not bid_changes and not ask_changes) or lost:
                continue
            data = {
                "symbol": pair.symbol,
                "bids": [{"price": p, "qty": q} for p, q in bid_changes],
                "asks": [{"price": p, "qty": q} for p, q in ask_changes],
                "checksum": self._corrupt(bk.checksum(asks, bids)),
                "timestamp": stamp,
            }
            conn.send({"channel": "book", "type": "update", "data": [data]})

    @staticmethod
    def _trade_row(pair: Pair, t: Trade) -> dict[str, Any]:
        price, qty = bk.wire(pair.spec, t.price, t.qty)
        return {
            "symbol": pair.symbol,
            "side": "sell" if t.buyer_is_maker else "buy",
            "price": price,
            "qty": qty,
            "ord_type": "limit",
            "trade_id": t.trade_id,
            "timestamp": iso_us(t.time_ms),
        }

    def _ticker(self, pair: Pair) -> dict[str, Any]:
        now = self.core.now_ms()
        book = self._book(pair)
        engine = self.core.engines[SPOT]
        bid, ask = book.bids.depth(1), book.asks.depth(1)
        last = engine.last_price[pair.key]
        day = self.core.candles[SPOT].rolling(pair.key, now)
        tick = pair.spec.tick
        open_ = day.open if day else last
        change = last - open_
        return {
            "symbol": pair.symbol,
            "bid": bid[0][0].quantize(tick) if bid else 0,
            "bid_qty": bid[0][1].quantize(bk.QTY) if bid else 0,
            "ask": ask[0][0].quantize(tick) if ask else 0,
            "ask_qty": ask[0][1].quantize(bk.QTY) if ask else 0,
            "last": last.quantize(tick),
            "volume": (day.volume if day else Decimal(0)).quantize(bk.QTY),
            "vwap": (day.quote_volume / day.volume if day and day.volume else last).quantize(tick),
            "low": (day.low if day else last).quantize(tick),
            "high": (day.high if day else last).quantize(tick),
            "change": change.quantize(tick),
            "change_pct": (change / open_ * 100).quantize(Decimal("0.01")) if open_ else 0,
        }

    def _ohlc(self, conn: Conn, pair: Pair, interval: int, kind: str) -> None:
        now = self.core.now_ms()
        bars = self.core.candles[SPOT].candles(
            pair.key, OHLC[interval], None, None, 1 if kind == "update" else 20, now
        )
        if not bars and kind == "update":
            return
        tick = pair.spec.tick
        rows = [
            {
                "symbol": pair.symbol,
                "open": b.open.quantize(tick),
                "high": b.high.quantize(tick),
                "low": b.low.quantize(tick),
                "close": b.close.quantize(tick),
                "trades": b.trades,
                "volume": b.volume.quantize(bk.QTY),
                "vwap": (b.quote_volume / b.volume if b.volume else b.close).quantize(tick),
                "interval_begin": iso_us(b.open_ms),
                "interval": interval,
                "timestamp": iso_us(now),
            }
            for b in bars
        ]
        conn.send({"channel": "ohlc", "type": kind, "timestamp": iso_us(now), "data": rows})

    def _on_trade(self, t: Trade) -> None:
        pair = self.pairs.by_key.get(t.symbol)
        if pair is None:
            return
        row = self._trade_row(pair, t)
        for conn in list(self.conns):
            if ("trade", pair.symbol) in conn.subs:
                conn.send({"channel": "trade", "type": "update", "data": [row]})
            tick = conn.subs.get(("ticker", pair.symbol))
            if tick is not None and tick["event_trigger"] == "trades":
                conn.send({"channel": "ticker", "type": "update", "data": [self._ticker(pair)]})
            ohlc = conn.subs.get(("ohlc", pair.symbol))
            if ohlc is not None:
                self._ohlc(conn, pair, int(ohlc["interval"]), "update")

    def _on_bbo(self, ev: BookDelta) -> None:
        pair = self.pairs.by_key.get(ev.symbol)
        if pair is None:
            return
        book = self._book(pair)
        best = {book.bids.best(), book.asks.best()}
        if not best & (set(ev.bids) | set(ev.asks)):
            return
        for conn in list(self.conns):
            tick = conn.subs.get(("ticker", pair.symbol))
            if tick is not None and tick["event_trigger"] == "bbo":
                conn.send({"channel": "ticker", "type": "update", "data": [self._ticker(pair)]})

    def _heartbeat(self) -> None:
        for conn in list(self.conns):
            if conn.subs:
                conn.send({"channel": "heartbeat"})

    # ----------------------------------------------------------------- events
    def on_event(self, ev: Event) -> None:
        if isinstance(ev, BookDelta) and ev.market == SPOT:
            self._on_book(ev)
            self._on_bbo(ev)
        elif isinstance(ev, Trade) and ev.market == SPOT:
            self._on_trade(ev)
        else:
            priv.on_event(self, ev)
