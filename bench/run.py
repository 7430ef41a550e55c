"""`nox -s bench`: LotusX beside ccxt, measured in one run on this machine; prints ratios.

    python bench/run.py            # everything (about 3-4 minutes)
    python bench/run.py --quick    # fewer samples, for a smoke test
    python bench/run.py --only rest,stream

Sections: ``book`` (decode, maintenance), ``rest`` (order book, signed order round trips),
``stream`` (WebSocket book updates), ``startup`` (import time, memory per book). The venue
sections run once per connector that has a simulator dialect and a ccxt mapping (`venues`).
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

import msgspec

sys.path.insert(0, str(Path(__file__).parent))

import book_engine
import rest
import startup
import stream
from harness import Report
from venues import UNLIMITED, Wiring, benchmarked

from lotusx.core import registry
from lotusx.core.connector import Connector
from lotusx.sim import Venue

SECTIONS = ("book", "rest", "stream", "startup")


@asynccontextmanager
async def clients(
    wiring: Wiring, venue: Venue, urls: Mapping[str, str] | None = None
) -> AsyncIterator[tuple[Connector, Any, Any]]:
    """LotusX, ccxt async and ccxt.pro, all pointed at ``urls`` (default: the venue's)."""
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
            await asyncio.gather(ccxt.load_markets(), pro.load_markets())
            yield lotusx, ccxt, pro
    finally:
        await ccxt.close()
        await pro.close()


def unthrottle(lotusx: Connector) -> None:
    """Raise every client-side quota to the venue's 10^9, as ccxt runs without a limiter.

    Binance's connector learns the raised limits from the venue's exchangeInfo; OKX's and
    Bybit's carry the documented quotas (e.g. Bybit 600 requests per 5 s per IP) and would
    otherwise wait inside the measured calls.
    """
    limiter = lotusx.rest.limiter
    for quota in limiter.quotas:
        limiter.set_quota(msgspec.structs.replace(quota, limit=UNLIMITED))


def start(wiring: Wiring, tick_interval: float) -> Any:
    """The wiring's venue with raised rate limits; a huge ``tick_interval`` freezes the market."""
    return Venue.start(wiring.name, tick_interval=tick_interval, rate_limits=wiring.rate_limits)


async def venue_sections(report: Report, sections: set[str], quick: bool) -> None:
    wirings, skipped = benchmarked()
    for name in skipped:
        print(f"[{name}] skipped: no ccxt mapping in bench/venues.py yet", flush=True)
    for wiring in wirings:
        if "rest" in sections:
            async with (
                start(wiring, 3600.0) as venue,
                clients(wiring, venue) as (lotusx, ccxt, _),
            ):
                await rest.run(report, wiring, venue, lotusx, ccxt, quick)
        if "stream" in sections:
            async with (
                start(wiring, 0.001) as venue,
                clients(wiring, venue) as (lotusx, _, pro),
            ):
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
