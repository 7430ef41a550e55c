"""OKX WebSocket services `/ws/v5/{public,private,business}`: login, subscribe, channels."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec
from aiohttp import web

from lotusx.sim.core import VenueCore
from lotusx.sim.dialects.okx import books as bk
from lotusx.sim.dialects.okx import ws_trade
from lotusx.sim.dialects.okx.auth import Credential, ws_login
from lotusx.sim.dialects.okx.markets import Inst
from lotusx.sim.dialects.okx.render import (
    balance_detail,
    fmt,
    order_push,
    position_json,
    wallet_ccys,
)
from lotusx.sim.dialects.okx.rest_public import BARS, candle_row, funding_json
from lotusx.sim.model import AccountEvent, BalanceEvent, BookDelta, Event, OrderEvent, Side, Trade
from lotusx.sim.wshub import ConnectionHub

PUBLIC = frozenset({"books", "books5", "bbo-tbt", "trades", "mark-price", "funding-rate"})
PRIVATE = frozenset({"orders", "positions", "balance_and_position", "account"})
CANDLES = {f"candle{bar}": iv for bar, iv in BARS.items()}
SERVICES = ("public", "private", "business")
BOOK_LEVELS = 400
Arg = dict[str, str]


def _key(arg: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(f"{k}={arg[k]}" for k in sorted(arg))


@dataclass(eq=False)
class Conn:
    ws: web.WebSocketResponse
    service: str
    conn_id: str = field(default_factory=lambda: secrets.token_hex(4))
    queue: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)
    cred: Credential | None = None
    subs: dict[tuple[str, ...], Arg] = field(default_factory=dict)
    seq: dict[str, int] = field(default_factory=dict)
    active: float = field(default_factory=time.monotonic)

    def send(self, body: Mapping[str, Any] | str) -> None:
        self.queue.put_nowait(body if isinstance(body, str) else _encode(body))

    def args(self, channel: str) -> list[Arg]:
        return [a for a in self.subs.values() if a["channel"] == channel]


def _encode(body: Mapping[str, Any]) -> str:
    return msgspec.json.encode(body).decode()


class OkxStreams(ConnectionHub[Conn]):
    """All OKX WebSocket connections of one venue, fed synchronously by venue events."""

    def __init__(
        self,
        core: VenueCore,
        app: web.Application,
        insts: dict[str, Inst],
        keys: Mapping[str, Credential],
        idle_timeout: float = 30.0,
        book_interval: float = 0.1,
    ) -> None:
        super().__init__(core)
        self.insts = insts
        self.keys = keys
        self.idle_timeout = idle_timeout
        self.book_interval = book_interval
        self.pending: dict[str, bk.Pending] = {}
        self.top5: dict[str, Any] = {}
        self.bbo: dict[str, Any] = {}
        self.marks: dict[str, tuple[str, float]] = {}
        self.bars: dict[tuple[str, str], int] = {}
        self.trading: ws_trade.WsTrade | None = None
        self._pending: set[asyncio.Task[None]] = set()
        for service in SERVICES:
            app.router.add_get(f"/ws/v5/{service}", self._handler(service))

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> None:
        self._start(
            [
                (self.book_interval, self._flush_books),
                (0.2, self._push_marks),
                (0.5, self._push_candles),
                (30.0, self._push_funding),
                (1.0, self._reap_idle),
            ]
        )

    # ----------------------------------------------------------------- connections
    def _handler(self, service: str) -> Callable[[web.Request], Any]:
        async def handle(request: web.Request) -> web.StreamResponse:
            return await self.serve(request, lambda ws: Conn(ws, service))

        return handle

    def _received(self, conn: Conn) -> None:
        conn.active = time.monotonic()

    def _sent(self, conn: Conn) -> None:
        conn.active = time.monotonic()

    def _reap_idle(self) -> None:
        now = time.monotonic()
        for conn in list(self.conns):
            if now - conn.active > self.idle_timeout:
                conn.queue.put_nowait(None)

    # ----------------------------------------------------------------- requests
    def _error(self, conn: Conn, code: str, msg: str, rid: Any = None) -> None:
        body: dict[str, Any] = {"event": "error", "code": code, "msg": msg, "connId": conn.conn_id}
        if rid is not None:
            body = {"id": rid, **body}
        conn.send(body)

    def _control(self, conn: Conn, text: str) -> None:
        if text == "ping":
            conn.send("pong")
            return
        try:
            req = json.loads(text)
        except ValueError:
            self._error(conn, "60012", f"Invalid request: {text}")
            return
        if not isinstance(req, dict):
            self._error(conn, "60012", f"Invalid request: {text}")
            return
        rid, op, args = req.get("id"), req.get("op"), req.get("args")
        if op in ws_trade.OPS and self.trading is not None and conn.service == "private":
            task = asyncio.get_running_loop().create_task(self.trading.handle(conn, req))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)
            return
        if op not in ("login", "subscribe", "unsubscribe"):
            self._error(conn, "60019", f"Invalid op: op {op}", rid)
            return
        if not isinstance(args, list) or not args or not all(isinstance(a, dict) for a in args):
            self._error(conn, "60012", f"Invalid request: {text}", rid)
            return
        if op == "login":
            self._login(conn, args[0], rid)
            return
        for arg in args:
            if op == "subscribe":
                self._subscribe(conn, {str(k): str(v) for k, v in arg.items()}, rid)
            else:
                clean = {str(k): str(v) for k, v in arg.items()}
                conn.subs.pop(_key(clean), None)
                reply: dict[str, Any] = {"event": "unsubscribe", "arg": clean}
                if rid is not None:
                    reply = {"id": rid, **reply}
                conn.send({**reply, "connId": conn.conn_id})

    def _login(self, conn: Conn, arg: Mapping[str, Any], rid: Any) -> None:
        cred, code, msg = ws_login(arg, self.keys, self.core.now_ms())
        if cred is None:
            self._error(conn, code, msg, rid)
            return
        conn.cred = cred
        body: dict[str, Any] = {"event": "login", "code": "0", "msg": "", "connId": conn.conn_id}
        if rid is not None:
            body = {"id": rid, **body}
        conn.send(body)

    def _subscribe(self, conn: Conn, arg: Arg, rid: Any) -> None:
        channel = arg.get("channel", "")
        inst_id = arg.get("instId", "")
        service = (
            "private" if channel in PRIVATE else "business" if channel in CANDLES else "public"
        )
        wrong = f"Wrong URL or channel:{channel},instId:{inst_id} doesn't exist."
        if channel in PRIVATE and conn.service == "public":
            self._error(conn, "60018", wrong, rid)
            return
        if channel not in PRIVATE and channel not in PUBLIC and channel not in CANDLES:
            self._error(conn, "60018", wrong, rid)
            return
        if service != conn.service:
            self._error(conn, "60018", wrong, rid)
            return
        if channel in PRIVATE:
            if conn.cred is None:
                self._error(conn, "60011", "Please log in", rid)
                return
            if channel in ("orders", "positions") and arg.get("instType") not in (
                "SPOT",
                "SWAP",
                "ANY",
                "MARGIN",
                "FUTURES",
                "OPTION",
            ):
                self._error(conn, "60012", f"Invalid request: {_encode(arg)}", rid)
                return
        else:
            inst = self.insts.get(inst_id)
            if inst is None or (channel in ("mark-price", "funding-rate") and not inst.swap):
                self._error(conn, "60018", wrong, rid)
                return
        conn.subs[_key(arg)] = arg
        reply: dict[str, Any] = {"event": "subscribe", "arg": arg, "connId": conn.conn_id}
        if rid is not None:
            reply = {"id": rid, **reply}
        conn.send(reply)
        self._initial(conn, arg)

    def _initial(self, conn: Conn, arg: Arg) -> None:
        channel = arg["channel"]
        inst = self.insts.get(arg.get("instId", ""))
        if channel == "books" and inst is not None:
            self._book_snapshot(conn, inst)
        elif channel == "books5" and inst is not None:
            conn.send(self._books5(inst, arg))
        elif channel == "bbo-tbt" and inst is not None:
            conn.send(self._bbo(inst, arg))
        elif channel == "mark-price" and inst is not None:
            conn.send(self._mark(inst, arg))
        elif channel == "funding-rate" and inst is not None:
            conn.send(self._funding(inst, arg))
        elif channel == "positions":
            self._push_positions(conn, arg, None)
        elif channel == "balance_and_position":
            self._push_balance(conn, arg, "snapshot", None)
        elif channel == "account":
            self._push_account(conn, arg, None)

    # ----------------------------------------------------------------- books
    def _book(self, inst: Inst) -> Any:
        return self.core.engines[inst.spec.market].books[inst.inst_id]

    def _corrupt(self, value: int) -> int:
        if self.core.faults.take("bad_checksums"):
            return value + 1 if value < (1 << 31) - 1 else value - 1
        return value

    def _book_snapshot(self, conn: Conn, inst: Inst) -> None:
        book = self._book(inst)
        bids = bk.top(inst, book, Side.BUY, BOOK_LEVELS)
        asks = bk.top(inst, book, Side.SELL, BOOK_LEVELS)
        conn.seq[inst.inst_id] = book.update_id
        conn.send(
            {
                "arg": {"channel": "books", "instId": inst.inst_id},
                "action": "snapshot",
                "data": [
                    {
                        "asks": asks,
                        "bids": bids,
                        "ts": str(self.core.now_ms()),
                        "checksum": self._corrupt(bk.checksum(bids, asks)),
                        "prevSeqId": -1,
                        "seqId": book.update_id,
                    }
                ],
            }
        )

    def _flush_books(self) -> None:
        pending, self.pending = self.pending, {}
        for inst_id, changes in pending.items():
            inst = self.insts[inst_id]
            subs = [
                c for c in self.conns if any(a.get("instId") == inst_id for a in c.args("books"))
            ]
            if not subs:
                continue
            book = self._book(inst)
            seq = book.update_id
            lost = self.core.faults.take("sequence_gaps")
            bids, asks = changes.rows(inst, book)
            check = bk.checksum(
                bk.top(inst, book, Side.BUY, bk.CHECKSUM_DEPTH),
                bk.top(inst, book, Side.SELL, bk.CHECKSUM_DEPTH),
            )
            check = self._corrupt(check)
            ts = str(self.core.now_ms())
            for conn in subs:
                prev = conn.seq.get(inst_id, -1)
                if prev >= seq:
                    continue
                conn.seq[inst_id] = seq
                if lost:
                    continue
                conn.send(
                    {
                        "arg": {"channel": "books", "instId": inst_id},
                        "action": "update",
                        "data": [
                            {
                                "asks": asks,
                                "bids": bids,
                                "ts": ts,
                                "checksum": check,
                                "prevSeqId": prev,
                                "seqId": seq,
                            }
                        ],
                    }
                )
        for inst in self.insts.values():
            self._push_books5(inst)

    def _books5(self, inst: Inst, arg: Arg) -> dict[str, Any]:
        book = self._book(inst)
        return {
            "arg": arg,
            "data": [
                {
                    "asks": bk.top(inst, book, Side.SELL, 5),
                    "bids": bk.top(inst, book, Side.BUY, 5),
                    "instId": inst.inst_id,
                    "ts": str(self.core.now_ms()),
                    "seqId": book.update_id,
                }
            ],
        }

    def _push_books5(self, inst: Inst) -> None:
        targets = [
            (c, a) for c in self.conns for a in c.args("books5") if a.get("instId") == inst.inst_id
        ]
        if not targets:
            return
        book = self._book(inst)
        state = (book.bids.depth(5), book.asks.depth(5))
        if self.top5.get(inst.inst_id) == state:
            return
        self.top5[inst.inst_id] = state
        for conn, arg in targets:
            conn.send(self._books5(inst, arg))

    def _bbo(self, inst: Inst, arg: Arg) -> dict[str, Any]:
        book = self._book(inst)
        return {
            "arg": arg,
            "data": [
                {
                    "asks": bk.top(inst, book, Side.SELL, 1),
                    "bids": bk.top(inst, book, Side.BUY, 1),
                    "ts": str(self.core.now_ms()),
                    "seqId": book.update_id,
                }
            ],
        }

    def _on_book(self, ev: BookDelta) -> None:
        self.pending.setdefault(ev.symbol, bk.Pending()).add(ev.bids, ev.asks)
        inst = self.insts[ev.symbol]
        targets = [
            (c, a) for c in self.conns for a in c.args("bbo-tbt") if a.get("instId") == ev.symbol
        ]
        if not targets:
            return
        book = self._book(inst)
        state = (book.bids.depth(1), book.asks.depth(1))
        if self.bbo.get(ev.symbol) == state:
            return
        self.bbo[ev.symbol] = state
        for conn, arg in targets:
            conn.send(self._bbo(inst, arg))

    # ----------------------------------------------------------------- other public
    def _on_trade(self, t: Trade) -> None:
        inst = self.insts[t.symbol]
        for conn in self.conns:
            for arg in conn.args("trades"):
                if arg.get("instId") == t.symbol:
                    conn.send(
                        {
                            "arg": arg,
                            "data": [
                                {
                                    "instId": t.symbol,
                                    "tradeId": str(t.trade_id),
                                    "px": fmt(t.price),
                                    "sz": fmt(inst.to_wire(t.qty)),
                                    "side": "sell" if t.buyer_is_maker else "buy",
                                    "ts": str(t.time_ms),
                                    "count": "1",
                                    "source": "0",
                                    "seqId": t.trade_id,
                                }
                            ],
                        }
                    )

    def _mark(self, inst: Inst, arg: Arg) -> dict[str, Any]:
        return {
            "arg": arg,
            "data": [
                {
                    "instType": "SWAP",
                    "instId": inst.inst_id,
                    "markPx": fmt(self.core.mark_price(inst.inst_id)),
                    "ts": str(self.core.now_ms()),
                }
            ],
        }

    def _push_marks(self) -> None:
        mono = time.monotonic()
        for inst in self.insts.values():
            if not inst.swap:
                continue
            targets = [
                (c, a)
                for c in self.conns
                for a in c.args("mark-price")
                if a.get("instId") == inst.inst_id
            ]
            if not targets:
                continue
            px = fmt(self.core.mark_price(inst.inst_id))
            last = self.marks.get(inst.inst_id)
            if last is not None and last[0] == px and mono - last[1] < 10:
                continue
            self.marks[inst.inst_id] = (px, mono)
            for conn, arg in targets:
                conn.send(self._mark(inst, arg))

    def _funding(self, inst: Inst, arg: Arg) -> dict[str, Any]:
        return {"arg": arg, "data": [funding_json(self.core, inst, self.core.now_ms())]}

    def _push_funding(self) -> None:
        for conn in self.conns:
            for arg in conn.args("funding-rate"):
                inst = self.insts.get(arg.get("instId", ""))
                if inst is not None:
                    conn.send(self._funding(inst, arg))

    def _push_candles(self) -> None:
        now = self.core.now_ms()
        for conn in self.conns:
            for channel, interval in CANDLES.items():
                for arg in conn.args(channel):
                    inst = self.insts.get(arg.get("instId", ""))
                    if inst is None:
                        continue
                    store = self.core.candles[inst.spec.market]
                    bars = store.candles(inst.inst_id, interval, None, None, 2, now)
                    if not bars:
                        continue
                    key = (conn.conn_id, f"{channel}:{inst.inst_id}")
                    last_open = self.bars.get(key)
                    rows = []
                    if last_open is not None and last_open != bars[-1].open_ms:
                        rows += [candle_row(inst, b, now) for b in bars if b.open_ms == last_open]
                    self.bars[key] = bars[-1].open_ms
                    rows.append(candle_row(inst, bars[-1], now))
                    for r in rows:
                        conn.send({"arg": arg, "data": [r]})

    # ----------------------------------------------------------------- private
    def _private(self, account: str, channel: str) -> list[tuple[Conn, Arg]]:
        return [
            (c, a)
            for c in self.conns
            if c.cred is not None and c.cred.account == account
            for a in c.args(channel)
        ]

    def _uid(self, conn: Conn) -> str:
        assert conn.cred is not None
        return str(self.core.ledger.accounts[conn.cred.account].uid)

    def _on_order(self, ev: OrderEvent) -> None:
        o = ev.order
        targets = self._private(o.account, "orders")
        if not targets:
            return
        inst = self.insts[o.symbol]
        body = order_push(self.core, inst, o, ev.exec_type, ev.fill)
        for conn, arg in targets:
            if arg.get("instType") not in ("ANY", inst.inst_type):
                continue
            if arg.get("instId") not in (None, o.symbol):
                continue
            if arg.get("instFamily") not in (None, inst.family):
                continue
            conn.send({"arg": {**arg, "uid": self._uid(conn)}, "data": [body]})

    def _push_positions(self, conn: Conn, arg: Arg, symbols: tuple[str, ...] | None) -> None:
        assert conn.cred is not None
        account = conn.cred.account
        rows = []
        for inst in self.insts.values():
            if not inst.swap or (symbols is not None and inst.inst_id not in symbols):
                continue
            if arg.get("instId") not in (None, inst.inst_id):
                continue
            if arg.get("instType") not in ("ANY", "SWAP"):
                continue
            pos = self.core.ledger.positions.get((account, inst.inst_id))
            if pos is None or (symbols is None and not pos.qty):
                continue
            rows.append(position_json(self.core, inst, pos))
        if rows or symbols is None:
            conn.send({"arg": {**arg, "uid": self._uid(conn)}, "data": rows})

    def _push_balance(
        self, conn: Conn, arg: Arg, event_type: str, assets: tuple[str, ...] | None
    ) -> None:
        assert conn.cred is not None
        account = conn.cred.account
        led = self.core.ledger
        now = str(self.core.now_ms())
        wallet = led.wallet(account, "spot")
        ccys = assets if assets is not None else tuple(a for a, b in wallet.items() if b.total)
        pos_data = []
        for (acct, sym), pos in led.positions.items():
            if acct != account or (not pos.qty and assets is None):
                continue
            inst = self.insts[sym]
            pos_data.append(
                {
                    "posId": position_json(self.core, inst, pos)["posId"],
                    "tradeId": "",
                    "instId": sym,
                    "instType": "SWAP",
                    "mgnMode": "isolated" if pos.isolated else "cross",
                    "posSide": "net",
                    "pos": fmt(inst.to_wire(pos.qty)),
                    "ccy": inst.spec.quote,
                    "posCcy": "",
                    "avgPx": fmt(pos.entry_price),
                    "uTime": str(pos.updated_ms),
                }
            )
        conn.send(
            {
                "arg": {**arg, "uid": self._uid(conn)},
                "data": [
                    {
                        "pTime": now,
                        "eventType": event_type,
                        "balData": [
                            {
                                "ccy": c,
                                "cashBal": fmt(led.balance(account, "spot", c).total),
                                "uTime": now,
                            }
                            for c in ccys
                        ],
                        "posData": pos_data,
                        "trades": [],
                    }
                ],
            }
        )

    def _on_account(
        self, account: str, assets: tuple[str, ...], symbols: tuple[str, ...], kind: str
    ) -> None:
        for conn, arg in self._private(account, "positions"):
            if symbols:
                self._push_positions(conn, arg, symbols)
        for conn, arg in self._private(account, "balance_and_position"):
            self._push_balance(conn, arg, kind, assets)
        for conn, arg in self._private(account, "account"):
            self._push_account(conn, arg, assets)

    def _push_account(self, conn: Conn, arg: Arg, assets: tuple[str, ...] | None) -> None:
        """The `account` channel: the trading account's balance, per changed currency (all of
        them on subscribe), in the shape of GET /api/v5/account/balance."""
        assert conn.cred is not None
        account = conn.cred.account
        now = self.core.now_ms()
        ccys = list(assets) if assets is not None else wallet_ccys(self.core, account)
        details = [balance_detail(self.core, account, c, now) for c in ccys]
        conn.send({"arg": arg, "data": [{"uTime": str(now), "details": details}]})

    # ----------------------------------------------------------------- events
    def on_event(self, ev: Event) -> None:
        if isinstance(ev, BookDelta):
            self._on_book(ev)
        elif isinstance(ev, Trade):
            self._on_trade(ev)
        elif isinstance(ev, OrderEvent):
            self._on_order(ev)
        elif isinstance(ev, AccountEvent):
            if ev.wallet in ("spot", "futures"):
                self._on_account(ev.account, ev.assets, ev.symbols, "filled")
        elif isinstance(ev, BalanceEvent) and ev.wallet in ("spot", "futures"):
            kind = "funding_fee" if ev.reason == "FUNDING_FEE" else "transferred"
            self._on_account(ev.account, (ev.asset,), (), kind)
