"""Book-engine benchmarks (issue: foundation): snapshot decode and the delta pipeline."""

from __future__ import annotations

import json
import random
from decimal import Decimal

import msgspec
from harness import Report, Row, best_of

from lotusx.core.book import BookSync, ContiguousSequence, Delta, L2Book
from lotusx.core.types import Symbol

SYMBOL = Symbol.parse("BTC/USDT")


class DepthSnapshot(msgspec.Struct):
    lastUpdateId: int  # noqa: N815 - Binance's field name
    bids: list[tuple[str, str]]
    asks: list[tuple[str, str]]


class DepthUpdate(msgspec.Struct):
    e: str
    E: int
    s: str
    U: int
    u: int
    b: list[tuple[str, str]]
    a: list[tuple[str, str]]


def snapshot_bytes(levels: int, seed: int = 1) -> bytes:
    """A Binance-style depth snapshot: prices in cents, 8-decimal text like the exchange."""
    rng = random.Random(seed)
    mid = 6_000_000
    bids = [
        [f"{Decimal(mid - i).scaleb(-2):.8f}", f"{rng.random() * 3:.8f}"]
        for i in range(1, levels + 1)
    ]
    asks = [
        [f"{Decimal(mid + i).scaleb(-2):.8f}", f"{rng.random() * 3:.8f}"]
        for i in range(1, levels + 1)
    ]
    return json.dumps({"lastUpdateId": 1000, "bids": bids, "asks": asks}).encode()


def update_messages(count: int, *, first_id: int = 1001, seed: int = 2) -> list[bytes]:
    """Diff-depth messages around the mid: sets and deletes, 1-10 levels per side each."""
    rng = random.Random(seed)
    mid = 6_000_000
    out = []
    uid = first_id
    for _ in range(count):

        def levels(sign: int) -> list[list[str]]:
            return [
                [
                    f"{Decimal(mid + sign * rng.randint(1, 300)).scaleb(-2):.8f}",
                    "0.00000000" if rng.random() < 0.3 else f"{rng.random() * 3:.8f}",
                ]
                for _ in range(rng.randint(1, 10))
            ]

        span = rng.randint(1, 3)
        msg = {
            "e": "depthUpdate",
            "E": 1_700_000_000_000 + uid,
            "s": "BTCUSDT",
            "U": uid,
            "u": uid + span - 1,
            "b": levels(-1),
            "a": levels(1),
        }
        uid += span
        out.append(json.dumps(msg).encode())
    return out


def run(report: Report) -> None:
    import ccxt
    import ccxt.pro

    raw = snapshot_bytes(5000)
    decoder = msgspec.json.Decoder(DepthSnapshot)
    exchange = ccxt.binance()

    def lotusx_decode() -> object:
        snap = decoder.decode(raw)
        book = L2Book(SYMBOL, 2)
        book.load(snap.bids, snap.asks, snap.lastUpdateId)
        return book

    def ccxt_decode() -> object:
        return exchange.parse_order_book(json.loads(raw), "BTC/USDT")

    def floor_decode() -> object:
        return decoder.decode(raw)

    # Correctness first: both books agree on the top of book.
    ours, theirs = lotusx_decode(), ccxt_decode()
    assert ours.best_bid is not None and ours.best_bid.price == Decimal(str(theirs["bids"][0][0]))  # type: ignore[attr-defined,index]
    t_lotusx = best_of(lotusx_decode, repeat=15, number=3)
    t_ccxt = best_of(ccxt_decode, repeat=7, number=2)
    t_floor = best_of(floor_decode, repeat=15, number=3)
    report.add(
        Row(
            "decode 5,000-level snapshot into a book",
            "ms",
            t_lotusx * 1e3,
            t_ccxt * 1e3,
            "ccxt parse_order_book",
            t_floor * 1e3,
            target=">=4x ccxt, <=1.3x floor",
            min_ratio=4.0,
            max_floor_ratio=1.3,
        )
    )

    messages = update_messages(20_000)
    update_decoder = msgspec.json.Decoder(DepthUpdate)
    base_snapshot = decoder.decode(raw)

    def lotusx_pipeline() -> None:
        sync = BookSync(L2Book(SYMBOL, 2), ContiguousSequence())
        sync.on_snapshot(base_snapshot.bids, base_snapshot.asks, base_snapshot.lastUpdateId)
        book = sync.book
        for message in messages:
            m = update_decoder.decode(message)
            sync.on_delta(Delta(m.U, m.u, m.b, m.a, timestamp=m.E))
            book.best_bid, book.best_ask  # noqa: B018 - what a consumer reads each update

    pro = ccxt.pro.binance()

    def ccxt_pipeline() -> None:
        orderbook = pro.order_book(exchange.parse_order_book(json.loads(raw), "BTC/USDT"))
        for message in messages:
            data = json.loads(message)
            pro.handle_order_book_message(None, data, orderbook)
            orderbook["bids"][0], orderbook["asks"][0]

    t_ours = best_of(lotusx_pipeline, repeat=5)
    t_theirs = best_of(ccxt_pipeline, repeat=5)
    n = len(messages)
    levels = sum(len(m.b) + len(m.a) for m in map(update_decoder.decode, messages))
    for count, unit in ((n, "msg/s"), (levels, "levels/s")):
        report.add(
            Row(
                f"depth updates -> book with best bid/ask ({unit.split('/')[0]})",
                unit,
                count / t_ours,
                count / t_theirs,
                "ccxt.pro OrderBook",
                higher_is_better=True,
                target=">=2x ccxt.pro",
                min_ratio=2.0,
            )
        )
