"""REST round trips on loopback: LotusX vs ccxt async vs a bare aiohttp floor (rows 3 and 4).

The three clients take turns in short rounds (rotating who goes first) so drift in machine
load lands on all of them alike. The venue's market is frozen (huge tick interval) and its
rate limits raised, so every client sees the same book and nobody waits for a quota. Where
ccxt cannot be pointed at the simulator (``ccxt`` is None) its column shows n/a.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import msgspec
from harness import Report, Row, percentile
from venues import Wiring

from lotusx.cli.roundtrip import resting_buy
from lotusx.core.connector import Connector
from lotusx.core.types import OrderRequest, Symbol, TimeInForce
from lotusx.sim import Venue

Call = Callable[[], Awaitable[object]]


async def interleaved(
    clients: dict[str, Call], rounds: int, per_round: int
) -> dict[str, list[float]]:
    """Seconds per call for each client, run in ``rounds`` rotations of ``per_round`` calls."""
    samples: dict[str, list[float]] = {name: [] for name in clients}
    names = list(clients)
    for name in names:  # warm up connections, caches and code paths
        for _ in range(20):
            await clients[name]()
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            call, out = clients[name], samples[name]
            for _ in range(per_round):
                start = time.perf_counter()
                await call()
                out.append(time.perf_counter() - start)
    return samples


async def plain_limit(lotusx: Connector, symbol: Symbol) -> OrderRequest:
    """`resting_buy` as a GTC limit (not post-only), so every client sends the same order."""
    inst = await lotusx.instrument(symbol)
    book = await lotusx.get_orderbook(symbol, 5)
    assert book.best_bid is not None
    return msgspec.structs.replace(
        resting_buy(inst, book.best_bid.price), time_in_force=TimeInForce.GTC
    )


def _rows(
    report: Report, title: str, samples: dict[str, list[float]], ccxt_name: str, target: float
) -> None:
    for q, label in ((0.5, "p50"), (0.99, "p99")):
        ours, floor = (percentile(samples[k], q) * 1e3 for k in ("lotusx", "floor"))
        theirs = percentile(samples["ccxt"], q) * 1e3 if "ccxt" in samples else None
        ccxt_name = ccxt_name if "ccxt" in samples else "ccxt: n/a"
        report.add(
            Row(
                f"{title} {label}",
                "ms",
                ours,
                theirs,
                ccxt_name,
                floor,
                target=f"<={target}x floor" if q == 0.5 else "",
                max_floor_ratio=target if q == 0.5 else None,
            )
        )


async def run(
    report: Report, wiring: Wiring, venue: Venue, lotusx: Connector, ccxt: Any, quick: bool
) -> None:
    symbol = Symbol.parse(wiring.symbol)
    async with aiohttp.ClientSession() as session:
        floor = wiring.floor(session, venue)

        book_clients: dict[str, Call] = {
            "lotusx": lambda: lotusx.get_orderbook(symbol, 100),
            "floor": floor.get_book,
        }
        if ccxt is not None:
            book_clients["ccxt"] = lambda: ccxt.fetch_order_book(wiring.symbol, 100)
        rounds = 10 if quick else 40
        samples = await interleaved(book_clients, rounds, 100)
        n = len(samples["lotusx"])
        _rows(
            report, f"[{wiring.name}] REST order book x{n}", samples, "ccxt fetch_order_book", 1.15
        )

        request = await plain_limit(lotusx, symbol)
        qty, price = str(request.quantity), str(request.price)

        async def lotusx_trip() -> None:
            placed = await lotusx.place_order(request)
            await lotusx.cancel_order(symbol, order_id=placed.order_id)

        async def ccxt_trip() -> None:
            placed = await ccxt.create_order(wiring.symbol, "limit", "buy", qty, price)
            await ccxt.cancel_order(placed["id"], wiring.symbol)

        order_clients: dict[str, Call] = {
            "lotusx": lotusx_trip,
            "floor": lambda: floor.place_cancel(qty, price),
        }
        if ccxt is not None:
            order_clients["ccxt"] = ccxt_trip
        samples = await interleaved(order_clients, rounds // 2, 50)
        n = len(samples["lotusx"])
        _rows(
            report,
            f"[{wiring.name}] signed place+cancel x{n}",
            samples,
            "ccxt create+cancel",
            1.15,
        )
        open_orders = await lotusx.get_open_orders(symbol)
        assert not open_orders, f"{len(open_orders)} orders left open"
