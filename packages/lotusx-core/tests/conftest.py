"""Real local aiohttp servers for transport tests (no mocks of our own client)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from aiohttp import web


@asynccontextmanager
async def serve(setup: Callable[[web.Application], None]) -> AsyncIterator[str]:
    """Run an app on an ephemeral loopback port; yields its base URL (http://127.0.0.1:P)."""
    app = web.Application()
    setup(app)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
