"""Standalone multi-venue server (used by `python -m lotusx.sim` and `lotusx sim`)."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from lotusx.sim import dialect as dialects
from lotusx.sim.venue import Venue


def describe(venue: Venue) -> str:
    """Human-readable URLs and credentials of a running venue."""
    lines = [f"[{venue.name}]"]
    lines += [f"  {name:<13} {url}" for name, url in venue.urls.items()]
    lines.append(f"  api_key       {venue.api_key}")
    lines.append(f"  secret        {venue.secret}")
    if venue.passphrase is not None:
        lines.append(f"  passphrase    {venue.passphrase}")
    return "\n".join(lines)


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
