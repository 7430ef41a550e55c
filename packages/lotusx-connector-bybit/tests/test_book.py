"""Bybit book sync rules (snapshot resets, contiguous ``u``, ``seq``, u == 1), with Hypothesis."""

from __future__ import annotations

from decimal import Decimal

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from lotusx.connectors.bybit.streams import BybitBook
from lotusx.connectors.bybit.wire import WsMessageWire
from lotusx.core.book import L2Book, SyncResult
from lotusx.core.types import Symbol

SYM = Symbol("BTC", "USDT")
Level = tuple[str, str]


def message(kind: str, u: int, bids: list[Level], asks: list[Level], seq: int = 0) -> WsMessageWire:
    data = {"s": "BTCUSDT", "b": bids, "a": asks, "u": u, "seq": seq}
    return WsMessageWire(
        topic="orderbook.50.BTCUSDT",
        data=msgspec.Raw(msgspec.json.encode(data)),
        type=kind,
        ts=1_700_000_000_000 + u,
    )


def fresh() -> BybitBook:
    return BybitBook(L2Book(SYM, 2), exchange=None)


SNAP = message("snapshot", 100, [("99.00", "1"), ("98.00", "2")], [("101.00", "1")], seq=10)


def test_delta_before_snapshot_is_dropped_then_snapshot_goes_live() -> None:
    book = fresh()
    assert book.on_message(message("delta", 5, [("1.00", "1")], [])) is SyncResult.SKIPPED
    assert not book.live
    assert book.on_message(SNAP) is SyncResult.APPLIED and book.live
    assert book.book.snapshot().sequence == 100


def test_delta_applies_sets_and_deletes() -> None:
    book = fresh()
    book.on_message(SNAP)
    result = book.on_message(message("delta", 101, [("98.00", "0"), ("99.50", "3")], [], seq=11))
    assert result is SyncResult.APPLIED
    snap = book.book.snapshot()
    assert [(lv.price, lv.quantity) for lv in snap.bids] == [
        (Decimal("99.50"), Decimal("3")),
        (Decimal("99.00"), Decimal("1")),
    ]
    assert snap.sequence == 101
    assert book.snapshot(10).sequence == 11  # handed out with Bybit's cross sequence


def test_a_delta_already_in_the_book_is_skipped() -> None:
    book = fresh()
    book.on_message(SNAP)
    assert book.on_message(message("delta", 100, [("99.00", "7")], [], seq=10)) is (
        SyncResult.SKIPPED
    )
    assert book.live and book.book.bid_levels(1) == [("99.00", "1")]


def test_inconsistencies_resync() -> None:
    cases = [
        message("delta", 102, [("99.00", "2")], [], seq=11),  # u skips 101: a delta was lost
        message("delta", 1, [("99.00", "2")], [], seq=11),  # u == 1 outside a snapshot
        message("delta", 101, [("99.00", "2")], [], seq=9),  # seq backwards
        message("delta", 101, [("102.00", "1")], [], seq=11),  # crosses the book
        message("delta", 101, [("99.001", "1")], [], seq=11),  # finer than the tick
        message("other", 101, [], []),
    ]
    for bad in cases:
        book = fresh()
        book.on_message(SNAP)
        assert book.on_message(bad) is SyncResult.RESYNC, bad
        assert not book.live
        # deltas of the old subscription are dropped until the new snapshot
        assert book.on_message(message("delta", 200, [], [])) is SyncResult.SKIPPED
        assert book.on_message(message("snapshot", 1, [("9.00", "1")], [])) is SyncResult.APPLIED
        assert book.live and book.book.sequence == 1  # a restart snapshot (u == 1) reloads


def test_malformed_payload_resyncs() -> None:
    book = fresh()
    book.on_message(SNAP)
    bad = WsMessageWire(topic="orderbook.50.BTCUSDT", data=msgspec.Raw(b'{"s":1}'), type="delta")
    assert book.on_message(bad) is SyncResult.RESYNC


prices = st.integers(min_value=1, max_value=60).map(lambda p: f"{p}.00")
quantities = st.sampled_from(["0", "0.5", "1", "2.25"])
updates = st.lists(st.tuples(st.booleans(), prices, quantities), max_size=8)


@settings(max_examples=200, deadline=None)
@given(st.lists(updates, max_size=25))
def test_deltas_track_a_reference_model(deltas: list[list[tuple[bool, str, str]]]) -> None:
    """Bids live below 100, asks above: applying deltas equals a plain dict model."""
    book = fresh()
    model: dict[str, dict[str, str]] = {"b": {}, "a": {}}
    assert book.on_message(message("snapshot", 1, [], [])) is SyncResult.APPLIED
    for u, delta in enumerate(deltas, start=2):
        bids = [(p, q) for is_bid, p, q in delta if is_bid]
        asks = [(str(int(p[:-3]) + 100) + ".00", q) for is_bid, p, q in delta if not is_bid]
        for side, levels in (("b", bids), ("a", asks)):
            for p, q in levels:
                if q == "0":
                    model[side].pop(p, None)
                else:
                    model[side][p] = q
        assert book.on_message(message("delta", u, bids, asks, seq=u)) is SyncResult.APPLIED
        snap = book.book.snapshot()
        want_bids = sorted(((Decimal(p), Decimal(q)) for p, q in model["b"].items()), reverse=True)
        want_asks = sorted((Decimal(p), Decimal(q)) for p, q in model["a"].items())
        assert [(lv.price, lv.quantity) for lv in snap.bids] == want_bids
        assert [(lv.price, lv.quantity) for lv in snap.asks] == want_asks
        assert snap.sequence == u


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=30))
def test_u_must_follow_by_one(us: list[int]) -> None:
    book = fresh()
    book.on_message(message("snapshot", 10, [("50.00", "1")], [("150.00", "1")]))
    last = 10
    for u in us:
        result = book.on_message(message("delta", u, [("50.00", "2")], []))
        if not book.live and result is not SyncResult.RESYNC:
            assert result is SyncResult.SKIPPED  # until the next snapshot
            continue
        if u == 1 or u > last + 1:
            assert result is SyncResult.RESYNC  # a restart, or a lost delta
        elif u <= last:
            assert result is SyncResult.SKIPPED  # already in the book
        else:
            assert result is SyncResult.APPLIED
            last = u
