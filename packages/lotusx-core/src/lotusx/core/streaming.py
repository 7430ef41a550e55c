"""Async-iterator utilities shared by connectors' streams."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Protocol, TypeVar, cast

__all__ = ["Conflation", "merge"]

T = TypeVar("T")


class _Backlog(Protocol):
    @property
    def pending(self) -> int: ...


class Conflation:
    """Decides when a stateful stream (a book) should hand its state to the consumer.

    While messages are already queued behind the one just applied, building a state object for
    each would only give the consumer stale intermediate states: skip them, but never more than
    ``limit`` in a row, so a saturated feed still yields regularly.
    """

    __slots__ = ("_backlog", "limit", "skipped")

    def __init__(self, backlog: _Backlog, limit: int = 64) -> None:
        self._backlog = backlog
        self.limit = limit
        self.skipped = 0

    def ready(self) -> bool:
        if self._backlog.pending and self.skipped < self.limit:
            self.skipped += 1
            return False
        self.skipped = 0
        return True


_DONE = object()


async def merge(*iterators: AsyncIterator[T]) -> AsyncIterator[T]:
    """Interleave several async iterators; an error in any ends the merge with that error."""
    if len(iterators) == 1:
        async for item in iterators[0]:
            yield item
        return
    queue: asyncio.Queue[object] = asyncio.Queue(maxsize=1)

    async def pump(source: AsyncIterator[T]) -> None:
        # Nothing is queued once cancelled: the consumer is gone and the queue may be full.
        try:
            async for item in source:
                await queue.put(item)
        except Exception as exc:
            await queue.put(exc)
            return
        await queue.put(_DONE)

    tasks = [asyncio.create_task(pump(source)) for source in iterators]
    running = len(tasks)
    try:
        while running:
            got = await queue.get()
            if got is _DONE:
                running -= 1
            elif isinstance(got, Exception):
                raise got
            else:
                yield cast(T, got)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for source in iterators:
            aclose = getattr(source, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()
