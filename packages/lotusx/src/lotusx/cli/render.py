"""Rich tables for every command, and the Decimal formatting they share (never via float)."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from lotusx.cli.board import Board, RoundTrip
from lotusx.cli.spreads import BPS, Spread
from lotusx.core.capabilities import Capability, CapabilityGroup
from lotusx.core.connector import Connector
from lotusx.core.types import BookLevel, Instrument, OrderBook

__all__ = [
    "book_ladder",
    "books_table",
    "capability_matrix",
    "emulation_notes",
    "fmt_bps",
    "fmt_decimal",
    "fmt_ms",
    "latency_table",
    "make_console",
    "marks",
    "round_trips_table",
    "spreads_table",
]

CENT = Decimal("0.01")


def make_console(file: TextIO | None = None) -> Console:
    """A console on stdout; plain (no colour, no cursor tricks) when it is not a terminal."""
    out = file or sys.stdout
    return Console(file=out, highlight=False, soft_wrap=False, width=None if out.isatty() else 160)


def marks(console: Console) -> tuple[str, str]:
    """(yes, no) symbols: ✓/– when the output encoding has them, else y/-."""
    try:
        "✓–".encode(console.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return "y", "-"
    return "✓", "–"


def fmt_decimal(value: Decimal | None, step: Decimal | None = None) -> str:
    """``value`` on the grid of ``step`` (tick or lot size) with thousands separators."""
    if value is None:
        return "—"
    if step is not None and step > 0:
        value = value.quantize(step.normalize(), rounding=ROUND_HALF_EVEN)
    return format(value, ",f")


def fmt_bps(value: Decimal | None, *, signed: bool = True) -> str:
    if value is None:
        return "—"
    spec = "+,f" if signed else ",f"
    return f"{format(value.quantize(CENT, rounding=ROUND_HALF_EVEN), spec)} bps"


def fmt_ms(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{format(value.quantize(CENT, rounding=ROUND_HALF_EVEN), ',f')} ms"


def _box(console: Console) -> box.Box:
    return box.ROUNDED if console.is_terminal else box.ASCII


# ----------------------------------------------------------------------------- exchanges


def capability_matrix(console: Console, connectors: Mapping[str, type[Connector]]) -> Table:
    """Rows: capabilities grouped by `CapabilityGroup`; columns: connectors; ✓, ~ (emulated by
    several requests: see `emulation_notes`) or –."""
    yes, no = marks(console)
    table = Table(title="Connector capabilities", box=_box(console), show_lines=False)
    table.add_column("capability", no_wrap=True)
    for name in connectors:
        table.add_column(name, justify="center")
    for group in CapabilityGroup:
        caps = [c for c in Capability if c.group is group]
        table.add_section()
        table.add_row(Text(group.value, style="bold"), *("" for _ in connectors))
        for cap in caps:
            cells = [
                Text("~", style="yellow")
                if cap in cls.emulated
                else Text(yes, style="green")
                if cap in cls.capabilities
                else Text(no, style="dim")
                for cls in connectors.values()
            ]
            table.add_row(f"  {cap.value}", *cells)
    table.add_section()
    table.add_row(
        Text("supported", style="bold"),
        *(f"{len(cls.capabilities)}/{len(Capability)}" for cls in connectors.values()),
    )
    return table


def emulation_notes(connectors: Mapping[str, type[Connector]]) -> list[str]:
    """One line per emulated capability (``~`` in the matrix): the connector, and how."""
    return [
        f"~ {name} {cap.value}: {how}"
        for name, cls in connectors.items()
        for cap, how in cls.emulated.items()
    ]


# ----------------------------------------------------------------------------- books


def _spread_bps(book: OrderBook) -> Decimal | None:
    bid, ask, mid = book.best_bid, book.best_ask, book.mid
    if bid is None or ask is None or not mid:
        return None
    return (ask.price - bid.price) / mid * BPS


def _level(level: BookLevel | None, inst: Instrument) -> tuple[str, str]:
    if level is None:
        return "—", "—"
    return fmt_decimal(level.price, inst.tick_size), fmt_decimal(level.quantity, inst.lot_size)


def books_table(console: Console, board: Board) -> Table:
    """Per exchange and market: best bid, best ask, spread, updates received."""
    table = Table(title="Order books (top of book)", box=_box(console))
    for name, justify in (
        ("exchange", "left"),
        ("market", "left"),
        ("symbol", "left"),
        ("bid qty", "right"),
        ("best bid", "right"),
        ("best ask", "right"),
        ("ask qty", "right"),
        ("spread", "right"),
        ("updates", "right"),
    ):
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for state in board.books.values():
        inst = state.instrument
        if state.book is None:
            waiting = Text(state.error or "waiting for book…", style="yellow")
            table.add_row(state.exchange, state.market, state.symbol, "", waiting, "", "", "", "0")
            continue
        bid_px, bid_qty = _level(state.book.best_bid, inst)
        ask_px, ask_qty = _level(state.book.best_ask, inst)
        table.add_row(
            state.exchange,
            state.market,
            state.symbol,
            bid_qty,
            Text(bid_px, style="green"),
            Text(ask_px, style="red"),
            ask_qty,
            fmt_bps(_spread_bps(state.book), signed=False),
            str(state.updates),
        )
    return table


def spreads_table(console: Console, found: Sequence[Spread], limit: int = 12) -> Table:
    """Fee-adjusted spreads: buy at ask*(1+taker) on A, sell at bid*(1-taker) on B."""
    table = Table(
        title="Fee-adjusted spreads: buy on A at ask×(1+taker A), sell on B at bid×(1−taker B)",
        box=_box(console),
    )
    for name, justify in (
        ("buy on A", "left"),
        ("taker A", "right"),
        ("sell on B", "left"),
        ("taker B", "right"),
        ("A ask+fee", "right"),
        ("B bid−fee", "right"),
        ("edge/unit", "right"),
        ("edge", "right"),
    ):
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for spread in found[:limit]:
        style = "green" if spread.edge > 0 else "dim"
        tick = spread.buy.tick
        table.add_row(
            spread.buy.label,
            fmt_bps(spread.buy.taker * BPS, signed=False),
            spread.sell.label,
            fmt_bps(spread.sell.taker * BPS, signed=False),
            fmt_decimal(spread.buy_price, tick),
            fmt_decimal(spread.sell_price, spread.sell.tick),
            Text(fmt_decimal(spread.edge, tick), style=style),
            Text(fmt_bps(spread.edge_bps), style=style),
        )
    if not found:
        table.add_row(Text("waiting for books on two markets of the same pair…", "yellow"))
    return table


def round_trips_table(console: Console, trips: Sequence[RoundTrip]) -> Table:
    """Signed order round trips: place a far-away limit order, query it, cancel it."""
    table = Table(title="Signed order round trips: place → query → cancel", box=_box(console))
    for name, justify in (
        ("exchange", "left"),
        ("symbol", "left"),
        ("resting limit buy", "left"),
        ("order id", "left"),
        ("place", "right"),
        ("query", "right"),
        ("cancel", "right"),
        ("total", "right"),
        ("result", "left"),
    ):
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for trip in trips:
        order = "—"
        if trip.price is not None and trip.quantity is not None:
            order = f"{fmt_decimal(trip.quantity)} @ {fmt_decimal(trip.price)}"
        style = {"ok": "green", "failed": "red"}.get(trip.status, "yellow")
        result = trip.status if trip.status != "failed" else f"failed: {trip.detail}"
        table.add_row(
            trip.exchange,
            trip.symbol,
            order,
            trip.order_id or "—",
            fmt_ms(trip.place_ms),
            fmt_ms(trip.query_ms),
            fmt_ms(trip.cancel_ms),
            fmt_ms(trip.total_ms),
            Text(result, style=style, overflow="fold"),
        )
    return table


def book_ladder(console: Console, book: OrderBook, inst: Instrument, title: str) -> Table:
    """A depth ladder: bids on the left, asks on the right, best prices on the first row."""
    table = Table(title=title, box=_box(console))
    table.add_column("bid qty", justify="right", no_wrap=True)
    table.add_column("bid", justify="right", style="green", no_wrap=True)
    table.add_column("ask", justify="right", style="red", no_wrap=True)
    table.add_column("ask qty", justify="right", no_wrap=True)
    for i in range(max(len(book.bids), len(book.asks))):
        bid = book.bids[i] if i < len(book.bids) else None
        ask = book.asks[i] if i < len(book.asks) else None
        bid_px, bid_qty = _level(bid, inst)
        ask_px, ask_qty = _level(ask, inst)
        table.add_row(bid_qty, bid_px, ask_px, ask_qty)
    table.caption = f"spread {fmt_bps(_spread_bps(book), signed=False)} · sequence {book.sequence}"
    return table


def latency_table(console: Console, title: str, rows: Sequence[Sequence[str]]) -> Table:
    """measurement | samples | p50 | p95 | p99 | max | note."""
    table = Table(title=title, box=_box(console))
    for name in ("measurement", "samples", "p50", "p95", "p99", "max", "note"):
        justify = "left" if name in ("measurement", "note") else "right"
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for row in rows:
        table.add_row(*row)
    return table
