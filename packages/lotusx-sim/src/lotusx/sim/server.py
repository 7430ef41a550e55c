"""Standalone multi-venue server (used by `python -m lotusx.sim` and `lotusx sim`)."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from lotusx.sim import dialect as dialects
from lotusx.sim.venue import Venue


def describe(venue: Venue) -> str:
    """Human-readable URLs and credentials of a running venue."""
    rows = [*venue.urls.items(), ("api_key", venue.api_key), ("secret", venue.secret)]
    if venue.passphrase is not None:
        rows.append(("passphrase", venue.passphrase))
    width = max(len(name) for name, _ in rows)
    return "\n".join([f"[{venue.name}]", *(f"  {name:<{width}}  {value}" for name, value in rows)])


async def start_all(
    venues: list[str],
    host: str = "127.0.0.1",
    port: int = 8080,
    seed: int = 7,
    api_key: str | None = None,
    secret: str | None = None,
    passphrase: str | None = None,
    tick_interval: float = 0.1,
) -> list[Venue]:
    """Start `venues` on consecutive ports from `port` (0 = ephemeral ports)."""
    started: list[Venue] = []
    next_port = port
    try:
        for name in venues:
            venue = await Venue.create(
                name,
                seed=seed,
                host=host,
                port=next_port,
                tick_interval=tick_interval,
                api_key=api_key,
                secret=secret,
                passphrase=passphrase,
            )
            started.append(venue)
            if next_port:
                next_port += dialects.load(name).ports
    except BaseException:
        for venue in started:
            await venue.close()
        raise
    return started


async def serve(
    venues: list[str],
    host: str = "127.0.0.1",
    port: int = 8080,
    seed: int = 7,
    api_key: str | None = None,
    secret: str | None = None,
    passphrase: str | None = None,
    out: TextIO | None = None,
) -> None:
    """Run `venues` until cancelled, printing each one's URLs and credentials."""
    stream = out or sys.stdout
    running = await start_all(venues, host, port, seed, api_key, secret, passphrase)
    try:
        for venue in running:
            print(describe(venue), file=stream, flush=True)
        await asyncio.Event().wait()
    finally:
        for venue in running:
            await venue.close()
