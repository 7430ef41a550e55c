"""Fixtures: running venues (Binance, OKX, Bybit) and raw, hand-signed HTTP clients."""

from __future__ import annotations

import base64
import datetime
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


# --------------------------------------------------------------------------- OKX
OKX_KEY = "5e2b8a1c-7d3f-4e61-9a0b-2c4d6e8f0a1b"
OKX_SECRET = "22582BD0CFF14C41EDBF1AB98506286D"  # the secret of the docs' signing example
OKX_PASSPHRASE = "Lotusx-Sim-1"


class RawOkx:
    """Builds OKX v5 requests as the docs describe; signs with hmac/hashlib/base64."""

    def __init__(self, venue: Venue, session: aiohttp.ClientSession) -> None:
        self.venue = venue
        self.session = session
        self.key, self.secret, self.passphrase = OKX_KEY, OKX_SECRET, OKX_PASSPHRASE

    @staticmethod
    def iso(ms: int) -> str:
        moment = datetime.datetime.fromtimestamp(ms / 1000, datetime.UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"

    def sign(self, payload: str, secret: str | None = None) -> str:
        mac = hmac.new((secret or self.secret).encode(), payload.encode(), hashlib.sha256)
        return base64.b64encode(mac.digest()).decode()

    async def call(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        body: Any = None,
        *,
        private: bool = False,
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
        secret: str | None = None,
    ) -> Reply:
        query = urlencode({k: v for k, v in (params or {}).items() if v is not None})
        request_path = path + ("?" + query if query else "")
        text = json.dumps(body) if body is not None else ""
        sent: dict[str, str] = {"Content-Type": "application/json"}
        if private:
            stamp = self.iso(timestamp if timestamp is not None else self.venue.now_ms())
            sent.update(
                {
                    "OK-ACCESS-KEY": self.key,
                    "OK-ACCESS-SIGN": self.sign(stamp + method + request_path + text, secret),
                    "OK-ACCESS-TIMESTAMP": stamp,
                    "OK-ACCESS-PASSPHRASE": self.passphrase,
                }
            )
        sent.update(headers or {})
        url = URL(self.venue.urls["rest"] + request_path, encoded=True)
        async with self.session.request(method, url, data=text or None, headers=sent) as r:
            raw = await r.text()
            return Reply(r.status, json.loads(raw) if raw else None, dict(r.headers))

    async def get(self, path: str, params: dict[str, Any] | None = None, **kw: Any) -> Reply:
        return await self.call("GET", path, params, **kw)

    async def post(self, path: str, body: Any, **kw: Any) -> Reply:
        return await self.call("POST", path, None, body, private=True, **kw)


def okx_venue_options(**extra: Any) -> dict[str, Any]:
    return {
        "seed": 7,
        "api_key": OKX_KEY,
        "secret": OKX_SECRET,
        "passphrase": OKX_PASSPHRASE,
        "book_levels": 40,
        **extra,
    }


@pytest.fixture
async def okx_venue() -> AsyncIterator[Venue]:
    async with Venue.start("okx", **okx_venue_options(tick_interval=3600)) as v:
        yield v


@pytest.fixture
async def okx_live() -> AsyncIterator[Venue]:
    async with Venue.start("okx", **okx_venue_options(seed=11, tick_interval=0.02)) as v:
        yield v


@pytest.fixture
def okx(okx_venue: Venue, session: aiohttp.ClientSession) -> RawOkx:
    return RawOkx(okx_venue, session)


@pytest.fixture
def okx_live_api(okx_live: Venue, session: aiohttp.ClientSession) -> RawOkx:
    return RawOkx(okx_live, session)


@pytest.fixture
def okx_for(session: aiohttp.ClientSession) -> Any:
    """`okx_for(venue)`: a raw OKX client for a venue the test started itself."""
    return lambda venue: RawOkx(venue, session)


@pytest.fixture
def okx_options() -> Any:
    return okx_venue_options


# --------------------------------------------------------------------------- Bybit
BYBIT_KEY = "XXXXXXXXXXsimkey01"
BYBIT_SECRET = "bybitsimsecret0123456789abcdefghijklmn"


class RawBybit:
    """Builds Bybit v5 requests as the docs describe; signs with hmac/hashlib (hex)."""

    def __init__(self, venue: Venue, session: aiohttp.ClientSession) -> None:
        self.venue = venue
        self.session = session
        self.key, self.secret = BYBIT_KEY, BYBIT_SECRET

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
        private: bool = False,
        timestamp: int | None = None,
        recv_window: str = "5000",
        headers: dict[str, str] | None = None,
        secret: str | None = None,
    ) -> Reply:
        params = {k: v for k, v in (params or {}).items() if v is not None}
        query = urlencode(params) if method == "GET" else ""
        body = json.dumps(params) if method == "POST" else ""
        sent: dict[str, str] = {"Content-Type": "application/json"}
        if private:
            stamp = str(timestamp if timestamp is not None else self.venue.now_ms())
            origin = stamp + self.key + recv_window + (query if method == "GET" else body)
            sent.update(
                {
                    "X-BAPI-API-KEY": self.key,
                    "X-BAPI-TIMESTAMP": stamp,
                    "X-BAPI-RECV-WINDOW": recv_window,
                    "X-BAPI-SIGN": self.sign(origin, secret),
                }
            )
        sent.update(headers or {})
        url = URL(self.venue.urls["rest"] + path + ("?" + query if query else ""), encoded=True)
        async with self.session.request(method, url, data=body or None, headers=sent) as r:
            raw = await r.text()
            try:
                parsed = json.loads(raw) if raw else None
            except ValueError:
                parsed = raw
            return Reply(r.status, parsed, dict(r.headers))

    async def get(self, path: str, params: dict[str, Any] | None = None, **kw: Any) -> Reply:
        return await self.call("GET", path, params, **kw)

    async def post(self, path: str, params: dict[str, Any], **kw: Any) -> Reply:
        return await self.call("POST", path, params, private=True, **kw)


def bybit_venue_options(**extra: Any) -> dict[str, Any]:
    return {"seed": 7, "api_key": BYBIT_KEY, "secret": BYBIT_SECRET, "book_levels": 40, **extra}


@pytest.fixture
async def bybit_venue() -> AsyncIterator[Venue]:
    async with Venue.start("bybit", **bybit_venue_options(tick_interval=3600)) as v:
        yield v


@pytest.fixture
async def bybit_live() -> AsyncIterator[Venue]:
    async with Venue.start("bybit", **bybit_venue_options(seed=11, tick_interval=0.02)) as v:
        yield v


@pytest.fixture
def bybit(bybit_venue: Venue, session: aiohttp.ClientSession) -> RawBybit:
    return RawBybit(bybit_venue, session)


@pytest.fixture
def bybit_for(session: aiohttp.ClientSession) -> Any:
    return lambda venue: RawBybit(venue, session)


@pytest.fixture
def bybit_options() -> Any:
    return bybit_venue_options


# --------------------------------------------------------------------------- Coinbase
def cdp_jwt(
    key_name: str,
    secret_pem: str,
    uri: str | None,
    *,
    now: float | None = None,
    lifetime: int = 120,
    nbf_offset: int = 0,
    claims: dict[str, Any] | None = None,
) -> str:
    """An ES256 JWT built as the CDP "Creating a JWT" page describes, signed with cryptography."""
    import secrets
    import time

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    t = int(time.time() if now is None else now)
    header = {"alg": "ES256", "kid": key_name, "nonce": secrets.token_hex(16), "typ": "JWT"}
    body: dict[str, Any] = {
        "sub": key_name,
        "iss": "cdp",
        "nbf": t + nbf_offset,
        "exp": t + nbf_offset + lifetime,
    }
    if uri is not None:
        body["uri"] = uri
    body.update(claims or {})
    signing_input = b64(json.dumps(header).encode()) + "." + b64(json.dumps(body).encode())
    private = serialization.load_pem_private_key(secret_pem.encode(), password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    der = private.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    return signing_input + "." + b64(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


class RawCoinbase:
    """Advanced Trade requests as the docs describe: JSON bodies, `Authorization: Bearer <JWT>`."""

    PREFIX = "/api/v3/brokerage"

    def __init__(self, venue: Venue, session: aiohttp.ClientSession) -> None:
        self.venue = venue
        self.session = session
        self.key, self.secret = venue.api_key, venue.secret

    @property
    def host(self) -> str:
        return URL(self.venue.urls["rest"]).raw_authority

    async def call(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | list[tuple[str, str]] | None = None,
        body: Any = None,
        *,
        private: bool = True,
        token: str | None = None,
        key: tuple[str, str] | None = None,
    ) -> Reply:
        full = self.PREFIX + path
        query = urlencode(params or {}, doseq=True)
        headers = {"Content-Type": "application/json"}
        if private:
            name, secret = key or (self.key, self.secret)
            headers["Authorization"] = "Bearer " + (
                token or cdp_jwt(name, secret, f"{method} {self.host}{full}")
            )
        url = URL(self.venue.urls["rest"] + full + ("?" + query if query else ""), encoded=True)
        data = json.dumps(body) if body is not None else None
        async with self.session.request(method, url, data=data, headers=headers) as r:
            raw = await r.text()
            try:
                parsed = json.loads(raw) if raw else None
            except ValueError:
                parsed = raw
            return Reply(r.status, parsed, dict(r.headers))

    async def get(self, path: str, params: Any = None, **kw: Any) -> Reply:
        return await self.call("GET", path, params, **kw)

    async def post(self, path: str, body: Any, **kw: Any) -> Reply:
        return await self.call("POST", path, None, body, **kw)


@pytest.fixture
async def coinbase_venue() -> AsyncIterator[Venue]:
    async with Venue.start("coinbase", seed=7, tick_interval=3600, book_levels=40) as v:
        yield v


@pytest.fixture
async def coinbase_live() -> AsyncIterator[Venue]:
    async with Venue.start("coinbase", seed=11, tick_interval=0.02, book_levels=40) as v:
        yield v


@pytest.fixture
def coinbase(coinbase_venue: Venue, session: aiohttp.ClientSession) -> RawCoinbase:
    return RawCoinbase(coinbase_venue, session)


@pytest.fixture
def coinbase_for(session: aiohttp.ClientSession) -> Any:
    return lambda venue: RawCoinbase(venue, session)
