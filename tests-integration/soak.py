"""Soak: stream books and trades on every connector under random faults for a set duration.

    python tests-integration/soak.py --duration 120 [--seed N]

Prints messages processed, faults injected, resyncs, p50/p95/max resync time, wrong books
yielded (must be 0), duplicate or lost orders (must be 0; orders are placed and cancelled
periodically, some under ``fail_after_accept``), and RSS at start and end. Exits non-zero when
an invariant is broken.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent / "faults"))

from faultkit import (
    EXCHANGES,
    BookTruth,
    BookWatch,
    Chaos,
    can,
    environment,
    resyncs_total,
    summary_ms,
    venue_order_ids,
    venue_orders_by_client_id,
)

from lotusx.core.errors import ExchangeUnavailable, LotusXError, OrderStatusUnknown
from lotusx.core.testing import Target


def rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def trades(env: Any, until: float, counts: dict[str, int]) -> None:
    stream = env.connector.stream_trades(env.spot)
    try:
        while time.monotonic() < until:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(anext(stream), max(0.01, until - time.monotonic()))
                counts["trades"] += 1
    except LotusXError as exc:
        counts["trade_stream_errors"] += 1
        print(f"  trade stream error: {exc!r}")
    finally:
        with contextlib.suppress(Exception):
            await stream.aclose()


async def orders(env: Any, until: float, rng: random.Random, stats: dict[str, int]) -> None:
    target = Target(env.connector, env.venue, env.spot, env.perp)
    known: dict[tuple[str, str], dict[str, str]] = {}
    n = 0
    while time.monotonic() < until - 1.0:
        await asyncio.sleep(rng.uniform(0.3, 0.8))
        symbol = rng.choice(env.symbols)
        market, native = env.native(symbol)
        cid = f"soak{n}x{rng.randrange(10**6)}"
        n += 1
        if rng.random() < 0.4:
            env.venue.faults.fail_after_accept(1, mode=rng.choice(("5xx", "close")))
            stats["placements_under_fault"] += 1
        try:
            order = await env.connector.place_order(await target.resting_buy(symbol, cid))
        except OrderStatusUnknown:
            order = await env.connector.get_order(symbol, client_order_id=cid)
            stats["unknown_resolved"] += 1
        except ExchangeUnavailable:
            stats["not_placed"] += 1
            continue
        stats["placed"] += 1
        known.setdefault((market, native), {})[cid] = order.order_id
        with contextlib.suppress(LotusXError):
            await env.connector.cancel_order(symbol, client_order_id=cid)
            stats["cancelled"] += 1
    env.venue.faults.next_fail_after_accept = 0
    for (market, native), mine in known.items():
        counts = venue_orders_by_client_id(env.venue, market, native)
        held = venue_order_ids(env.venue, market, native)
        stats["duplicate_orders"] += sum(c - 1 for c in counts.values() if c > 1)
        stats["lost_orders"] += sum(1 for cid in held if cid not in mine)
        stats["lost_orders"] += sum(1 for cid, oid in mine.items() if held.get(cid) != oid)


async def soak_one(exchange: str, duration: float, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    faults = ["drop_ws", "sequence_gap", "malformed_frames", "stall"]
    if can(exchange, "bad_checksum"):
        faults.append("bad_checksum")
    stats: dict[str, int] = dict.fromkeys(
        ["placed", "placements_under_fault", "unknown_resolved", "not_placed", "cancelled",
         "duplicate_orders", "lost_orders", "trades", "trade_stream_errors"], 0
    )  # fmt: skip
    async with environment(exchange, seed=seed, tick_interval=0.05) as env:
        chaos = Chaos(env.venue, rng, tuple(faults))
        watches = []
        for symbol in env.symbols:
            market, native = env.native(symbol)
            truth = BookTruth(env.venue, market, native, 10, keep=5000)
            watches.append(BookWatch(env.connector, symbol, truth, chaos, depth=10))
        before = resyncs_total(exchange)
        ws_before = env.venue.view.ws_messages_sent
        until = time.monotonic() + duration
        await asyncio.gather(
            chaos.run(until - 2.0, gap=(0.5, 1.5)),
            orders(env, until, random.Random(seed + 1), stats),
            trades(env, until, stats),
            *(w.run(until) for w in watches),
        )
        for w in watches:
            w.truth.close()
        return {
            "exchange": exchange,
            "ws_messages": env.venue.view.ws_messages_sent - ws_before,
            "books_yielded": sum(w.yielded for w in watches),
            "books_verified": sum(w.verified for w in watches),
            "wrong_books": sum(len(w.wrong) for w in watches),
            "stream_errors": [e for w in watches for e in w.errors],
            "faults": dict(env.venue.faults.injected),
            "chaos": len(chaos.log),
            "resyncs": resyncs_total(exchange) - before,
            "resync_time": summary_ms([t for w in watches for t in w.resync_times]),
            **stats,
        }


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=120.0, help="seconds per connector")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--exchange", action="append", help="only these (default: all)")
    args = parser.parse_args()
    names = args.exchange or EXCHANGES
    rss_start = rss_mb()
    print(f"soak: {', '.join(names)}; {args.duration:.0f} s each; seed {args.seed}")
    print(f"RSS at start: {rss_start:.1f} MB")
    broken: list[str] = []
    for name in names:
        started = time.monotonic()
        report = await soak_one(name, args.duration, args.seed)
        gc.collect()
        print(f"\n== {name} ({time.monotonic() - started:.0f} s)")
        for key, value in report.items():
            print(f"  {key}: {value}")
        print(f"  RSS now: {rss_mb():.1f} MB")
        if report["wrong_books"]:
            broken.append(f"{name}: {report['wrong_books']} wrong books yielded")
        if report["duplicate_orders"] or report["lost_orders"]:
            broken.append(f"{name}: duplicate/lost orders")
        if report["stream_errors"]:
            broken.append(f"{name}: book stream died: {report['stream_errors']}")
        if report["books_verified"] == 0:
            broken.append(f"{name}: no book verified")
    rss_end = rss_mb()
    print(f"\nRSS at end: {rss_end:.1f} MB (start {rss_start:.1f} MB)")
    if rss_end > rss_start + 200:
        broken.append(f"RSS grew from {rss_start:.0f} MB to {rss_end:.0f} MB")
    if broken:
        print("INVARIANTS BROKEN:\n  " + "\n  ".join(broken))
        return 1
    print("all invariants held")
    return 0


if __name__ == "__main__":
    import logging

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    sys.exit(asyncio.run(main()))
