"""Kraken Futures Charts API (`/api/charts/v1/{tick_type}/{symbol}/{resolution}`): trade candles
from the venue's own trades; `from`/`to` in seconds, `time` in milliseconds."""

from __future__ import annotations

import msgspec
from aiohttp import web

from lotusx.sim.core import VenueCore
from lotusx.sim.dialects.kraken.markets import FUTURES

RESOLUTIONS = ("1m", "5m", "15m", "30m", "1h", "4h", "12h", "1d", "1w")
PAGE = 5000


def _seconds(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise web.HTTPBadRequest(text="invalid from/to")
    return int(raw) * 1000


def add_routes(app: web.Application, core: VenueCore) -> None:
    async def candles(request: web.Request) -> web.Response:
        tick_type = request.match_info["tick_type"]
        symbol = request.match_info["symbol"].upper()
        resolution = request.match_info["resolution"]
        if tick_type != "trade" or symbol not in core.specs[FUTURES]:
            raise web.HTTPNotFound()
        if resolution not in RESOLUTIONS:
            raise web.HTTPBadRequest(text=f"resolution must be one of {list(RESOLUTIONS)}")
        start = _seconds(request.query.get("from"))
        end = _seconds(request.query.get("to"))
        store = core.candles[core.specs[FUTURES][symbol].market]
        bars = store.candles(symbol, resolution, start, end, PAGE + 1, core.now_ms())
        rows = [
            {
                "time": b.open_ms,
                "open": f"{b.open:f}",
                "high": f"{b.high:f}",
                "low": f"{b.low:f}",
                "close": f"{b.close:f}",
                "volume": f"{b.volume:f}",
            }
            for b in bars[:PAGE]
        ]
        body = {"candles": rows, "more_candles": len(bars) > PAGE}
        return web.Response(body=msgspec.json.encode(body), content_type="application/json")

    app.router.add_get("/api/charts/v1/{tick_type}/{symbol}/{resolution}", candles)
