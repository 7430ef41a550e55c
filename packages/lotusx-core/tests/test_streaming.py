import asyncio
from collections.abc import AsyncIterator

import pytest

from lotusx.core.streaming import merge


async def _numbers(start: int, count: int, delay: float) -> AsyncIterator[int]:
    for n in range(start, start + count):
        await asyncio.sleep(delay)
        yield n


async def _failing() -> AsyncIterator[int]:
    yield 1
    raise RuntimeError("venue went away")


async def test_merge_interleaves_all_items() -> None:
    got = [n async for n in merge(_numbers(0, 5, 0.001), _numbers(100, 5, 0.0015))]
    assert sorted(got) == [0, 1, 2, 3, 4, 100, 101, 102, 103, 104]


async def test_merge_propagates_the_first_error() -> None:
    with pytest.raises(RuntimeError, match="venue went away"):
        async for _ in merge(_numbers(0, 100, 0.01), _failing()):
            pass


class _Queue:
    def __init__(self) -> None:
        self.pending = 0


def test_conflation_skips_while_backlogged_but_not_forever() -> None:
    from lotusx.core.streaming import Conflation

    backlog = _Queue()
    conflation = Conflation(backlog, limit=3)
    assert conflation.ready()  # nothing queued: hand the state over
    backlog.pending = 10
    assert [conflation.ready() for _ in range(5)] == [False, False, False, True, False]
    backlog.pending = 0
    assert conflation.ready()
