"""``lotusx demo``: every installed connector against its simulated venue, live.

Starts an embedded venue per connector that has a simulator dialect, streams the books of the
spot and perpetual markets it lists, shows top of book and fee-adjusted spreads, runs a signed
order round trip per market kind, serves Prometheus metrics, and stops on Ctrl-C or after
``--duration`` seconds (exit code 0) with a summary. When stdout is not a terminal it prints
plain-text snapshots instead of a live display.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from contextlib import AsyncExitStack
from decimal import Decimal

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.text import Text

from lotusx.cli.board import Board, BookState, RoundTrip
from lotusx.cli.options import csv_list, port, positive_float
from lotusx.cli.render import books_table, make_console, round_trips_table, spreads_table
from lotusx.cli.roundtrip import order_round_trip
from lotusx.cli.runtime import CliError, StopSignal, run, start_metrics
from lotusx.cli.spreads import spreads
from lotusx.cli.stats import Totals, totals
from lotusx.cli.venues import Session, installed, open_session, simulated
from lotusx.core.capabilities import Capability
from lotusx.core.errors import LotusXError
from lotusx.core.observability import get_logger
from lotusx.core.types import Instrument, MarketKind

__all__ = ["Demo", "add_parser", "choose_markets", "run_demo"]

MAX_MARKETS = 6
"""Markets streamed per venue (pairs listed both spot and perpetual come first)."""
BOOK_DEPTH = 5
FIRST_BOOK_TIMEOUT = 15.0
METRICS_PORT = 9464

log = get_logger("cli")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "demo",
        help="stream books and trade against simulated venues (offline)",
        description=(
            "Start a simulated venue for every installed connector, stream their order books, "
            "show best bid/ask and fee-adjusted spreads, run a signed order round trip on each "
            "venue and serve Prometheus metrics. Stops on Ctrl-C or after --duration seconds."
        ),
    )
    p.add_argument(
        "--duration",
        type=positive_float,
        metavar="SECONDS",
        help="stop after this many seconds (default: run until Ctrl-C)",
    )
    p.add_argument(
        "--metrics-port",
        type=port,
        metavar="PORT",
        help=(
            f"serve Prometheus metrics on 127.0.0.1:PORT (default {METRICS_PORT}, or a free "
            "port when that one is busy; 0: off)"
        ),
    )
    p.add_argument(
        "--venues",
        type=csv_list,
        metavar="NAME[,NAME...]",
        help="venues to start (default: every installed connector with a simulator)",
    )
    p.add_argument("--seed", type=int, default=7, help="simulator seed (default 7)")
    p.add_argument(
        "--interval",
        type=positive_float,
        default=2.0,
        metavar="SECONDS",
        help="seconds between plain-text snapshots when not on a terminal (default 2)",
    )
    p.add_argument(
        "--plain", action="store_true", help="print plain-text snapshots even on a terminal"
    )
    p.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    return run(lambda: Demo(args).main())


def choose_venues(requested: list[str] | None) -> list[str]:
    """The venues to start, or a `CliError` saying what is missing."""
    names = installed()
    if not names:
        raise CliError(
            "no connectors are installed, so there is nothing to demo; install one, e.g. "
            'python -m pip install "lotusx[binance]"'
        )
    sims = simulated()
    if not sims:
        raise CliError(
            f"none of the installed connectors ({', '.join(names)}) has a simulated venue"
        )
    if requested is None:
        return sims
    unknown = [n for n in requested if n not in sims]
    if unknown:
        raise CliError(
            f"no simulated venue for {', '.join(unknown)}; available: {', '.join(sims)}", code=2
        )
    return list(dict.fromkeys(requested))


def choose_markets(instruments: list[Instrument], limit: int = MAX_MARKETS) -> list[Instrument]:
    """Spot and linear-perpetual markets; pairs listed as both first, spot before perp."""
    usable = [i for i in instruments if i.active and i.kind in (MarketKind.SPOT, MarketKind.LINEAR)]
    kinds: dict[tuple[str, str], set[MarketKind]] = {}
    for inst in usable:
        kinds.setdefault((inst.symbol.base, inst.symbol.quote), set()).add(inst.kind)
    order = {pair: n for n, pair in enumerate(kinds)}

    def rank(inst: Instrument) -> tuple[int, int, int]:
        pair = (inst.symbol.base, inst.symbol.quote)
        return (0 if len(kinds[pair]) > 1 else 1, order[pair], inst.kind is not MarketKind.SPOT)

    return sorted(usable, key=rank)[:limit]


class Demo:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.console: Console = make_console()
        self.live = self.console.is_terminal and not args.plain
        self.board = Board()
        self.sessions: list[Session] = []
        self.baseline: dict[str, Totals] = {}
        self.metrics_url: str | None = None
        self.stream_errors = 0
        self.stop = StopSignal()

    # ------------------------------------------------------------------ lifecycle

    async def main(self) -> int:
        names = choose_venues(self.args.venues)
        if self.args.metrics_port is None:
            self.metrics_url = start_metrics(METRICS_PORT, fallback=True)
        else:
            self.metrics_url = start_metrics(self.args.metrics_port)
        with self.stop:
            async with AsyncExitStack() as stack:
                await self._start(stack, names)
                if self.stop.event.is_set():
                    return 0
                tasks = self._spawn()
                try:
                    await (self._show_live() if self.live else self._show_plain())
                finally:
                    for task in tasks:
                        task.cancel()
                    await asyncio.gather(*tasks, return_exceptions=True)
                if not self.live:
                    self._print_snapshot("final")
        return self._summary()

    async def _start(self, stack: AsyncExitStack, names: list[str]) -> None:
        say = self.console.print
        say(f"lotusx demo: starting simulated venues: {', '.join(names)}")
        for name in names:
            session = await stack.enter_async_context(
                open_session(name, sim=True, seed=self.args.seed)
            )
            self.sessions.append(session)
            self.baseline[name] = totals(name)
            try:
                instruments = await session.connector.load_instruments()
            except LotusXError as exc:
                raise CliError(f"{name}: cannot load instruments: {exc}") from None
            markets = choose_markets(list(instruments.values()))
            for inst in markets:
                self.board.add(BookState(name, inst, taker=await self._taker(session, inst)))
            listed = ", ".join(str(i.symbol) for i in markets)
            say(f"  {name}: {session.where} · streaming {listed}")
        if self.metrics_url:
            say(f"  Prometheus metrics: {self.metrics_url}")
        stop_how = (
            f"stopping after {self.args.duration:g} s or on Ctrl-C"
            if self.args.duration
            else "press Ctrl-C to stop"
        )
        say(f"  {stop_how}")

    async def _taker(self, session: Session, inst: Instrument) -> Decimal | None:
        if not session.connector.supports(Capability.GET_FEE_RATES):
            return None
        try:
            return (await session.connector.get_fee_rates(inst.symbol)).taker
        except LotusXError as exc:
            log.warning("fee_rates_unavailable", symbol=str(inst.symbol), error=str(exc))
            return None

    def _spawn(self) -> list[asyncio.Task[None]]:
        tasks = []
        for session in self.sessions:
            for state in self.board.books.values():
                if state.exchange == session.name:
                    tasks.append(asyncio.create_task(self._stream(session, state)))
            tasks.append(asyncio.create_task(self._round_trips(session)))
        return tasks

    # ------------------------------------------------------------------ work

    async def _stream(self, session: Session, state: BookState) -> None:
        """Stream one book forever; on an error, show it and reconnect with backoff."""
        delay = 0.5
        while True:
            try:
                stream = session.connector.stream_orderbook(state.instrument.symbol, BOOK_DEPTH)
                async for book in stream:
                    self.board.update(state.exchange, state.symbol, book)
                    delay = 0.5
                state.error = "stream ended"
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # shown in the table; the demo keeps going
                self.stream_errors += 1
                state.error = f"{type(exc).__name__}: {exc}"
                log.warning("demo_stream_error", symbol=state.symbol, error=state.error)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def _round_trips(self, session: Session) -> None:
        """One place → query → cancel per market kind (spot, perpetual) on this venue."""
        connector = session.connector
        needed = (Capability.PLACE_ORDER, Capability.CANCEL_ORDER)
        if not all(connector.supports(c) for c in needed):
            return
        seen: set[MarketKind] = set()
        for state in list(self.board.books.values()):
            if state.exchange != session.name or state.instrument.kind in seen:
                continue
            seen.add(state.instrument.kind)
            trip = RoundTrip(session.name, state.symbol)
            self.board.round_trips.append(trip)
            try:
                await asyncio.wait_for(state.first_book.wait(), FIRST_BOOK_TIMEOUT)
            except TimeoutError:
                trip.status, trip.detail = "failed", "no book to price the order from"
                continue
            assert state.book is not None and state.book.best_bid is not None
            await order_round_trip(connector, state.instrument, state.book.best_bid.price, trip)

    # ------------------------------------------------------------------ display

    def _deadline(self) -> float | None:
        return None if self.args.duration is None else self.board.started + self.args.duration

    async def _wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds`` (less at the deadline); True when it is time to stop."""
        deadline = self._deadline()
        if deadline is not None:
            seconds = min(seconds, deadline - time.monotonic())
        if seconds > 0 and await self.stop.wait(seconds):
            return True
        return self.stop.event.is_set() or (deadline is not None and time.monotonic() >= deadline)

    def _renderable(self) -> RenderableType:
        spent = f"{self.board.elapsed:,.1f} s"
        header = Text(f"lotusx demo · {spent} · {self.board.updates()} book updates", style="bold")
        hints = [f"metrics: {self.metrics_url}"] if self.metrics_url else []
        if self.live:
            hints.append("Ctrl-C to stop")
        footer = Text(" · ".join(hints), style="dim")
        return Group(
            header,
            books_table(self.console, self.board),
            spreads_table(self.console, spreads(self.board.quotes())),
            round_trips_table(self.console, self.board.round_trips),
            footer,
        )

    async def _show_live(self) -> None:
        with Live(self._renderable(), console=self.console, refresh_per_second=4) as live:
            while not await self._wait(0.25):
                live.update(self._renderable())
            live.update(self._renderable())

    async def _show_plain(self) -> None:
        while not await self._wait(self.args.interval):
            self._print_snapshot(f"t+{self.board.elapsed:.1f}s")

    def _print_snapshot(self, label: str) -> None:
        self.console.print(f"--- snapshot {label} ---")
        self.console.print(self._renderable())

    # ------------------------------------------------------------------ summary

    def _summary(self) -> int:
        say = self.console.print
        why = f"{self.stop.signal_name} received" if self.stop.signal_name else "duration reached"
        say(f"lotusx demo: stopped ({why}) after {self.board.elapsed:.1f} s")
        for session in self.sessions:
            name = session.name
            spent = totals(name) - self.baseline[name]
            trips = [t for t in self.board.round_trips if t.exchange == name]
            ok = sum(t.status == "ok" for t in trips)
            say(
                f"  {name}: {self.board.updates(name)} book updates from "
                f"{spent.ws_messages} WS messages, {spent.resyncs} resyncs, "
                f"{spent.reconnects} reconnects, {spent.rest_requests} REST requests, "
                f"round trips {ok}/{len(trips)} ok"
            )
        failed = [t for t in self.board.round_trips if t.status == "failed"]
        for trip in failed:
            say(f"  round trip failed on {trip.exchange} {trip.symbol}: {trip.detail}", style="red")
        return 1 if failed else 0
