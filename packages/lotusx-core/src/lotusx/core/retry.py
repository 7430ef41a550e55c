"""The one retry policy: idempotent calls only, exponential backoff with full jitter.

Retried: network failures, timeouts, 5xx/maintenance and 429 (waiting at least the exchange's
``Retry-After``). Never retried: an IP ban (418), anything the exchange rejected on its merits,
and any non-idempotent call. A placement whose outcome is unknown is resolved by looking its
client order id up (`resolve_placement`), never by sending it again blindly.
"""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

import msgspec

from lotusx.core.errors import (
    ExchangeUnavailable,
    IpBanned,
    NetworkError,
    OrderNotFound,
    OrderStatusUnknown,
    RateLimitExceeded,
    RequestNotSent,
)

__all__ = ["RetryPolicy", "resolve_placement"]

T = TypeVar("T")

RETRYABLE: tuple[type[Exception], ...] = (NetworkError, ExchangeUnavailable, RateLimitExceeded)


class RetryPolicy(msgspec.Struct, frozen=True):
    """``max_tries`` attempts in all; delays grow ``base * factor**n`` up to ``max_delay``."""

    max_tries: int = 4
    base: float = 0.1
    factor: float = 2.0
    max_delay: float = 5.0

    def delays(self) -> Iterator[float]:
        """The waits before the 2nd, 3rd... attempt: uniform in [0, base*factor**n], capped."""
        for n in itertools.count():
            yield random.uniform(0, min(self.max_delay, self.base * self.factor**n))

    async def run(self, call: Callable[[], Awaitable[T]], *, idempotent: bool) -> T:
        """Run ``call``; retry it per the policy when ``idempotent``.

        The first attempt costs one ``try``: no per-call retry machinery is built until a
        retryable error happens (this wraps every REST request).
        """
        if not idempotent or self.max_tries <= 1:
            return await call()
        waits: Iterator[float] | None = None
        tries = 1
        while True:
            try:
                return await call()
            except RETRYABLE as exc:
                if isinstance(exc, IpBanned) or tries >= self.max_tries:
                    raise
                waits = waits or self.delays()
                delay = next(waits)
                if isinstance(exc, RateLimitExceeded) and exc.retry_after is not None:
                    delay = max(delay, exc.retry_after)  # never sooner than the exchange said
                tries += 1
                await asyncio.sleep(delay)


async def resolve_placement(
    place: Callable[[], Awaitable[T]],
    lookup: Callable[[], Awaitable[T]],
    *,
    exchange: str,
    endpoint: str,
    client_order_id: str,
    checks: int = 3,
    delay: float = 0.2,
) -> T:
    """Send a placement once; if its fate is unknown, find it by client order id.

    Returns the placed order when the send succeeded or the lookup found it. Re-raises the send's
    error when every lookup says the exchange has no such order (it was not placed; safe to try
    again). Raises `OrderStatusUnknown` when the lookups themselves could not answer.
    """
    try:
        return await place()
    except (NetworkError, ExchangeUnavailable) as failure:
        if isinstance(failure, OrderStatusUnknown):
            raise
        if isinstance(failure, RequestNotSent):
            failure.add_note(f"client order id {client_order_id} was never sent: not placed")
            raise
        cause: Exception = failure
        absent = 0
        for attempt in range(checks):
            await asyncio.sleep(delay * (attempt + 1))
            try:
                return await lookup()
            except OrderNotFound:
                absent += 1
            except (NetworkError, ExchangeUnavailable, RateLimitExceeded) as exc:
                cause = exc
        if absent == checks:
            failure.add_note(
                f"client order id {client_order_id} confirmed absent by {checks} lookups: "
                "the order was not placed"
            )
            raise failure from None
        raise OrderStatusUnknown(
            f"placement outcome unknown after {checks} lookups ({cause})",
            exchange=exchange,
            endpoint=endpoint,
            client_order_id=client_order_id,
        ) from cause
