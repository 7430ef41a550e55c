"""Cold import time and memory per maintained book, each measured in fresh subprocesses.

python bench/startup.py memory lotusx|ccxt   # one measurement: bytes per book (tracemalloc)
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from harness import Report, Row

HERE = Path(__file__).parent
BOOKS, LEVELS, UPDATES = 100, 1_000, 200


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown cpu"


def _import_seconds(statement: str, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _memory(which: str) -> float:
    out = subprocess.run(
        [sys.executable, str(HERE / "startup.py"), "memory", which],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.split()[-1])


def measure_memory(which: str) -> float:
    """Bytes allocated (and still held) per book: ``BOOKS`` books of ``LEVELS`` levels a side,
    each loaded from its own decoded snapshot and then maintained through ``UPDATES`` diffs."""
    import json
    import tracemalloc

    import book_engine
    import msgspec

    raws = [book_engine.snapshot_bytes(LEVELS, seed=i) for i in range(BOOKS)]
    diffs = book_engine.update_messages(UPDATES)
    if which == "lotusx":
        from lotusx.core.book import BookSync, ContiguousSequence, Delta, L2Book

        decode = msgspec.json.Decoder(book_engine.DepthSnapshot).decode
        decode_diff = msgspec.json.Decoder(book_engine.DepthUpdate).decode
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        books: list[object] = []
        for raw in raws:
            snap = decode(raw)
            sync = BookSync(L2Book(book_engine.SYMBOL, 2), ContiguousSequence())
            sync.on_snapshot(snap.bids, snap.asks, snap.lastUpdateId)
            for message in diffs:
                m = decode_diff(message)
                sync.on_delta(Delta(m.U, m.u, m.b, m.a, timestamp=m.E))
            books.append(sync)
            del snap, m
    else:
        import ccxt
        import ccxt.pro

        rest, pro = ccxt.binance(), ccxt.pro.binance()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        books = []
        for raw in raws:
            book = pro.order_book(rest.parse_order_book(json.loads(raw), "BTC/USDT"))
            for message in diffs:
                pro.handle_order_book_message(None, json.loads(message), book)
            books.append(book)
    used = tracemalloc.get_traced_memory()[0] - base
    return used / len(books)


def run(report: Report, quick: bool, connectors: list[str]) -> None:
    repeat = 5 if quick else 9
    floor = _import_seconds("import aiohttp, msgspec", repeat)
    for name in connectors:
        ours = _import_seconds(f"import lotusx.connectors.{name}", repeat)
        theirs = _import_seconds("import ccxt.async_support", repeat)
        report.add(
            Row(
                f"cold import lotusx.connectors.{name}",
                "ms",
                ours * 1e3,
                theirs * 1e3,
                "import ccxt.async_support",
                floor * 1e3,
                target="<=1.5x aiohttp+msgspec import",
                max_floor_ratio=1.5,
            )
        )
    ours, theirs = _memory("lotusx"), _memory("ccxt")
    report.add(
        Row(
            f"memory per book ({BOOKS} books, {LEVELS:,} levels a side)",
            "KiB",
            ours / 1024,
            theirs / 1024,
            "ccxt.pro OrderBook",
            target="reported per book",
        )
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["memory"]:
        sys.path.insert(0, str(HERE))
        print(measure_memory(sys.argv[2]))
