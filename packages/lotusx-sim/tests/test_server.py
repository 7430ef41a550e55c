"""Venue API surface, several venues per process, `serve` and `python -m lotusx.sim`."""

from __future__ import annotations

import asyncio
import contextlib
import io
import socket
import sys

import aiohttp
import pytest

from lotusx.sim import Venue
from lotusx.sim.__main__ import parser
from lotusx.sim.server import serve


async def test_venue_surface() -> None:
    assert Venue.available() == ["binance", "bybit", "coinbase", "kraken", "okx"]
    async with (
        Venue.start("binance", seed=3, tick_interval=3600, api_key="k1", secret="s1") as a,
        Venue.start("binance", seed=3, tick_interval=3600) as b,
    ):
        assert a.name == "binance" and a.passphrase is None
        assert set(a.urls) == {
            "spot_rest",
            "spot_ws",
            "futures_rest",
            "futures_ws",
            "spot_ws_api",
            "futures_ws_api",
        }
        assert a.rest_url == a.urls["spot_rest"] and a.ws_url == a.urls["spot_ws"]
        assert a.urls["spot_rest"].replace("http", "ws") == a.urls["spot_ws"]
        assert a.urls["spot_rest"] != a.urls["futures_rest"]
        assert (a.api_key, a.secret) == ("k1", "s1") and b.api_key != a.api_key
        assert a.urls["spot_rest"] != b.urls["spot_rest"]
        # same seed → same synthetic book
        assert a.view.book("BTCUSDT", "spot", 20) == b.view.book("BTCUSDT", "spot", 20)
        spot = {s.symbol for s in a.view.instruments("spot")}
        assert spot == {"BTCUSDT", "ETHUSDT"} and len(a.view.instruments()) == 4
        assert a.view.markets() == ["spot", "futures"]
        assert abs(a.now_ms() - b.now_ms()) < 1000


async def test_deep_book_possible() -> None:
    async with Venue.start("binance", tick_interval=3600, book_levels=1000) as v:
        book = v.view.book("BTCUSDT", "spot")
        assert len(book.bids) >= 1000 and len(book.asks) >= 1000
        assert book.bids[0][0] < book.asks[0][0]


async def test_serve_prints_urls_and_credentials() -> None:
    out = io.StringIO()
    task = asyncio.create_task(
        serve(["binance", "binance"], port=0, api_key="key", secret="sec", out=out)
    )
    for _ in range(100):
        if out.getvalue().count("[binance]") == 2:
            break
        await asyncio.sleep(0.05)
    text = out.getvalue()
    rows = {tuple(line.split()) for line in text.splitlines()}
    assert ("api_key", "key") in rows and ("secret", "sec") in rows
    url = next(line.split()[1] for line in text.splitlines() if "spot_rest" in line)
    async with aiohttp.ClientSession() as s, s.get(url + "/api/v3/ping") as r:
        assert r.status == 200
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def test_cli_arguments() -> None:
    args = parser().parse_args(
        [
            "--venue",
            "binance",
            "--venue",
            "binance",
            "--port",
            "9000",
            "--api-key",
            "a",
            "--secret",
            "b",
            "--seed",
            "5",
        ]
    )
    assert (args.venue, args.port, args.api_key, args.secret, args.seed) == (
        ["binance", "binance"],
        9000,
        "a",
        "b",
        5,
    )
    with pytest.raises(SystemExit):
        parser().parse_args(["--venue", "nosuch"])


async def test_module_entry_point_runs() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "lotusx.sim",
        "--venue",
        "binance",
        "--port",
        str(port),
        "--api-key",
        "cli",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 20)
        assert line.strip() == b"[binance]"
        async with aiohttp.ClientSession() as s, s.get(f"http://127.0.0.1:{port}/api/v3/ping") as r:
            assert r.status == 200
        async with (
            aiohttp.ClientSession() as s,
            s.get(f"http://127.0.0.1:{port + 1}/fapi/v1/ping") as r,
        ):
            assert r.status == 200
    finally:
        proc.terminate()
        await proc.wait()
