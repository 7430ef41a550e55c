"""``lotusx latency EX``: REST round trips, WebSocket message latency and clock offset."""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from decimal import ROUND_CEILING, Decimal
from typing import Any

from lotusx.cli.book import add_live_options
from lotusx.cli.options import positive_int, symbol
from lotusx.cli.render import fmt_ms, latency_table, make_console
from lotusx.cli.runtime import CliError, StopSignal, run, start_metrics
from lotusx.cli.venues import Session, open_session
from lotusx.core.capabilities import Capability
from lotusx.core.clock import wall_ms
from lotusx.core.errors import LotusXError
from lotusx.core.types import Instrument, MarketKind, ServerTime, Symbol

__all__ = ["Stats", "add_parser", "percentile", "run_latency"]

WS_TIMEOUT = 20.0


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "latency",
        help="measure REST/WebSocket latency and clock offset",
        description=(
            "Measure REST round trips (server time and order book requests), the age of "
            "WebSocket book messages on arrival (exchange event time to local receipt, "
            "corrected by the measured clock offset) and the clock offset."
        ),
    )
    add_live_options(p)
    p.add_argument(
        "--count", type=positive_int, default=20, help="samples per measurement (default 20)"
    )
    p.add_argument(
        "--symbol",
        type=symbol,
        help="market for the book requests and stream (default: BTC/USDT or the "
        "first spot market listed)",
    )
    p.set_defaults(handler=run_latency)


def run_latency(args: argparse.Namespace) -> int:
    return run(lambda: _latency(args))


def percentile(samples: Sequence[Decimal], pct: int) -> Decimal:
    """Nearest-rank percentile (an observed value, never interpolated)."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = int((Decimal(pct) / 100 * len(ordered)).to_integral_value(rounding=ROUND_CEILING))
    return ordered[max(rank, 1) - 1]


class Stats:
    def __init__(self, name: str, samples: Sequence[Decimal], note: str = "") -> None:
        self.name = name
        self.samples = list(samples)
        self.note = note

    def row(self) -> list[str]:
        if not self.samples:
            return [self.name, "0", "—", "—", "—", "—", self.note]
        return [
            self.name,
            str(len(self.samples)),
            *(fmt_ms(percentile(self.samples, p)) for p in (50, 95, 99)),
            fmt_ms(max(self.samples)),
            self.note,
        ]


async def _timed(count: int, call: Callable[[], Awaitable[Any]]) -> list[Decimal]:
    samples = []
    for _ in range(count):
        start = time.perf_counter_ns()
        await call()
        samples.append(Decimal(time.perf_counter_ns() - start) / 1_000_000)
    return samples


def _pick_symbol(instruments: dict[Symbol, Instrument], wanted: Symbol | None) -> Instrument:
    if wanted is not None:
        if wanted not in instruments:
            raise CliError(f"no {wanted} listed")
        return instruments[wanted]
    preferred = Symbol("BTC", "USDT")
    if preferred in instruments:
        return instruments[preferred]
    spot = [i for i in instruments.values() if i.kind is MarketKind.SPOT]
    if not spot and not instruments:
        raise CliError("the exchange lists no instruments")
    return (spot or list(instruments.values()))[0]


async def _ws_ages(session: Session, inst: Instrument, count: int) -> list[Decimal]:
    """Exchange event time → local receipt of book messages, clock-offset corrected."""
    ages: list[Decimal] = []
    offset = session.connector.clock.offset_ms
    async with asyncio.timeout(WS_TIMEOUT):
        async for book in session.connector.stream_orderbook(inst.symbol, 5):
            if book.timestamp > 0:
                ages.append(Decimal(wall_ms() + offset - book.timestamp))
            if len(ages) >= count:
                break
    return ages


async def _measure(session: Session, args: argparse.Namespace) -> tuple[list[Stats], ServerTime]:
    ex = session.connector
    if not ex.supports(Capability.SYNC_TIME):
        raise CliError(f"{session.name} has no server time endpoint (sync_time)")
    instruments = await ex.load_instruments()
    inst = _pick_symbol(instruments, args.symbol)
    times: list[ServerTime] = []

    async def sync() -> None:
        times.append(await ex.sync_time())

    stats = [Stats("REST server time (sync_time)", await _timed(args.count, sync))]
    if ex.supports(Capability.GET_ORDERBOOK):
        stats.append(
            Stats(
                f"REST order book {inst.symbol} (get_orderbook depth 5)",
                await _timed(args.count, lambda: ex.get_orderbook(inst.symbol, 5)),
            )
        )
    if ex.supports(Capability.STREAM_ORDERBOOK):
        try:
            ages = await _ws_ages(session, inst, args.count)
            stats.append(
                Stats(
                    f"WS book message age {inst.symbol}", ages, "event time → receipt, ±clock error"
                )
            )
        except TimeoutError:
            stats.append(
                Stats(
                    f"WS book message age {inst.symbol}", [], f"no message within {WS_TIMEOUT:g} s"
                )
            )
    return stats, times[-1]


async def _latency(args: argparse.Namespace) -> int:
    console = make_console()
    url = start_metrics(args.metrics_port)
    with StopSignal() as stop:
        async with open_session(
            args.exchange, sim=args.sim, testnet=args.testnet, seed=args.seed
        ) as session:
            console.print(
                f"lotusx latency: {session.name} ({session.where}), "
                f"{args.count} samples each" + (f" · metrics: {url}" if url else "")
            )
            work = asyncio.create_task(_measure(session, args))
            stopper = asyncio.create_task(stop.event.wait())
            await asyncio.wait({work, stopper}, return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
            if not work.done():
                work.cancel()
                console.print("lotusx latency: interrupted")
                return 0
            try:
                stats, last = work.result()
            except LotusXError as exc:
                raise CliError(f"{session.name}: {exc}") from None
    rows = [stat.row() for stat in stats]
    console.print(latency_table(console, f"{session.name} latency ({session.where})", rows))
    console.print(
        f"clock offset (exchange − local): {session.connector.clock.offset_ms:+d} ms "
        f"(best of the lowest-latency samples; last sample {last.offset_ms:+d} ms, "
        f"round trip {last.round_trip_ms} ms)"
    )
    return 0
