"""Malformed REST bodies and WS frames: a typed LotusX error or a resync, never a crash of the
session, never a silently wrong value.

REST: a local aiohttp proxy sits between the connector and its simulated venue. It passes every
request through, except the endpoint under test, which it answers with a Hypothesis-generated
mutation of the venue's real body (truncated JSON, wrong types, missing fields, huge or
non-finite numbers, unknown enum values). A call must then either return exactly what a strict
reading of the body gives, or raise a `LotusXError`.
WS: the venue's ``malformed_frames`` switch truncates live frames; books must resync and stay right.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple, TypeVar

import aiohttp
import pytest
from aiohttp import web
from faultkit import BookTruth, BookWatch, environment, resyncs_total
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lotusx.core.errors import LotusXError
from lotusx.core.types import OrderStatus
from lotusx.sim.ratelimit import RateLimitRule

T = TypeVar("T")

# Per exchange: the endpoints answered with bad bodies. (url key, method, path, call, check)
KNOWN_STATUS = {"NEW", "PARTIALLY_FILLED", "FILLED", "CANCELED", "REJECTED", "EXPIRED",
                "EXPIRED_IN_MATCH", "PENDING_CANCEL"}  # fmt: skip


def _finite_positive(text: Any, allow_zero: bool = False) -> Decimal | None:
    # A JSON number decoded exactly (msgspec reads it into Decimal from its text) is not wrong.
    if isinstance(text, bool) or not isinstance(text, (str, int, Decimal)):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or (value == 0 and not allow_zero):
        return None
    return value


def _strict_book(body: Any, depth: int) -> tuple[list[Any], list[Any], int] | None:
    """The book a strict reader gets from a Binance depth body, or None if it is not one."""
    if not isinstance(body, dict) or type(body.get("lastUpdateId")) is not int:
        return None
    sides = []
    for key in ("bids", "asks"):
        levels = body.get(key)
        if not isinstance(levels, list):
            return None
        parsed = []
        for level in levels:
            if not (isinstance(level, list) and len(level) == 2):
                return None
            price, qty = _finite_positive(level[0]), _finite_positive(level[1], allow_zero=True)
            if price is None or qty is None:
                return None
            parsed.append((price, qty))
        sides.append(parsed[:depth])
    return sides[0], sides[1], body["lastUpdateId"]


# ------------------------------------------------------------------ a loop in a thread


class LoopThread:
    """An event loop on a thread, so synchronous Hypothesis tests can drive async code."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


class Proxy:
    """Forwards to the venue; `override[(method, path)]` bytes replace the venue's answer."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.override: dict[tuple[str, str], bytes] = {}
        self.answered: dict[tuple[str, str], bytes] = {}  # the venue's last answer per route
        self.served = 0
        self.runner: web.AppRunner | None = None
        self.session: aiohttp.ClientSession | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        body = self.override.get((request.method, request.path))
        if body is not None:
            self.served += 1
            return web.Response(body=body, content_type="application/json")
        assert self.session is not None
        async with self.session.request(
            request.method,
            self.upstream + request.raw_path,
            data=await request.read(),
            # Host kept as the client sent it: Coinbase's JWT names the host it was signed for.
            headers=dict(request.headers),
        ) as answer:
            payload = await answer.read()
            self.answered[(request.method, request.path)] = payload
            headers = {k: v for k, v in answer.headers.items() if k.upper().startswith("X-")}
            return web.Response(
                body=payload, status=answer.status, headers=headers,
                content_type="application/json",
            )  # fmt: skip

    async def start(self) -> None:
        self.session = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
        if self.session is not None:
            await self.session.close()


# Venue options of exchanges whose documented quotas would make the examples wait, not test:
# Kraken allows about one public call per second and a spot call counter of 15-20 that decays
# by 0.33-1 per second, so the venue runs without them and the connector's limiter
# (`CLIENT_QUOTAS`) is replaced by one that never waits. A refusal of the venue would
# otherwise pass as "a typed error" without testing anything.
QUOTA_FREE: dict[str, dict[str, Any]] = {
    "kraken": {"rate_limits": {"spot": [RateLimitRule("counter", "SECOND", 1, 10**6)]}}
}
CLIENT_QUOTAS = ("counter", "orders", "public")


class World:
    """Venue + proxy + connector, alive across Hypothesis examples."""

    def __init__(self, exchange: str) -> None:
        self.exchange = exchange
        self._cm: Any = None
        self.proxy: Proxy | None = None

    async def start(self) -> None:
        from lotusx.sim import Venue

        self.venue_cm = Venue.start(
            self.exchange, seed=3, tick_interval=3600, **QUOTA_FREE.get(self.exchange, {})
        )
        self.venue = await self.venue_cm.__aenter__()
        self.rest_key = "spot_rest" if self.exchange in ("binance", "kraken") else "rest"
        self.proxy = Proxy(self.venue.urls[self.rest_key])
        await self.proxy.start()
        self._cm = environment  # keep the import used for the symbol helpers
        from lotusx.core.registry import connect

        urls = dict(self.venue.urls)
        urls[self.rest_key] = self.proxy.url
        self.connector = connect(
            self.exchange,
            api_key=self.venue.api_key,
            secret=self.venue.secret,
            passphrase=self.venue.passphrase,
            urls=urls,
        )
        if self.exchange in QUOTA_FREE:  # the client's quotas too (see QUOTA_FREE)
            from lotusx.core.ratelimit import Quota, RateLimiter, WindowKind

            quotas = [Quota(q, 10**6, 1000, WindowKind.ROLLING) for q in CLIENT_QUOTAS]
            self.connector.rest.limiter = RateLimiter(self.exchange, quotas)
        await self.connector.__aenter__()
        from lotusx.core.types import Symbol

        spec = next(s for s in self.venue.view.instruments() if s.kind.value == "spot")
        self.spot = Symbol(spec.base, spec.quote)
        self.native = spec.symbol

    async def stop(self) -> None:
        await self.connector.__aexit__(None, None, None)
        assert self.proxy is not None
        await self.proxy.stop()
        await self.venue_cm.__aexit__(None, None, None)


@pytest.fixture
def world(exchange: str, request: Any) -> Iterator[tuple[LoopThread, World]]:
    loop = LoopThread()
    w = World(exchange)
    loop.run(w.start())
    try:
        yield loop, w
    finally:
        loop.run(w.stop())
        loop.stop()


# ------------------------------------------------------------------ body mutations

JSON_SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8),
)  # fmt: skip
NUMERIC_TEXT = st.sampled_from(
    ["1e400", "-1", "0", "NaN", "Infinity", "-Infinity", "9" * 400, "1.0000000000000000001",
     "0x10", "", " 1", "1,5", "١٢"]
)  # fmt: skip


@st.composite
def mutated(
    draw: st.DrawFn,
    template: dict[str, Any],
    enum_field: str | None,
    inner: tuple[Any, ...] = (),
    levels: tuple[str, str] = ("bids", "asks"),
    deep: tuple[tuple[str, ...], ...] = (),
) -> bytes:
    """A mutation of ``template``; structural ones apply to the object at ``inner`` (the payload
    inside an OKX / Bybit / Coinbase envelope), truncation and garbage to the whole body.
    ``deep``: paths of numeric fields nested further (Coinbase's order sizes and prices live in
    ``order_configuration``), mutated as numbers too."""
    outer = json.loads(json.dumps(template))
    body = outer
    for step in inner:
        body = body[step]
    kind = draw(
        st.sampled_from(["truncate", "drop", "retype", "number", "enum", "level", "garbage"])
    )
    if kind == "truncate":
        text = json.dumps(outer).encode()
        return text[: draw(st.integers(0, max(0, len(text) - 1)))]
    if kind == "garbage":
        return draw(st.binary(max_size=40))
    keys = sorted(body)
    key = draw(st.sampled_from(keys))
    if kind == "drop":
        del body[key]
    elif kind == "retype":
        body[key] = draw(JSON_SCALAR | st.lists(JSON_SCALAR, max_size=2))
    elif kind == "number":
        numeric: list[Any] = [
            k for k in keys if isinstance(body[k], (str, int)) and k != enum_field
        ]
        choices = numeric + [p for p in deep if _at(body, p) is not None]
        if not choices:  # nothing numeric at this level (Kraken's book: the sides only)
            return json.dumps(outer).encode()
        at = draw(st.sampled_from(choices))
        holder, name = (body, at) if isinstance(at, str) else (_at(body, at[:-1]), at[-1])
        holder[name] = draw(NUMERIC_TEXT | st.integers(10**18, 10**40))
    elif kind == "enum" and enum_field is not None:
        body[enum_field] = draw(st.sampled_from(["WEIRD", "", "new", "Filled", "CANCELLED"]))
    elif kind == "level" and isinstance(body.get(levels[0]), list) and body[levels[0]]:
        side = draw(st.sampled_from(list(levels)))
        i = draw(st.integers(0, len(body[side]) - 1))
        if isinstance(body[side][i], dict):  # Coinbase: {"price", "size"} objects
            level = dict(body[side][i])
            field = draw(st.sampled_from(sorted(level)))
            if draw(st.booleans()):
                del level[field]
            else:
                level[field] = draw(NUMERIC_TEXT | JSON_SCALAR)
            body[side][i] = level
            return json.dumps(outer).encode()
        body[side][i] = draw(
            st.lists(NUMERIC_TEXT | JSON_SCALAR, min_size=0, max_size=3)
            | st.tuples(NUMERIC_TEXT, NUMERIC_TEXT).map(list)
        )
    return json.dumps(outer).encode()


SETTINGS = settings(
    max_examples=60, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip


def _call(loop: LoopThread, coro: Coroutine[Any, Any, T]) -> tuple[T | None, BaseException | None]:
    try:
        return loop.run(coro, timeout=20), None
    except BaseException as exc:  # classified by the caller
        return None, exc


# Per exchange: (book path, payload location in the envelope, (bids key, asks key), sequence of a
# strictly read payload or None if it has none).
def _okx_seq(p: dict[str, Any]) -> int | None:
    if "seqId" in p:
        return p["seqId"] if type(p["seqId"]) is int else None
    ts = p.get("ts", "0")  # documented: no seqId → the book's timestamp orders it
    return int(ts) if isinstance(ts, str) and ts.isdigit() else None


BOOKS: dict[str, tuple[str, tuple[Any, ...], tuple[str, str], Callable[[Any], int | None]]] = {
    "binance": ("/api/v3/depth", (), ("bids", "asks"),
                lambda p: p.get("lastUpdateId") if type(p.get("lastUpdateId")) is int else None),
    "okx": ("/api/v5/market/books", ("data", 0), ("bids", "asks"), _okx_seq),
    "bybit": ("/v5/market/orderbook", ("result",), ("b", "a"),  # u and seq required; seq kept
              lambda p: p.get("seq") if type(p.get("u")) is type(p.get("seq")) is int else None),
    # Coinbase (with keys): the pricebook has {"price", "size"} levels and no update id.
    "coinbase": ("/api/v3/brokerage/product_book", ("pricebook",), ("bids", "asks"),
                 lambda p: 0),
    # Kraken spot: the book under its pair key ("*": the one key of ``result``), levels
    # [price, volume, timestamp], no update id.
    "kraken": ("/0/public/Depth", ("result", "*"), ("bids", "asks"), lambda p: 0),
}  # fmt: skip
# The REST books that carry no update id of the venue's book (OKX: a seqId of its own).
NO_UPDATE_ID = {"okx", "coinbase", "kraken"}
# Fields a book level has, where not 2 or 4 (OKX).
LEVEL_SIZES = {"kraken": (3,)}


def _resolve(template: Any, inner: tuple[Any, ...]) -> tuple[Any, ...]:
    """``inner`` with each "*" replaced by the one key (other than Kraken's "last") there."""
    out: list[Any] = []
    at = template
    for step in inner:
        if step == "*":
            step = next(k for k in at if k != "last")
        out.append(step)
        at = at[step]
    return tuple(out)


# Where the template body is fetched when the connector's route needs a signed request: the
# public twin answers the same body (Coinbase's /market/product_book).
TEMPLATE_PATH = {"/api/v3/brokerage/product_book": "/api/v3/brokerage/market/product_book"}


def _strict_levels(
    payload: Any, keys: tuple[str, str], depth: int, sizes: tuple[int, ...] = (2, 4)
) -> list[Any] | None:
    sides = []
    for key in keys:
        levels = payload.get(key) if isinstance(payload, dict) else None
        if not isinstance(levels, list):
            return None
        parsed = []
        for level in levels:
            if isinstance(level, dict):  # Coinbase: {"price": ..., "size": ...}
                level = [level.get("price"), level.get("size")]
            # OKX levels carry 4 fields (price, size, "0", order count), Kraken's 3 (price,
            # volume, timestamp), the others 2.
            if not (isinstance(level, list) and len(level) in sizes):
                return None
            price, qty = _finite_positive(level[0]), _finite_positive(level[1], allow_zero=True)
            if price is None or qty is None:
                return None
            parsed.append((price, qty))
        sides.append(parsed[:depth])
    return sides


def test_malformed_depth_bodies(world: tuple[LoopThread, World], request: Any) -> None:
    loop, w = world
    assert w.proxy is not None
    path, inner, keys, sequence = BOOKS[w.exchange]
    template = loop.run(_real_depth(w, path))
    inner = _resolve(template, inner)

    @SETTINGS
    @given(body=mutated(template, None, inner, keys))
    def check(body: bytes) -> None:
        assert w.proxy is not None
        w.proxy.override[("GET", path)] = body
        book, exc = _call(loop, w.connector.get_orderbook(w.spot, depth=5))
        if exc is not None:
            assert isinstance(exc, LotusXError), f"untyped error {exc!r} for {body[:200]!r}"
            return
        payload: Any = json.loads(body)
        for step in inner:
            payload = payload[step]
        sides = _strict_levels(payload, keys, 5, LEVEL_SIZES.get(w.exchange, (2, 4)))
        assert sides is not None, f"accepted a malformed body silently: {body[:300]!r}"
        assert book is not None
        assert [(lv.price, lv.quantity) for lv in book.bids] == sides[0], body[:300]
        assert [(lv.price, lv.quantity) for lv in book.asks] == sides[1], body[:300]
        assert book.sequence == sequence(payload), body[:300]

    try:
        check()
    finally:
        w.proxy.override.clear()
    # The session survived: a real call through the same connector still works.
    book = loop.run(w.connector.get_orderbook(w.spot, depth=5))
    assert book.bids and book.asks
    if w.exchange not in NO_UPDATE_ID:
        assert book.sequence == w.venue.view.book(w.native).update_id


async def _real_depth(w: World, path: str) -> dict[str, Any]:
    params = {
        "binance": {"symbol": w.native, "limit": "5"},
        "okx": {"instId": w.native, "sz": "5"},
        "bybit": {"category": "spot", "symbol": w.native, "limit": "5"},
        "coinbase": {"product_id": w.native, "limit": "5"},
        "kraken": {"pair": w.native, "count": "5"},
    }[w.exchange]
    path = TEMPLATE_PATH.get(path, path)
    async with (
        aiohttp.ClientSession() as s,
        s.get(f"{w.venue.urls[w.rest_key]}{path}", params=params) as r,
    ):
        body: dict[str, Any] = await r.json()
        return body


Key = str | tuple[str, ...]  # a field of the order object, or its path in nested objects


class OrderTable(NamedTuple):
    """Where an exchange's order query lives and how to read its answer strictly."""

    # Every route get_order may ask (all get the same mutated body); ``{order_id}`` is the id
    # of the order the test placed (Coinbase names the order in the path).
    paths: tuple[str, ...]
    inner: tuple[Any, ...]  # the order object inside the envelope ("{order_id}": its id)
    # id, price, quantity, filled, status; id None: the order's key in the envelope (Kraken)
    fields: tuple[Key | None, Key, Key, Key, Key]
    statuses: frozenset[str]
    method: str = "GET"


ORDERS: dict[str, OrderTable] = {
    "binance": OrderTable(("/api/v3/order",), (),
                          ("orderId", "price", "origQty", "executedQty", "status"),
                          frozenset(KNOWN_STATUS)),
    "okx": OrderTable(("/api/v5/trade/order",), ("data", 0),
                      ("ordId", "px", "sz", "accFillSz", "state"),
                      frozenset({"live", "partially_filled", "filled", "canceled",
                                 "mmp_canceled"})),
    "bybit": OrderTable(("/v5/order/realtime", "/v5/order/history"), ("result", "list", 0),
                        ("orderId", "price", "qty", "cumExecQty", "orderStatus"),
                        frozenset({"New", "PartiallyFilled", "Filled", "Cancelled", "Rejected",
                                   "PartiallyFilledCanceled", "Untriggered", "Triggered",
                                   "Deactivated"})),
    # A resting GTC limit order: its size and price live in order_configuration.
    "coinbase": OrderTable(("/api/v3/brokerage/orders/historical/{order_id}",), ("order",),
                           ("order_id",
                            ("order_configuration", "limit_limit_gtc", "limit_price"),
                            ("order_configuration", "limit_limit_gtc", "base_size"),
                            "filled_size", "status"),
                           frozenset({"PENDING", "QUEUED", "OPEN", "CANCEL_QUEUED", "FILLED",
                                      "CANCELLED", "EXPIRED", "FAILED"})),
    # Kraken spot: get_order by client id reads OpenOrders, then ClosedOrders (both POST);
    # orders are keyed by their txid; the limit price is in ``descr``.
    "kraken": OrderTable(("/0/private/OpenOrders", "/0/private/ClosedOrders"),
                         ("result", "open", "{order_id}"),
                         (None, ("descr", "price"), "vol", "vol_exec", "status"),
                         frozenset({"pending", "open", "closed", "canceled", "expired"}),
                         "POST"),
}  # fmt: skip

CLIENT_ID = "badin1"  # letters and digits: valid on every exchange


async def _real_order(w: World, table: OrderTable) -> tuple[dict[str, Any], OrderTable]:
    """Place a resting order, query it once through the proxy: the venue's own answer, and the
    table with that order's routes and place in the envelope."""
    from lotusx.core.testing import Target

    target = Target(w.connector, w.venue, w.spot, None)
    placed = await w.connector.place_order(await target.resting_buy(w.spot, CLIENT_ID))
    await w.connector.get_order(w.spot, client_order_id=CLIENT_ID)
    assert w.proxy is not None
    paths = tuple(p.replace("{order_id}", placed.order_id) for p in table.paths)
    inner = tuple(placed.order_id if step == "{order_id}" else step for step in table.inner)
    body: dict[str, Any] = json.loads(w.proxy.answered[(table.method, paths[0])])
    return body, table._replace(paths=paths, inner=inner)


def _order_id(row: Any, table: OrderTable) -> str | None:
    """The order id a strict reader takes from the order object (or its key)."""
    key = table.fields[0]
    if key is None:
        return str(table.inner[-1])
    found = row.get(key)
    return None if found is None else str(found)


def _at(payload: Any, inner: tuple[Any, ...]) -> Any:
    for step in inner:
        if (isinstance(payload, dict) and isinstance(step, str) and step in payload) or (
            isinstance(payload, list) and isinstance(step, int) and len(payload) > step
        ):
            payload = payload[step]
        else:
            return None
    return payload


class Row(dict[str, Any]):
    """An order object whose fields may also be named by their path (a tuple of keys) in the
    objects nested in it (Coinbase's ``order_configuration``)."""

    def get(self, key: Any, default: Any = None) -> Any:
        if isinstance(key, tuple):
            found = _at(self, key)
            return default if found is None else found
        return super().get(key, default)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, tuple):
            found = _at(self, key)
            if found is None:
                raise KeyError(key)
            return found
        return super().__getitem__(key)


def _inside(payload: Any, inner: tuple[Any, ...]) -> Any:
    """The object at ``inner``; an order object as a `Row`."""
    found = _at(payload, inner)
    return Row(found) if isinstance(found, dict) else found


def test_malformed_order_bodies(world: tuple[LoopThread, World]) -> None:
    loop, w = world
    assert w.proxy is not None
    table = ORDERS[w.exchange]
    _, price_key, qty_key, filled_key, status_key = table.fields
    template, table = loop.run(_real_order(w, table))
    statuses = {s.value for s in OrderStatus}
    deep = tuple(k for k in table.fields if isinstance(k, tuple))

    @SETTINGS
    @given(body=mutated(template, status_key, table.inner, deep=deep))
    def check(body: bytes) -> None:
        assert w.proxy is not None
        for path in table.paths:
            w.proxy.override[(table.method, path)] = body
        order, exc = _call(loop, w.connector.get_order(w.spot, client_order_id=CLIENT_ID))
        if exc is not None:
            assert isinstance(exc, LotusXError), f"untyped error {exc!r} for {body[:200]!r}"
            return
        assert order is not None
        row = _inside(json.loads(body, parse_float=Decimal), table.inner)
        assert isinstance(row, dict), f"accepted a body with no order in it: {body[:300]!r}"
        # Whatever was accepted must be exactly what the body says.
        assert row.get(status_key) in table.statuses, f"unknown status accepted: {body[:300]!r}"
        assert order.status.value in statuses
        assert order.order_id == _order_id(row, table)
        assert order.quantity == _finite_positive(row.get(qty_key)), body[:300]
        price = _finite_positive(row.get(price_key))
        assert price is not None and order.price == price, body[:300]
        assert order.filled_quantity == _finite_positive(row.get(filled_key), allow_zero=True), (
            body[:300]
        )

    try:
        check()
    finally:
        w.proxy.override.clear()
    order = loop.run(w.connector.get_order(w.spot, client_order_id=CLIENT_ID))
    assert order.client_order_id == CLIENT_ID


def _sweep(template: dict[str, Any], table: OrderTable) -> list[tuple[str, bytes]]:
    """(what, body): the order object without each of its fields in turn, then its size, price
    and filled size at "-1", "0" and "" each."""
    out: list[tuple[str, bytes]] = []
    row = _at(template, table.inner)
    assert isinstance(row, dict)
    _, price_key, qty_key, filled_key, _ = table.fields
    nested = [k for k in (price_key, qty_key) if not isinstance(k, str)]
    for key in [*sorted(row), *nested]:
        body = json.loads(json.dumps(template))
        path = (key,) if isinstance(key, str) else key
        holder = _at(_at(body, table.inner), path[:-1])
        del holder[path[-1]]
        out.append((f"without {key}", json.dumps(body).encode()))
    for key in (price_key, qty_key, filled_key):
        path = (key,) if isinstance(key, str) else key
        for value in ("-1", "0", ""):
            body = json.loads(json.dumps(template))
            _at(_at(body, table.inner), path[:-1])[path[-1]] = value
            out.append((f"{key} = {value!r}", json.dumps(body).encode()))
    return out


def test_order_bodies_without_each_field(world: tuple[LoopThread, World]) -> None:
    """Deterministic companion of the Hypothesis test: every field of the real order body
    dropped once, and impossible sizes and prices; each is refused with a typed error or read
    exactly as a strict reader would."""
    loop, w = world
    assert w.proxy is not None
    table = ORDERS[w.exchange]
    _, price_key, qty_key, filled_key, status_key = table.fields
    template, table = loop.run(_real_order(w, table))
    wrong: list[str] = []
    try:
        for what, body in _sweep(template, table):
            for path in table.paths:
                w.proxy.override[(table.method, path)] = body
            order, exc = _call(loop, w.connector.get_order(w.spot, client_order_id=CLIENT_ID))
            if exc is not None:
                if not isinstance(exc, LotusXError):
                    wrong.append(f"{what}: untyped error {exc!r}")
                continue
            assert order is not None
            row = _inside(json.loads(body, parse_float=Decimal), table.inner)
            price = _finite_positive(row.get(price_key))
            strict = (
                row.get(status_key) in table.statuses
                and order.order_id == _order_id(row, table)
                and order.quantity == _finite_positive(row.get(qty_key))
                and price is not None
                and order.price == price
                and order.filled_quantity == _finite_positive(row.get(filled_key), True)
            )
            if not strict:
                wrong.append(
                    f"{what}: read as quantity {order.quantity} price {order.price} "
                    f"filled {order.filled_quantity} status {order.status.value}"
                )
    finally:
        w.proxy.override.clear()
    assert not wrong, wrong
    order = loop.run(w.connector.get_order(w.spot, client_order_id=CLIENT_ID))
    assert order.client_order_id == CLIENT_ID


# ------------------------------------------------------------------ WS frames


async def test_truncated_ws_frames_resync_and_books_stay_right(exchange: str) -> None:
    async with environment(exchange, seed=9, tick_interval=0.05) as env:
        market, native = env.native(env.spot)
        truth = BookTruth(env.venue, market, native, 10)
        watch = BookWatch(env.connector, env.spot, truth, depth=10)
        before = resyncs_total(exchange)
        until = time.monotonic() + 3.0

        async def inject() -> None:
            for _ in range(4):
                await asyncio.sleep(0.5)
                env.venue.faults.malformed_frames(3)

        await asyncio.gather(inject(), watch.run(until))
        truth.close()
        assert env.venue.faults.injected["malformed_frames"] >= 6
        assert not watch.errors, watch.errors
        assert not watch.wrong, watch.wrong[:3]
        assert watch.verified > 10
        assert resyncs_total(exchange) > before, "truncated diffs must force a resync"


Fn = Callable[..., Any]
