"""Fixtures: a running Binance venue and a raw, hand-signed HTTP client for it."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from yarl import URL

from lotusx.sim import Venue

API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


class RawBinance:
    """Builds requests the way the Binance docs describe; signs with hmac/hashlib."""

    def __init__(self, venue: Venue, session: aiohttp.ClientSession) -> None:
        self.venue = venue
        self.session = session
        self.key = venue.api_key
        self.secret = venue.secret

    def base(self, path: str) -> str:
        return self.venue.urls["futures_rest" if path.startswith("/fapi") else "spot_rest"]

    def sign(self, payload: str, secret: str | None = None) -> str:
        return hmac.new(
            (secret or self.secret).encode(), payload.encode(), hashlib.sha256
        ).hexdigest()

    async def call(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        signed: bool = False,
        key: bool | str = False,
        body: bool = False,
        timestamp: int | None = None,
    ) -> Reply:
        params = {k: v for k, v in (params or {}).items() if v is not None}
        headers: dict[str, str] = {}
        if signed or key:
            headers["X-MBX-APIKEY"] = key if isinstance(key, str) else self.key
        if signed:
            params.setdefault("timestamp", timestamp or self.venue.now_ms())
        query = urlencode(params)
        if signed:
            query += "&signature=" + self.sign(query)
        url = self.base(path) + path
        data = None
        if body:
            data = query
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif query:
            url += "?" + query
        async with self.session.request(
            method, URL(url, encoded=True), data=data, headers=headers
        ) as r:
            text = await r.text()
            return Reply(r.status, json.loads(text) if text else None, dict(r.headers))

    async def get(self, path: str, params: dict[str, Any] | None = None, **kw: Any) -> Reply:
        return await self.call("GET", path, params, **kw)

    async def post(self, path: str, params: dict[str, Any] | None = None, **kw: Any) -> Reply:
        return await self.call("POST", path, params, **kw)

    async def delete(self, path: str, params: dict[str, Any] | None = None, **kw: Any) -> Reply:
        return await self.call("DELETE", path, params, **kw)

    async def put(self, path: str, params: dict[str, Any] | None = None, **kw: Any) -> Reply:
        return await self.call("PUT", path, params, **kw)


@pytest.fixture
async def venue() -> AsyncIterator[Venue]:
    """A quiet venue: the market maker seeds the books once and then stays still."""
    async with Venue.start(
        "binance", seed=7, tick_interval=3600, api_key=API_KEY, secret=SECRET, book_levels=50
    ) as v:
        yield v


@pytest.fixture
async def live_venue() -> AsyncIterator[Venue]:
    """A moving venue (quotes every 20 ms) for stream tests."""
    async with Venue.start(
        "binance",
        seed=11,
        tick_interval=0.02,
        api_key=API_KEY,
        secret=SECRET,
        book_levels=50,
        ping_interval=5.0,
    ) as v:
        yield v


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


@pytest.fixture
def api(venue: Venue, session: aiohttp.ClientSession) -> RawBinance:
    return RawBinance(venue, session)


@pytest.fixture
def live_api(live_venue: Venue, session: aiohttp.ClientSession) -> RawBinance:
    return RawBinance(live_venue, session)
