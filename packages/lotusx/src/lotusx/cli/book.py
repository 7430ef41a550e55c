"""``lotusx book EX SYMBOL``: one live order book in the terminal, streamed."""

from __future__ import annotations

import argparse
import asyncio
import time

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.text import Text

from lotusx.cli.options import port, positive_float, positive_int, symbol
from lotusx.cli.render import book_ladder, make_console
from lotusx.cli.runtime import CliError, StopSignal, run, start_metrics
from lotusx.cli.venues import Session, open_session
from lotusx.core.errors import LotusXError
from lotusx.core.types import Instrument, OrderBook

__all__ = ["add_parser", "run_book"]


def add_live_options(p: argparse.ArgumentParser) -> None:
    """Where to connect (real endpoints, testnet, embedded simulator) and metrics."""
    p.add_argument("exchange", help="connector name, e.g. binance (see `lotusx exchanges`)")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--sim", action="store_true", help="run against an embedded simulated venue (offline)"
    )
    where.add_argument(
        "--testnet",
        action="store_true",
        help="use the exchange's testnet (keys: LOTUSX_<EX>_TESTNET_API_KEY...)",
    )
    p.add_argument("--seed", type=int, default=7, help="simulator seed with --sim (default 7)")
    p.add_argument(
        "--metrics-port",
        type=port,
        default=0,
        metavar="PORT",
        help="also serve Prometheus metrics on 127.0.0.1:PORT (default: off)",
    )


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "book",
        help="stream one order book live in the terminal",
        description="Stream an order book (stream_orderbook) and show its top levels live.",
    )
    add_live_options(p)
    p.add_argument(
        "symbol",
        type=symbol,
        help="unified symbol: BTC/USDT (spot), BTC/USDT:USDT (linear perpetual)",
    )
    p.add_argument("--depth", type=positive_int, default=10, help="levels per side (default 10)")
    p.add_argument(
        "--duration",
        type=positive_float,
        metavar="SECONDS",
        help="stop after this many seconds (default: run until Ctrl-C)",
    )
    p.add_argument(
        "--interval",
        type=positive_float,
        default=1.0,
        metavar="SECONDS",
        help="seconds between plain-text snapshots when not on a terminal",
    )
    p.set_defaults(handler=run_book)


def run_book(args: argparse.Namespace) -> int:
    return run(lambda: _book(args))


class _Feed:
    def __init__(self) -> None:
        self.book: OrderBook | None = None
        self.updates = 0

    async def pump(self, session: Session, inst: Instrument, depth: int) -> None:
        async for book in session.connector.stream_orderbook(inst.symbol, depth):
            self.book = book
            self.updates += 1


async def _instrument(session: Session, args: argparse.Namespace) -> Instrument:
    try:
        instruments = await session.connector.load_instruments()
    except LotusXError as exc:
        raise CliError(f"{session.name}: cannot load instruments: {exc}") from None
    inst = instruments.get(args.symbol)
    if inst is None:
        sample = ", ".join(sorted(str(s) for s in instruments)[:12])
        raise CliError(f"{session.name} lists no {args.symbol}; for example: {sample}")
    return inst


def _view(console: Console, feed: _Feed, inst: Instrument, title: str) -> RenderableType:
    if feed.book is None:
        return Text(f"{title}: waiting for the book…", style="yellow")
    return Group(
        book_ladder(console, feed.book, inst, title),
        Text(f"{feed.updates} updates", style="dim"),
    )


async def _book(args: argparse.Namespace) -> int:
    console = make_console()
    url = start_metrics(args.metrics_port)
    started = time.monotonic()
    deadline = None if args.duration is None else started + args.duration
    with StopSignal() as stop:
        async with open_session(
            args.exchange, sim=args.sim, testnet=args.testnet, seed=args.seed
        ) as session:
            inst = await _instrument(session, args)
            title = f"{session.name} {inst.symbol}"
            console.print(
                f"lotusx book: {title} ({session.where})" + (f" · metrics: {url}" if url else "")
            )
            feed = _Feed()
            task = asyncio.create_task(feed.pump(session, inst, args.depth))

            async def tick(seconds: float) -> bool:
                if deadline is not None:
                    seconds = min(seconds, deadline - time.monotonic())
                stopped = seconds > 0 and await stop.wait(seconds)
                if task.done():
                    return True
                return stopped or (deadline is not None and time.monotonic() >= deadline)

            try:
                if console.is_terminal:
                    with Live(
                        _view(console, feed, inst, title), console=console, refresh_per_second=8
                    ) as live:
                        while not await tick(0.125):
                            live.update(_view(console, feed, inst, title))
                else:
                    while not await tick(args.interval):
                        console.print(_view(console, feed, inst, title))
                    console.print(_view(console, feed, inst, title))
            finally:
                task.cancel()
                results = await asyncio.gather(task, return_exceptions=True)
            failure = results[0]
            if isinstance(failure, LotusXError):
                raise CliError(f"{session.name} {inst.symbol}: {failure}")
            if isinstance(failure, Exception):
                raise failure
    console.print(
        f"lotusx book: stopped after {time.monotonic() - started:.1f} s, {feed.updates} updates"
    )
    return 0
