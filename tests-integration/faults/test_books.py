"""Books under disconnects, sequence gaps, corrupted checksums, truncated frames and stalls.

Invariant: no `OrderBook` that differs from the venue's true book at the same sequence is ever
yielded. Every fault leads to a resync (``lotusx_book_resyncs_total`` moves) and the stream
recovers; the time from fault to the first good book after the resync is reported.
"""

from __future__ import annotations

import asyncio
import random
import time

import pytest
from faultkit import BookTruth, BookWatch, Chaos, can, environment, resyncs_total, summary_ms

DEPTH = 10
RUN_SECONDS = 6.0
# Share of yielded books with no venue state to compare with (default 5 %). Kraken: a futures
# update of k levels streams k one-level messages, and the k-1 books between them are no state
# the engine had; spot books carry no sequence and are known by their millisecond timestamp,
# ambiguous when several updates share it.
UNVERIFIABLE = {"kraken": 0.2}


@pytest.mark.parametrize("seed", [101])
async def test_books_never_wrong_under_random_faults(
    exchange: str, seed: int, record_property: pytest.RecordProperty
) -> None:
    candidates = ["drop_ws", "sequence_gap", "malformed_frames", "stall", "bad_checksum"]
    faults = [kind for kind in candidates if can(exchange, kind)]
    async with environment(exchange, seed=seed, tick_interval=0.05) as env:
        rng = random.Random(seed)
        chaos = Chaos(env.venue, rng, tuple(faults))
        watches = []
        for symbol in env.symbols:
            market, native = env.native(symbol)
            truth = BookTruth(env.venue, market, native, DEPTH)
            watches.append(BookWatch(env.connector, symbol, truth, chaos, depth=DEPTH))
        resyncs_before = resyncs_total(exchange)
        until = time.monotonic() + RUN_SECONDS
        # Every fault kind at least once (in seeded order), then seeded random ones.
        kinds = list(faults)
        rng.shuffle(kinds)

        async def drive() -> None:
            await asyncio.sleep(1.0)  # let both books go live first
            for kind in kinds:
                chaos.faults = (kind,)
                await chaos.inject()
                await asyncio.sleep(0.6)
            chaos.faults = tuple(faults)
            await chaos.run(until - 1.0, gap=(0.3, 0.7))  # the last second: recover

        await asyncio.gather(drive(), *(w.run(until) for w in watches))
        for w in watches:
            w.truth.close()
        injected = dict(env.venue.faults.injected)
        resyncs = resyncs_total(exchange) - resyncs_before

    report = {
        "faults injected": injected,
        "chaos log": [name for _, name in chaos.log],
        "resyncs": resyncs,
        "resync time": summary_ms([t for w in watches for t in w.resync_times]),
        **{
            f"{w.symbol}": f"yielded={w.yielded} verified={w.verified} "
            f"unverifiable={w.unverifiable} wrong={len(w.wrong)}"
            for w in watches
        },
    }
    for key, value in report.items():
        record_property(key, str(value))
    print(f"\n[{exchange}] books under faults: {report}")

    for w in watches:
        assert not w.errors, w.errors
        assert not w.wrong, w.wrong[:5]
        assert w.verified > 20, f"{w.symbol}: too few books checked ({w.verified})"
        share = UNVERIFIABLE.get(exchange, 0.05)
        assert w.unverifiable <= w.yielded * share, (w.unverifiable, w.yielded)
        assert w.sequences_backwards == 0 or w.resync_times, "sequence went back without resync"
    # Every fault kind fired and each kind that breaks the feed forced resyncs.
    for kind in faults:
        fired = kind == "stall" or injected.get(
            {"sequence_gap": "sequence_gaps", "bad_checksum": "bad_checksums"}.get(kind, kind), 0
        )
        assert fired, f"{kind} never fired: {injected}"
    breaking = sum(1 for _, name in chaos.log if name in ("drop_ws", "sequence_gap"))
    assert resyncs >= breaking, f"{breaking} breaking faults but only {resyncs} resyncs"
    # Every book stream recovered: books kept coming after the last fault.
    last_fault = chaos.log[-1][0] if chaos.log else 0.0
    assert all(w.resync_times for w in watches), "no resync time was measured"
    assert last_fault < until
