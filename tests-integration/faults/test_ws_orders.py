"""WebSocket order entry under faults: replies lost after the venue accepted (socket closed, reply
never sent), and the socket dropped in the middle of a burst of placements.

As over REST (`test_orders`), every placement ends known (from its reply, or found by client order
id) or as `OrderStatusUnknown` that ``get_order`` resolves, or "not placed" (never sent over the
socket, sent again over REST: lands once). The venue then holds exactly one order per client order
id the client believes placed and nothing the client does not know of.
"""

from __future__ import annotations

import asyncio
import random

import pytest
from faultkit import Env, Ledger, check_venue, environment, place_once

from lotusx.core import registry
from lotusx.core.connector import OrderTransport
from lotusx.core.testing import Target

CLIENT_TIMEOUT = 0.6  # seconds: a reply the venue never sends ends the request as a timeout


def _need_ws(exchange: str) -> None:
    if OrderTransport.WS not in registry.load(exchange).order_transports:
        pytest.skip(f"{exchange} offers no WebSocket order entry")


def _ws_requests(env: Env) -> int:
    return sum(1 for r in env.venue.view.requests if r.method == "WS")


async def test_ws_lost_replies_end_known_or_resolved(exchange: str) -> None:
    _need_ws(exchange)
    options = {"timeout": CLIENT_TIMEOUT, "order_transport": "ws"}
    async with environment(exchange, seed=31, connector_options=options) as env:
        target = Target(env.connector, env.venue, env.spot, env.perp)
        ledger = Ledger()
        rng = random.Random(31)
        for n, mode in enumerate(["close", "timeout", "close", "timeout"]):
            symbol = env.symbols[n % len(env.symbols)]
            env.venue.faults.fail_after_accept(1, mode=mode)
            outcome = await place_once(env, target, ledger, symbol, f"wsl{n}x{rng.randrange(1000)}")
            ledger.outcomes.append(f"{mode}/{symbol}: {outcome}")
            assert outcome in ("known", "unknown→resolved"), ledger.outcomes
        clean = await place_once(env, target, ledger, env.spot, "wsclean")
        assert clean == "known"
        injected = env.venue.faults.injected["fail_after_accept"]
        sent_over_ws = _ws_requests(env)
        verdict = check_venue(env, ledger)
    print(f"\n[{exchange}] ws orders: {verdict}, {ledger.outcomes}")
    assert injected == 4
    assert sent_over_ws >= 5, "the placements went over the WebSocket"
    assert verdict == {"duplicates": 0, "lost": 0, "mismatched ids": 0}


async def test_ws_socket_dropped_mid_burst_loses_and_duplicates_nothing(exchange: str) -> None:
    _need_ws(exchange)
    options = {"timeout": CLIENT_TIMEOUT, "order_transport": "ws"}
    async with environment(exchange, seed=37, connector_options=options) as env:
        target = Target(env.connector, env.venue, env.spot, env.perp)
        ledger = Ledger()
        rng = random.Random(37)
        requests_before = _ws_requests(env)

        async def drop_after_some() -> int:
            while _ws_requests(env) < requests_before + 4:  # noqa: ASYNC110 - polls the venue
                await asyncio.sleep(0.001)
            return env.venue.faults.drop_ws()

        dropper = asyncio.create_task(drop_after_some())
        outcomes = await asyncio.gather(
            *(
                place_once(env, target, ledger, rng.choice(env.symbols), f"wsb{i}")
                for i in range(16)
            ),
            return_exceptions=True,
        )
        dropped = await asyncio.wait_for(dropper, 10)
        unexpected = [o for o in outcomes if isinstance(o, BaseException)]
        assert not unexpected, unexpected
        # Never sent (socket down) → sent over REST at once: known. In flight → found by id.
        assert all(o in ("known", "unknown→resolved", "not placed") for o in outcomes), outcomes
        for symbol, cids in ledger.not_placed.items():
            for cid in list(cids):  # really absent: placing it again lands it once
                cids.discard(cid)
                assert await place_once(env, target, ledger, symbol, cid) == "known"
        verdict = check_venue(env, ledger)
    print(f"\n[{exchange}] ws burst: {verdict}, dropped {dropped}, outcomes {outcomes}")
    assert dropped >= 1
    assert sum(len(v) for v in ledger.known.values()) == 16
    assert verdict == {"duplicates": 0, "lost": 0, "mismatched ids": 0}
