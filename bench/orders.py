"""Order entry beyond one REST round trip: native batches, and WebSocket order entry.

``batch``: LotusX `place_batch_orders` of 20 resting orders against one `place_order`, both
timed alone (each batch is cancelled with `cancel_batch`, timed separately). ``ws``: a signed
place+cancel over ``order_transport="ws"`` against the wiring's WebSocket floor (`wsfloor`),
ccxt.pro's ``create_order_ws``/``cancel_order_ws`` and LotusX over REST, all on warm sockets.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
from harness import Report, Row, percentile
from rest import Call, interleaved, plain_limit
from venues import Wiring, unthrottle

from lotusx.core import registry
from lotusx.core.capabilities import Capability
from lotusx.core.connector import Connector
from lotusx.core.errors import ConfigurationError, ExchangeError
from lotusx.core.types import Order, Symbol
from lotusx.sim import Venue

BATCH = 20


async def run_batch(report: Report, wiring: Wiring, lotusx: Connector, quick: bool) -> None:
    name = wiring.name
    if wiring.batch_symbol is None or not lotusx.supports(Capability.PLACE_BATCH_ORDERS):
        print(f"[{name}] batch row skipped: {wiring.batch_note or 'no place_batch_orders'}")
        return
    print(f"[{name}] batch: {wiring.batch_note}", flush=True)
    symbol = Symbol.parse(wiring.batch_symbol)
    request = await plain_limit(lotusx, symbol)
    times: dict[str, list[float]] = {"one": [], "batch": [], "cancel": [], "cancel_batch": []}

    async def timed(key: str, call: Any) -> Any:
        start = time.perf_counter()
        out = await call
        times[key].append(time.perf_counter() - start)
        return out

    async def single() -> None:
        placed = await timed("one", lotusx.place_order(request))
        await timed("cancel", lotusx.cancel_order(symbol, order_id=placed.order_id))

    async def batch() -> None:
        placed = await timed("batch", lotusx.place_batch_orders([request] * BATCH))
        orders = [o for o in placed if isinstance(o, Order)]
        assert len(orders) == BATCH, [o for o in placed if isinstance(o, ExchangeError)]
        done = await timed(
            "cancel_batch", lotusx.cancel_batch(symbol, [o.order_id for o in orders])
        )
        assert all(isinstance(o, Order) for o in done), done

    for _ in range(3):  # warm up
        await single()
        await batch()
    for values in times.values():
        values.clear()
    for r in range(10 if quick else 40):
        for step in (single, batch) if r % 2 else (batch, single):
            await step()
    n = len(times["batch"])
    for q, label in ((0.5, "p50"), (0.99, "p99")):
        ours, one = (percentile(times[k], q) * 1e3 for k in ("batch", "one"))
        report.add(
            Row(
                f"[{name}] place_batch_orders of {BATCH} x{n} {label}",
                "ms",
                ours,
                one,
                "LotusX one place_order",
                target=f"<={1.3}x one placement" if q == 0.5 else "",
                max_ref_ratio=1.3 if q == 0.5 else None,
            )
        )
    ours, one = (percentile(times[k], 0.5) * 1e3 for k in ("cancel_batch", "cancel"))
    report.add(
        Row(f"[{name}] cancel_batch of {BATCH} x{n} p50", "ms", ours, one, "LotusX one cancel")
    )
    left = await lotusx.get_open_orders(symbol)
    assert not left, f"{len(left)} orders left open"


def _connect_ws(wiring: Wiring, venue: Venue) -> Connector | None:
    try:
        return registry.connect(
            wiring.name,
            api_key=venue.api_key,
            secret=venue.secret,
            passphrase=venue.passphrase,
            urls=venue.urls,
            order_transport="ws",
        )
    except ConfigurationError:
        return None


async def run_ws(
    report: Report, wiring: Wiring, venue: Venue, rest_client: Connector, pro: Any, quick: bool
) -> None:
    name = wiring.name
    if not wiring.ws_orders_key:
        print(f"[{name}] WS order entry skipped: {wiring.ws_note}", flush=True)
        return
    lotusx = _connect_ws(wiring, venue)
    if lotusx is None:
        print(f"[{name}] WS order entry: not offered by the connector", flush=True)
        await _floor_alone(wiring, venue, pro, quick)
        return
    if wiring.ws_orders_key not in venue.urls or wiring.ws_floor is None:
        print(f"[{name}] WS order entry: the simulator serves no {wiring.ws_orders_key!r} yet")
        return
    symbol = Symbol.parse(wiring.symbol)
    async with lotusx, aiohttp.ClientSession() as session:
        await lotusx.load_instruments()
        unthrottle(lotusx)
        request = await plain_limit(lotusx, symbol)
        qty, price = str(request.quantity), str(request.price)
        floor = await wiring.ws_floor(session, venue)
        try:

            async def trip(client: Connector) -> None:
                placed = await client.place_order(request)
                await client.cancel_order(symbol, order_id=placed.order_id)

            clients: dict[str, Call] = {
                "ws": lambda: trip(lotusx),
                "rest": lambda: trip(rest_client),
                "floor": lambda: floor.place_cancel(qty, price),
            }
            if await _pro_works(wiring, pro, qty, price):
                clients["pro"] = lambda: _pro_trip(wiring, pro, qty, price)
            samples = await interleaved(clients, 5 if quick else 20, 50)
        finally:
            await floor.close()
        left = await lotusx.get_open_orders(symbol)
        assert not left, f"{len(left)} orders left open"
    n = len(samples["ws"])
    pro_name = "ccxt.pro create+cancel_order_ws" if "pro" in samples else "ccxt.pro: n/a"
    for q, label in ((0.5, "p50"), (0.99, "p99")):
        ws, rest, floor_s = (percentile(samples[k], q) * 1e3 for k in ("ws", "rest", "floor"))
        theirs = percentile(samples["pro"], q) * 1e3 if "pro" in samples else None
        p50 = q == 0.5
        report.add(
            Row(
                f"[{name}] signed place+cancel WS x{n} {label}",
                "ms",
                ws,
                theirs,
                pro_name,
                floor_s,
                target="<=1.2x WS floor" if p50 else "",
                max_floor_ratio=1.2 if p50 else None,
            )
        )
        report.add(
            Row(
                f"[{name}] place+cancel WS vs REST x{n} {label}",
                "ms",
                ws,
                rest,
                "LotusX REST",
                target="<=0.6x LotusX REST" if p50 else "",
                max_ref_ratio=0.6 if p50 else None,
            )
        )


async def _pro_trip(wiring: Wiring, pro: Any, qty: str, price: str) -> None:
    placed = await pro.create_order_ws(wiring.symbol, "limit", "buy", float(qty), float(price))
    await pro.cancel_order_ws(placed["id"], wiring.symbol if wiring.pro_cancel_ws_symbol else None)


async def _pro_works(wiring: Wiring, pro: Any, qty: str, price: str) -> bool:
    """Whether ccxt.pro's WS order entry completes a round trip here (else says why not)."""
    if not wiring.pro_orders_ws or pro is None:
        return False
    try:
        await asyncio.wait_for(_pro_trip(wiring, pro, qty, price), 10)
    except Exception as exc:  # any ccxt failure makes its column n/a
        print(f"[{wiring.name}] ccxt.pro WS order entry: n/a ({exc!r:.200})", flush=True)
        return False
    return True


async def _floor_alone(wiring: Wiring, venue: Venue, pro: Any, quick: bool) -> None:
    """Where the simulator already serves the venue's WS order entry, check the floor (and
    ccxt.pro) against it and print their figures; no row, as there is no LotusX figure."""
    name, key = wiring.name, wiring.ws_orders_key
    if wiring.ws_floor is None or key not in venue.urls:
        print(f"    the simulator serves no {key!r} yet: WS floor not run", flush=True)
        return
    rest_client = registry.connect(wiring.name, api_key=venue.api_key, secret=venue.secret,
                                   passphrase=venue.passphrase, urls=venue.urls)  # fmt: skip
    async with rest_client, aiohttp.ClientSession() as session:
        await rest_client.load_instruments()
        unthrottle(rest_client)
        request = await plain_limit(rest_client, Symbol.parse(wiring.symbol))
        qty, price = str(request.quantity), str(request.price)
        try:
            floor = await asyncio.wait_for(wiring.ws_floor(session, venue), 10)
        except (AssertionError, OSError, TimeoutError, aiohttp.ClientError) as exc:
            print(f"    WS floor: could not log in on {key!r} ({exc!r})", flush=True)
            return
        try:
            clients: dict[str, Call] = {"floor": lambda: floor.place_cancel(qty, price)}
            try:
                await asyncio.wait_for(floor.place_cancel(qty, price), 10)
            except (AssertionError, TimeoutError, ConnectionError) as exc:
                print(f"    WS floor: no order reply on {key!r} ({exc!r})", flush=True)
                return
            if await _pro_works(wiring, pro, qty, price):
                clients["pro"] = lambda: _pro_trip(wiring, pro, qty, price)
            samples = await interleaved(clients, 3 if quick else 10, 50)
        finally:
            await floor.close()
    text = ", ".join(
        f"{'WS floor' if k == 'floor' else 'ccxt.pro'} p50 {percentile(v, 0.5) * 1e3:.3f} ms "
        f"p99 {percentile(v, 0.99) * 1e3:.3f} ms"
        for k, v in samples.items()
    )
    print(f"    {name} WS place+cancel x{len(samples['floor'])} (no LotusX row): {text}")
