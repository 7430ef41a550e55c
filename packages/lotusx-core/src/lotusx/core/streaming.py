"""Async-iterator utilities shared by connectors' streams."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TypeVar, cast

__all__ = ["merge"]

T = TypeVar("T")

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
