"""`nox -s bench`: LotusX beside ccxt, measured in one run on this machine; prints ratios.

    python bench/run.py            # everything (about 3-4 minutes)
    python bench/run.py --quick    # fewer samples, for a smoke test
    python bench/run.py --only rest,stream

Sections: ``book`` (decode, maintenance), ``rest`` (order book, signed order round trips,
native batches, WebSocket order entry: `orders`), ``stream`` (WebSocket book updates),
``startup`` (import time, memory per book). The venue sections run once per connector that has
a simulator dialect and a ccxt mapping (`venues`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import book_engine
import orders
import rest
import startup
import stream
from harness import Report
from venues import Wiring, benchmarked, unthrottle

from lotusx.core import registry
from lotusx.core.connector import Connector
from lotusx.sim import Venue

SECTIONS = ("book", "rest", "stream", "startup")


@asynccontextmanager
async def clients(
    wiring: Wiring, venue: Venue, urls: Mapping[str, str] | None = None
) -> AsyncIterator[tuple[Connector, Any, Any]]:
    """LotusX, ccxt async and ccxt.pro, all pointed at ``urls`` (default: the venue's). A ccxt
    client that cannot load the venue's markets is None (its rows show n/a)."""
    import ccxt.async_support as ccxta
    import ccxt.pro as ccxtpro

    urls = urls or venue.urls
    lotusx = registry.connect(
        wiring.name,
        api_key=venue.api_key,
        secret=venue.secret,
        passphrase=venue.passphrase,
        urls=urls,
    )
    ccxt = getattr(ccxta, wiring.ccxt_id)()
    pro = getattr(ccxtpro, wiring.ccxt_id)()
    for exchange in (ccxt, pro):
        wiring.configure_ccxt(exchange, urls, venue)
    try:
        async with lotusx:
            await lotusx.load_instruments()
            unthrottle(lotusx)
            loaded = await asyncio.gather(
                ccxt.load_markets(), pro.load_markets(), return_exceptions=True
            )
            for kind, result in zip(("ccxt", "ccxt.pro"), loaded, strict=True):
                if isinstance(result, Exception):
                    print(f"[{wiring.name}] {kind}: n/a, cannot reach the simulator ({result!r})")
            yield (
                lotusx,
                None if isinstance(loaded[0], Exception) else ccxt,
                None if isinstance(loaded[1], Exception) else pro,
            )
    finally:
        await ccxt.close()
        await pro.close()


def start(wiring: Wiring, tick_interval: float) -> Any:
    """The wiring's venue with raised rate limits; a huge ``tick_interval`` freezes the market."""
    return Venue.start(
        wiring.name,
        tick_interval=tick_interval,
        rate_limits=wiring.rate_limits,
        **wiring.venue_options(),
    )


async def venue_sections(report: Report, sections: set[str], quick: bool) -> None:
    wirings, skipped = benchmarked()
    for name in skipped:
        print(f"[{name}] skipped: no ccxt mapping in bench/venues.py yet", flush=True)
    for wiring in wirings:
        if wiring.ccxt_note and sections & {"rest", "stream"}:
            print(f"[{wiring.name}] {wiring.ccxt_note}", flush=True)
        if "rest" in sections:
            async with (
                start(wiring, 3600.0) as venue,
                clients(wiring, venue) as (lotusx, ccxt, pro),
            ):
                await rest.run(report, wiring, venue, lotusx, ccxt, quick)
                await orders.run_batch(report, wiring, lotusx, quick)
                await orders.run_ws(report, wiring, venue, lotusx, pro, quick)
        if "stream" in sections:
            async with (
                start(wiring, 0.001) as venue,
                clients(wiring, venue) as (lotusx, _, pro),
            ):
                if pro is None:
                    print(f"[{wiring.name}] WS venue book stream skipped: ccxt.pro n/a")
                else:
                    await stream.run_venue(report, wiring, lotusx, pro, 5.0 if quick else 10.0)
            if wiring.stream_frame is None:
                print(
                    f"[{wiring.name}] saturated stream skipped: {wiring.firehose_skip}", flush=True
                )
                continue
            async with (
                start(wiring, 3600.0) as venue,
                stream.Firehose(wiring, venue, quick) as hose,
                clients(wiring, venue, hose.urls) as (lotusx, _, pro),
            ):
                await stream.run_firehose(report, wiring, hose, lotusx, pro)


def main() -> None:
    import ccxt

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples (smoke test)")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    args = parser.parse_args()
    sections = set(args.only.split(","))
    started = time.perf_counter()
    print(
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cpus, "
        f"{startup.cpu_model()}, ccxt {ccxt.__version__}",
        flush=True,
    )
    report = Report()
    report.header()
    if "book" in sections:
        book_engine.run(report)
    asyncio.run(venue_sections(report, sections, args.quick))
    if "startup" in sections:
        startup.run(report, args.quick, [w.name for w in benchmarked()[0]])
    print(f"\n{report.summary()} in {time.perf_counter() - started:.0f} s", flush=True)
    print("\n" + report.markdown(), flush=True)


if __name__ == "__main__":
    main()
