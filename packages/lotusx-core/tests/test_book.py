from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lotusx.core.book import (
    BookSync,
    ContiguousSequence,
    Delta,
    L2Book,
    MonotonicSequence,
    OkxChecksum,
    PrevIdSequence,
    SyncResult,
    price_parser,
)
from lotusx.core.types import Symbol

SYM = Symbol.parse("BTC/USDT")


def fmt(ticks: int, decimals: int = 2) -> str:
    return f"{Decimal(ticks).scaleb(-decimals):.{decimals}f}"


@given(st.integers(0, 10**12), st.integers(0, 8), st.integers(0, 4))
def test_price_parser_matches_decimal(value: int, decimals: int, extra: int) -> None:
    text = f"{Decimal(value).scaleb(-decimals):.{decimals + extra}f}"
    assert price_parser(decimals)(text) == value


def test_price_parser_rejects_off_grid_and_garbage() -> None:
    with pytest.raises(ValueError, match="finer"):
        price_parser(2)("1.001")
    with pytest.raises(ValueError):
        price_parser(2)("1e5")


updates = st.lists(
    st.tuples(
        st.booleans(),  # bid side?
        st.integers(1, 400),  # price in ticks
        st.integers(0, 5),  # quantity (0 deletes)
    ),
    max_size=300,
)


@given(updates, st.integers(1, 20))
def test_deltas_in_order_equal_final_snapshot(
    changes: list[tuple[bool, int, int]], chunk: int
) -> None:
    model: dict[bool, dict[int, int]] = {True: {}, False: {}}
    book = L2Book(SYM, 2)
    book.load([], [], 0)
    seq = 0
    for start in range(0, len(changes), chunk):
        batch = changes[start : start + chunk]
        bids = [(fmt(p), f"{q}.000") for is_bid, p, q in batch if is_bid]
        asks = [(fmt(p), str(q)) for is_bid, p, q in batch if not is_bid]
        for is_bid, p, q in batch:
            if q:
                model[is_bid][p] = q
            else:
                model[is_bid].pop(p, None)
        seq += 1
        book.update(bids, asks, seq)
    expected_bids = sorted(model[True].items(), reverse=True)
    expected_asks = sorted(model[False].items())
    snap = book.snapshot()
    assert [(lv.price, lv.quantity) for lv in snap.bids] == [
        (Decimal(p).scaleb(-2), Decimal(q)) for p, q in expected_bids
    ]
    assert [(lv.price, lv.quantity) for lv in snap.asks] == [
        (Decimal(p).scaleb(-2), Decimal(q)) for p, q in expected_asks
    ]
    # A snapshot of the final state loads to the same book.
    fresh = L2Book(SYM, 2)
    fresh.load(book.bid_levels(), book.ask_levels(), seq)
    assert fresh.snapshot() == snap


def test_depth_truncation_and_best_levels() -> None:
    book = L2Book(SYM, 2, max_depth=3)
    book.load(
        [(fmt(p), "1") for p in range(100, 90, -1)], [(fmt(p), "1") for p in range(101, 111)], 1
    )
    assert len(book.bid_levels()) == 3 and len(book.ask_levels()) == 3
    assert book.best_bid is not None and book.best_bid.price == Decimal("1.00")
    assert book.best_ask is not None and book.best_ask.price == Decimal("1.01")
    assert book.snapshot(2).bids[1].price == Decimal("0.99")
    assert not book.crossed


def test_okx_checksum_documented_vectors() -> None:
    book = L2Book(Symbol.parse("BTC/USDT"), 1)
    book.load([("3366.1", "7"), ("3366", "6")], [("3366.8", "9"), ("3368", "8")], 1)
    assert OkxChecksum().compute(book) == -1881014294
    book.load([("3366.1", "7")], [("3366.8", "9"), ("3368", "8"), ("3372", "8")], 2)
    assert OkxChecksum().compute(book) == 831078360


def d(first: int, last: int, prev: int | None = None, bid: str = "1.00") -> Delta:
    return Delta(first, last, [(bid, "1")], [], prev=prev)


def test_binance_spot_procedure() -> None:
    sync = BookSync(L2Book(SYM, 2), ContiguousSequence())
    assert sync.on_delta(d(95, 99)) is SyncResult.BUFFERED
    assert sync.on_delta(d(100, 103, bid="1.01")) is SyncResult.BUFFERED
    assert sync.on_delta(d(104, 104, bid="1.02")) is SyncResult.BUFFERED
    # Snapshot at 101: the first delta is stale, the second straddles, the third follows.
    assert sync.on_snapshot([("0.50", "1")], [("2.00", "1")], 101) is SyncResult.APPLIED
    assert sync.live and sync.book.sequence == 104
    assert sync.book.best_bid is not None and sync.book.best_bid.price == Decimal("1.02")
    assert sync.on_delta(d(104, 104)) is SyncResult.SKIPPED
    assert sync.on_delta(d(106, 107)) is SyncResult.RESYNC
    assert not sync.live and len(sync.book) == 0 and sync.last_resync_reason == "sequence_gap"


def test_binance_spot_snapshot_older_than_buffer_resyncs() -> None:
    sync = BookSync(L2Book(SYM, 2), ContiguousSequence())
    sync.on_delta(d(200, 210))
    assert sync.on_snapshot([], [], 150) is SyncResult.RESYNC


def test_prev_id_chain() -> None:
    sync = BookSync(L2Book(SYM, 2), PrevIdSequence())
    sync.on_snapshot([], [], 50)
    assert sync.on_delta(d(48, 55, prev=47)) is SyncResult.APPLIED  # straddles the snapshot
    assert sync.on_delta(d(56, 60, prev=55)) is SyncResult.APPLIED
    assert sync.on_delta(d(61, 62, prev=59)) is SyncResult.RESYNC


def test_checksum_failure_discards_book() -> None:
    book = L2Book(SYM, 1)
    sync = BookSync(book, PrevIdSequence(), checksum=OkxChecksum())
    assert (
        sync.on_snapshot(
            [("3366.1", "7"), ("3366", "6")],
            [("3366.8", "9"), ("3368", "8")],
            1,
            checksum=-1881014294,
        )
        is SyncResult.APPLIED
    )
    bad = Delta(2, 2, [("3366.1", "8")], [], prev=1, checksum=-1881014294)
    assert sync.on_delta(bad) is SyncResult.RESYNC
    assert not sync.live and sync.last_resync_reason == "checksum"


def test_monotonic_skips_old() -> None:
    sync = BookSync(L2Book(SYM, 2), MonotonicSequence())
    sync.on_snapshot([], [], 10)
    assert sync.on_delta(d(9, 9)) is SyncResult.SKIPPED
    assert sync.on_delta(d(15, 15)) is SyncResult.APPLIED


def test_malformed_level_forces_resync() -> None:
    sync = BookSync(L2Book(SYM, 2), MonotonicSequence())
    sync.on_snapshot([], [], 1)
    assert sync.on_delta(Delta(2, 2, [("abc", "1")], [])) is SyncResult.RESYNC


def test_resyncs_counted_per_exchange_and_reason() -> None:
    from lotusx.core.observability import REGISTRY

    labels = {"exchange": "book-test", "reason": "sequence_gap"}
    before = REGISTRY.get_sample_value("lotusx_book_resyncs_total", labels) or 0.0
    sync = BookSync(L2Book(SYM, 2), ContiguousSequence(), exchange="book-test")
    sync.on_snapshot([], [], 10)
    sync.on_delta(d(20, 21))
    assert REGISTRY.get_sample_value("lotusx_book_resyncs_total", labels) == before + 1


@pytest.mark.parametrize(
    "level",
    [("NaN", "1"), ("1e400x", "1"), ("-1", "1"), ("0", "1"), ("1", "-1"), ("1", "Infinity")],
)
def test_levels_from_text_rejects_impossible_levels(level: tuple[str, str]) -> None:
    from lotusx.core.book import levels_from_text

    with pytest.raises(ValueError, match="book level"):
        levels_from_text([("2", "1"), level])


def test_levels_from_text_keeps_order_and_depth() -> None:
    from lotusx.core.book import levels_from_text

    levels = levels_from_text([("2.50", "1.0"), ("2.40", "0"), ("2.30", "3")], 2)
    assert [(lv.price, lv.quantity) for lv in levels] == [
        (Decimal("2.50"), Decimal("1.0")),
        (Decimal("2.40"), Decimal("0")),
    ]


def test_deferred_checksum_is_checked_on_verify_only() -> None:
    sync = BookSync(L2Book(SYM, 1), PrevIdSequence(), checksum=OkxChecksum(), defer_checksum=True)
    sync.on_snapshot([("3366.1", "7"), ("3366", "6")], [("3366.8", "9"), ("3368", "8")], 1)
    wrong = Delta(2, 2, [("3366.1", "8")], [], prev=1, checksum=-1881014294)
    assert sync.on_delta(wrong) is SyncResult.APPLIED  # not checked yet
    # A later delta restores the documented state: only the latest checksum matters.
    right = Delta(3, 3, [("3366.1", "7")], [], prev=2, checksum=-1881014294)
    assert sync.on_delta(right) is SyncResult.APPLIED
    assert sync.verify() is SyncResult.APPLIED and sync.live
    assert sync.verify() is SyncResult.APPLIED  # nothing pending
    assert sync.on_delta(Delta(4, 4, [("3366.1", "8")], [], prev=3, checksum=1)) is (
        SyncResult.APPLIED
    )
    assert sync.verify() is SyncResult.RESYNC
    assert not sync.live and sync.last_resync_reason == "checksum"


snapshot_levels = st.lists(
    st.tuples(
        st.integers(1, 10**9),  # price in units of 10**-decimals
        st.sampled_from(["0", "0.000", "1.5", "0.001", "12", "0.0"]),  # zeros are dropped
        st.integers(0, 2),  # extra trailing zeros on this price's text
    ),
    max_size=60,
    unique_by=lambda level: level[0],
)


@given(snapshot_levels, st.integers(0, 8), st.booleans())
def test_snapshot_load_keeps_exactly_the_nonzero_levels_in_price_order(
    levels: list[tuple[int, str, int]], decimals: int, uniform: bool
) -> None:
    """The joined-text fast path and the per-price path agree with a Decimal model."""
    side = [
        (f"{Decimal(p).scaleb(-decimals):.{decimals + (0 if uniform else extra)}f}", q)
        for p, q, extra in levels
    ]
    book = L2Book(SYM, decimals)
    book.load(side, side, 1)
    model = sorted(
        ((Decimal(p), p, q) for p, q in side if Decimal(q) != 0), key=lambda level: level[0]
    )
    assert book.ask_levels() == [(p, q) for _, p, q in model]
    assert book.bid_levels() == [(p, q) for _, p, q in reversed(model)]
    assert len(book) == 2 * len(model)


def test_snapshot_with_a_price_carrying_two_dots_is_refused() -> None:
    book = L2Book(SYM, 2)
    with pytest.raises(ValueError):
        book.load([("1.2.00", "1.00"), ("1.10", "1.00")], [], 1)


def test_remembered_price_keys_follow_a_change_of_scale() -> None:
    book = L2Book(SYM, 2)
    book.load([("1.00", "1")], [("2.00", "1")], 1)
    book.update([("1.50", "1")], [], 2)  # "1.50" remembered at 2 decimals
    book.load([("1.00000000", "1")], [("2.00000000", "1")], 3)  # the feed now pads to 8
    book.update([("1.50", "2"), ("1.50000000", "3")], [], 4)
    # Both texts name one price: the second overwrote the first, at the new scale.
    assert book.bid_levels() == [("1.50000000", "3"), ("1.00000000", "1")]
    book.update([("1.5", "0")], [], 5)
    assert book.bid_levels() == [("1.00000000", "1")]


@pytest.mark.parametrize("text", ["1.5 ", " 1.50", "1.0\t", "-1.50", "1_0.00", "+1.50", "١.٥٠"])
def test_price_text_that_is_not_plain_digits_is_refused_everywhere(text: str) -> None:
    with pytest.raises(ValueError):
        price_parser(2)(text)
    with pytest.raises(ValueError):
        L2Book(SYM, 2).load([(text, "1"), ("1.00", "1")], [], 1)
    book = L2Book(SYM, 2)
    book.load([("1.00", "1")], [], 1)
    with pytest.raises(ValueError):
        book.update([(text, "1")], [], 2)
