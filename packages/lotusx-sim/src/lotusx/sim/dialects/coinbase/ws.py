"""Advanced Trade WebSocket: market data (`ws`) and user order data (`ws_user`) endpoints.

Subscribe with `{"type": "subscribe", "product_ids": [...], "channel": ..., "jwt": ...}`, one
channel per message. Every message is `{"channel", "timestamp", "sequence_num", "events"}`;
`sequence_num` counts this connection's messages across all channels, one by one, from 0.

Venue truth for tests (not on the wire): `CoinbaseStreams.book_update_id` tells which engine
book update id a `level2` message described, as a client sees the message (its product,
`sequence_num` and `timestamp`): a client's `sequence_num` is no update id of the venue's book.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import msgspec
from aiohttp import web

from lotusx.sim.core import VenueCore
from lotusx.sim.dialects.coinbase.auth import Credential, verify_jwt
from lotusx.sim.dialects.coinbase.errors import CoinbaseError
from lotusx.sim.dialects.coinbase.render import (
    TIF,
    Ids,
    Json,
    order_fills,
    plain,
    rfc3339,
    status,
)
from lotusx.sim.model import BookDelta, Event, Order, OrderEvent, OrderType, Trade
from lotusx.sim.wshub import ConnectionHub

MARKET_CHANNELS = ("heartbeats", "level2", "market_trades", "ticker", "candles", "user")
USER_CHANNELS = ("heartbeats", "user")
PRODUCT_CHANNELS = ("level2", "market_trades", "ticker", "candles")
PUSH_NAME = {"level2": "l2_data"}
TRADES_SNAPSHOT = 50
USER_SNAPSHOT_BATCH = 50  # "Open orders are returned in the snapshot batched by 50"
CANDLE = "5m"
L2_SENT_KEPT = 50_000  # level2 messages remembered for `book_update_id`


@dataclass(eq=False)
class Conn:
    ws: web.WebSocketResponse
    endpoint: str  # market | user
    queue: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)
    seq: int = 0
    subs: dict[str, set[str]] = field(default_factory=dict)
    cred: Credential | None = None
    heartbeat: int = 0
    ip: str = ""

    def send(self, channel: str, events: list[Json], now: int) -> None:
        body = {
            "channel": channel,
            "timestamp": rfc3339(now),
            "sequence_num": self.seq,
            "events": events,
        }
        self.seq += 1
        self.queue.put_nowait(msgspec.json.encode(body).decode())

    def error(self, message: str) -> None:
        self.queue.put_nowait(json.dumps({"type": "error", "message": message}))

    def wants(self, channel: str, product: str) -> bool:
        return product in self.subs.get(channel, ())


class CoinbaseStreams(ConnectionHub[Conn]):
    def __init__(
        self, core: VenueCore, app: web.Application, ids: Ids, keys: Mapping[str, Credential]
    ) -> None:
        super().__init__(core)
        self.ids = ids
        self.keys = keys
        # ip → (second, unauthenticated messages in it): "WebSocket unauthenticated messages
        # are rate-limited at 8 per second per IP address" (WebSocket Rate Limits)
        self._unauthenticated: dict[str, tuple[int, int]] = {}
        # (product, sequence_num, timestamp ms) of each level2 message → engine update ids
        self._l2_sent: OrderedDict[tuple[str, int, int], set[int]] = OrderedDict()
        app.router.add_get("/ws", self._handler("market"))
        app.router.add_get("/ws-user", self._handler("user"))

    def start(self) -> None:
        self._start([(1.0, self._heartbeats), (1.0, self._candles)])

    def _handler(self, endpoint: str) -> Callable[[web.Request], Any]:
        async def handle(request: web.Request) -> web.StreamResponse:
            ip = request.remote or ""
            return await self.serve(request, lambda ws: Conn(ws, endpoint, ip=ip))

        return handle

    # ----------------------------------------------------------------- subscriptions
    def _control(self, conn: Conn, text: str) -> None:
        try:
            req = json.loads(text)
        except ValueError:
            conn.error("malformed message")
            return
        if not (isinstance(req, dict) and isinstance(req.get("jwt"), str)) and self._over_limit(
            conn
        ):
            conn.error("rate limit exceeded")
            return
        if not isinstance(req, dict) or req.get("type") not in ("subscribe", "unsubscribe"):
            conn.error("type must be subscribe or unsubscribe")
            return
        channel, products = req.get("channel"), req.get("product_ids", [])
        allowed = MARKET_CHANNELS if conn.endpoint == "market" else USER_CHANNELS
        if not isinstance(channel, str) or channel not in allowed:
            conn.error(f"channel {channel} is not supported on this endpoint")
            return
        if not isinstance(products, list) or not all(isinstance(p, str) for p in products):
            conn.error("product_ids must be a list of product ids")
            return
        if channel != "user":
            # "Subscribing to -USDC based products are only available on the user channel.
            # Other channels will return the same data as the corresponding -USD based
            # products" (USDT-USDC and EURC-USDC excepted): served as the -USD product.
            products = [_usd_alias(p, self.core.specs["spot"]) for p in products]
        unknown = [p for p in products if p not in self.core.specs["spot"]]
        if unknown:
            conn.error(f"Failed to subscribe: unknown product ids {','.join(unknown)}")
            return
        if channel in PRODUCT_CHANNELS and not products:
            conn.error(f"product_ids are required for channel {channel}")
            return
        if not self._authorize(conn, channel, req.get("jwt")):
            return
        now = self.core.now_ms()
        if req["type"] == "unsubscribe":
            left = conn.subs.get(channel, set()) - set(products or conn.subs.get(channel, set()))
            if left:
                conn.subs[channel] = left
            else:
                conn.subs.pop(channel, None)
        else:
            fresh = set(products) - conn.subs.get(channel, set())
            conn.subs.setdefault(channel, set()).update(products)
            self._snapshot(conn, channel, sorted(fresh) if products else [], now)
        subs = {ch: sorted(ps) for ch, ps in conn.subs.items()}
        conn.send("subscriptions", [{"subscriptions": subs}], now)

    def _over_limit(self, conn: Conn) -> bool:
        """Counts an unauthenticated message (one without a JWT) of the connection's IP; True
        past `UNAUTHENTICATED_PER_SECOND` in the current second of the venue clock."""
        second = self.core.now_ms() // 1000
        start, count = self._unauthenticated.get(conn.ip, (second, 0))
        if start != second:
            start, count = second, 0
        self._unauthenticated[conn.ip] = (start, count + 1)
        return count + 1 > UNAUTHENTICATED_PER_SECOND

    def _authorize(self, conn: Conn, channel: str, token: Any) -> bool:
        if token is None and channel != "user":
            return True
        try:
            if not isinstance(token, str):
                raise CoinbaseError("UNAUTHENTICATED", "Unauthorized")
            cred = verify_jwt(token, self.keys, self.core.now_ms() / 1000, None)
        except CoinbaseError:
            conn.error("authentication failure")
            return False
        if channel == "user":
            conn.cred = cred
        return True

    def _snapshot(self, conn: Conn, channel: str, products: list[str], now: int) -> None:
        if channel == "level2":
            for p in products:
                book = self.core.engines["spot"].books[p]
                rows = [("bid", px, q) for px, q in book.bids.depth(10**6)]
                rows += [("offer", px, q) for px, q in book.asks.depth(10**6)]
                self._send_l2(conn, "snapshot", p, rows, now, book.update_id)
        elif channel == "market_trades":
            for p in products:
                trades = list(self.core.engines["spot"].trades[p])[-TRADES_SNAPSHOT:]
                events = [{"type": "snapshot", "trades": [_trade(t) for t in reversed(trades)]}]
                conn.send("market_trades", events, now)
        elif channel == "ticker":
            tickers = [self._ticker(p, now) for p in products]
            conn.send("ticker", [{"type": "snapshot", "tickers": tickers}], now)
        elif channel == "candles":
            bars = [c for p in products for c in self._candle_rows(p, now)]
            conn.send("candles", [{"type": "snapshot", "candles": bars}], now)
        elif channel == "user":
            orders = [
                self._user_order(o)
                for o in self.core.engines["spot"].open_orders(self._account(conn))
                if not products or o.symbol in products
            ]
            positions: Json = {"perpetual_futures_positions": [], "expiring_futures_positions": []}
            for i in range(0, max(len(orders), 1), USER_SNAPSHOT_BATCH):
                batch = orders[i : i + USER_SNAPSHOT_BATCH]
                event = {"type": "snapshot", "orders": batch, "positions": positions}
                conn.send("user", [event], now)

    def _send_l2(
        self, conn: Conn, kind: str, product: str, rows: list[Any], now: int, update_id: int
    ) -> None:
        key = (product, conn.seq, now)
        self._l2_sent.setdefault(key, set()).add(update_id)
        self._l2_sent.move_to_end(key)
        while len(self._l2_sent) > L2_SENT_KEPT:
            self._l2_sent.popitem(last=False)
        conn.send("l2_data", [_l2_event(kind, product, rows, now)], now)

    def book_update_id(self, product: str, sequence_num: int, timestamp_ms: int) -> int | None:
        """The engine update id of ``product``'s book that the ``level2`` message with this
        ``sequence_num`` and ``timestamp`` (in ms) described; None when no such message was
        sent or when messages of several connections share the three and describe different
        books. Test truth only: nothing of it is on the wire."""
        found = self._l2_sent.get((product, sequence_num, timestamp_ms))
        return next(iter(found)) if found is not None and len(found) == 1 else None

    @staticmethod
    def _account(conn: Conn) -> str:
        assert conn.cred is not None
        return conn.cred.account

    # ----------------------------------------------------------------- timed pushes
    def _heartbeats(self) -> None:
        now = self.core.now_ms()
        moment = dt.datetime.fromtimestamp(now / 1000, dt.UTC)
        current = moment.strftime("%Y-%m-%d %H:%M:%S.%f +0000 UTC")
        for conn in list(self.conns):
            if "heartbeats" in conn.subs:
                conn.heartbeat += 1
                event = {"current_time": current, "heartbeat_counter": conn.heartbeat}
                conn.send("heartbeats", [event], now)

    def _candle_rows(self, product: str, now: int) -> list[Json]:
        bars = self.core.candles["spot"].candles(product, CANDLE, None, None, 1, now)
        return [
            {
                "start": str(b.open_ms // 1000),
                "high": plain(b.high),
                "low": plain(b.low),
                "open": plain(b.open),
                "close": plain(b.close),
                "volume": plain(b.volume),
                "product_id": product,
            }
            for b in bars
        ]

    def _candles(self) -> None:
        now = self.core.now_ms()
        for conn in list(self.conns):
            for p in sorted(conn.subs.get("candles", ())):
                rows = self._candle_rows(p, now)
                if rows:
                    conn.send("candles", [{"type": "update", "candles": rows}], now)

    def _ticker(self, product: str, now: int) -> Json:
        engine = self.core.engines["spot"]
        book = engine.books[product]
        last = engine.last_price[product]
        day = self.core.candles["spot"].rolling(product, now)
        bid, ask = book.bids.iter_best_first(), book.asks.iter_best_first()
        b, a = next(bid, None), next(ask, None)
        change = Decimal(0)
        if day is not None and day.open:
            change = ((last - day.open) / day.open * 100).quantize(Decimal("0.00000001"))
        return {
            "type": "ticker",
            "product_id": product,
            "price": plain(last),
            "volume_24_h": plain(day.volume if day else Decimal(0)),
            "low_24_h": plain(day.low if day else last),
            "high_24_h": plain(day.high if day else last),
            "low_52_w": plain(day.low if day else last),
            "high_52_w": plain(day.high if day else last),
            "price_percent_chg_24_h": plain(change),
            "best_bid": plain(b.price) if b else "",
            "best_bid_quantity": plain(b.qty) if b else "",
            "best_ask": plain(a.price) if a else "",
            "best_ask_quantity": plain(a.qty) if a else "",
        }

    # ----------------------------------------------------------------- venue events
    def on_event(self, ev: Event) -> None:
        if isinstance(ev, BookDelta) and ev.market == "spot":
            self._on_book(ev)
        elif isinstance(ev, Trade) and ev.market == "spot":
            self._on_trade(ev)
        elif isinstance(ev, OrderEvent) and ev.order.market == "spot":
            self._on_order(ev.order)

    def _on_book(self, ev: BookDelta) -> None:
        rows = [("bid", p, q) for p, q in sorted(ev.bids.items(), reverse=True)]
        rows += [("offer", p, q) for p, q in sorted(ev.asks.items())]
        for conn in list(self.conns):
            if conn.wants("level2", ev.symbol):
                if self.core.faults.take("sequence_gaps"):
                    conn.seq += 1  # the message is lost: the next sequence_num skips one
                    continue
                self._send_l2(conn, "update", ev.symbol, rows, ev.time_ms, ev.update_id)

    def _on_trade(self, t: Trade) -> None:
        for conn in list(self.conns):
            if conn.wants("market_trades", t.symbol):
                conn.send("market_trades", [{"type": "update", "trades": [_trade(t)]}], t.time_ms)
            if conn.wants("ticker", t.symbol):
                ticker = self._ticker(t.symbol, t.time_ms)
                conn.send("ticker", [{"type": "update", "tickers": [ticker]}], t.time_ms)

    def _on_order(self, o: Order) -> None:
        for conn in list(self.conns):
            subscribed = conn.subs.get("user")
            if (
                subscribed is not None
                and conn.cred is not None
                and conn.cred.account == o.account
                and (not subscribed or o.symbol in subscribed)
            ):
                body = [{"type": "update", "orders": [self._user_order(o)]}]
                conn.send("user", body, o.updated_ms or self.core.now_ms())

    def _user_order(self, o: Order) -> Json:
        fills = order_fills(self.core, o)
        fees = sum((f.fee if f.fee_asset == "USD" else f.fee * f.price for f in fills), Decimal(0))
        after = o.cum_quote + fees if o.side.value == "BUY" else o.cum_quote - fees
        key = o.tags.get("cfg", "")
        return {
            "order_id": self.ids.order(o.order_id),
            "client_order_id": o.client_id,
            "product_id": o.symbol,
            "product_type": "SPOT",
            "order_side": o.side.value,
            "order_type": "Market" if o.type is OrderType.MARKET else "Limit",
            "status": status(o),
            "time_in_force": TIF.get(key, "GOOD_UNTIL_CANCELLED"),
            "creation_time": rfc3339(o.created_ms),
            "cumulative_quantity": plain(o.executed_qty),
            "leaves_quantity": plain(o.remaining if o.status.is_open else Decimal(0)),
            "avg_price": plain(o.avg_price),
            "total_fees": plain(fees),
            "filled_value": plain(o.cum_quote),
            "number_of_fills": str(len(fills)),
            "total_value_after_fees": plain(after),
            "limit_price": plain(o.price) if o.price is not None else "",
            "stop_price": "",
            "post_only": o.post_only,
            "outstanding_hold_amount": plain(o.reserved if o.status.is_open else Decimal(0)),
            "cancel_reason": "",
            "reject_reason": "",
            "trigger_status": "INVALID_ORDER_TYPE",
            "contract_expiry_type": "UNKNOWN_CONTRACT_EXPIRY_TYPE",
            "risk_managed_by": "UNKNOWN_RISK_MANAGEMENT_TYPE",
            "retail_portfolio_id": self.ids.portfolios.get(o.account, ""),
            "end_time": o.tags.get("end_time", ""),
        }


def _l2_event(kind: str, product: str, rows: list[tuple[str, Decimal, Decimal]], now: int) -> Json:
    stamp = rfc3339(now)
    return {
        "type": kind,
        "product_id": product,
        "updates": [
            {"side": side, "event_time": stamp, "price_level": plain(p), "new_quantity": plain(q)}
            for side, p, q in rows
        ],
    }


USDC_ON_ALL_CHANNELS = frozenset({"USDT-USDC", "EURC-USDC"})
UNAUTHENTICATED_PER_SECOND = 8


def _usd_alias(product: str, known: Mapping[str, Any]) -> str:
    """The ``-USD`` product a public channel serves for a ``-USDC`` one (if it exists)."""
    if product.endswith("-USDC") and product not in USDC_ON_ALL_CHANNELS:
        twin = product[:-1]
        if twin in known:
            return twin
    return product


def _trade(t: Trade) -> Json:
    return {
        "trade_id": str(t.trade_id),
        "product_id": t.symbol,
        "price": plain(t.price),
        "size": plain(t.qty),
        "side": "BUY" if t.buyer_is_maker else "SELL",  # the maker's side ("makers side")
        "time": rfc3339(t.time_ms),
    }
