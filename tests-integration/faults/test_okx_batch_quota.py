"""OKX counts a one-order batch against the single-order quota (as it documents): a burst that
mixes `place_order` with one-order `place_batch_orders` on one instrument must wait for that
shared quota instead of earning OKX's 50011 "too many requests"."""

from __future__ import annotations

import asyncio
from collections import Counter

from faultkit import environment

from lotusx.core.errors import ExchangeError
from lotusx.core.testing import Target

ORDERS = 70  # above the venue's 60 place-order requests per 2 s per instrument


async def test_one_order_batches_share_the_single_order_quota() -> None:
    async with environment("okx", seed=13) as env:
        c = env.connector
        target = Target(c, env.venue, env.spot, env.perp)
        requests = [await target.resting_buy(env.spot, f"b1q{n}") for n in range(ORDERS)]
        before = len(env.venue.view.requests)

        async def place(n: int) -> str:
            if n % 2:
                (result,) = await c.place_batch_orders([requests[n]])
                return type(result).__name__ if isinstance(result, ExchangeError) else "ok"
            await c.place_order(requests[n])
            return "ok"

        outcomes = Counter(await asyncio.gather(*(place(n) for n in range(ORDERS))))
        statuses = Counter(r.status for r in env.venue.view.requests[before:])
    assert outcomes == {"ok": ORDERS}, outcomes
    assert statuses[429] == 0, statuses
