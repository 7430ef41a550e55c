"""A raw Kraken client for the tests: requests built and signed as the Kraken docs describe."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
from yarl import URL

from lotusx.sim import Venue

SECRET = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
KEY = "LotusXSimKrakenKey0000000000000000000000000000000000001"


def spot_sign(secret: str, path: str, nonce: str, postdata: str) -> str:
    digest = hashlib.sha256((nonce + postdata).encode()).digest()
    mac = hmac.new(base64.b64decode(secret), path.encode() + digest, hashlib.sha512)
    return base64.b64encode(mac.digest()).decode()


def futures_sign(secret: str, post_data: str, nonce: str, endpoint_path: str) -> str:
    digest = hashlib.sha256((post_data + nonce + endpoint_path).encode()).digest()
    mac = hmac.new(base64.b64decode(secret), digest, hashlib.sha512)
    return base64.b64encode(mac.digest()).decode()


def sign_challenge(secret: str, challenge: str) -> str:
    digest = hashlib.sha256(challenge.encode()).digest()
    return base64.b64encode(
        hmac.new(base64.b64decode(secret), digest, hashlib.sha512).digest()
    ).decode()


def kraken_options(**extra: Any) -> dict[str, Any]:
    return {
        "seed": 7,
        "api_key": KEY,
        "secret": SECRET,
        "book_levels": 30,
        "tick_interval": 3600,
        **extra,
    }


@dataclass
class Reply:
    status: int
    body: Any


class RawKraken:
    """Spot and Futures REST calls signed with hmac/hashlib/base64."""

    def __init__(self, venue: Venue, session: aiohttp.ClientSession) -> None:
        self.venue = venue
        self.session = session
        self.key, self.secret = venue.api_key, venue.secret
        self._nonce = int(time.time() * 1000)

    def nonce(self) -> int:
        self._nonce += 1
        return self._nonce

    async def _send(
        self, method: str, url: str, data: str | None, headers: dict[str, str]
    ) -> Reply:
        headers = {"User-Agent": "lotusx-tests", **headers}
        async with self.session.request(
            method, URL(url, encoded=True), data=data, headers=headers
        ) as r:
            text = await r.text()
            return Reply(r.status, json.loads(text) if text else None)

    async def public(self, name: str, **params: Any) -> Reply:
        query = urlencode(params)
        url = f"{self.venue.urls['spot_rest']}/0/public/{name}" + (f"?{query}" if query else "")
        return await self._send("GET", url, None, {})

    async def private(
        self,
        name: str,
        params: dict[str, Any] | None = None,
        *,
        nonce: int | None = None,
        secret: str | None = None,
        key: str | None = None,
        as_json: bool = False,
    ) -> Reply:
        path = f"/0/private/{name}"
        n = str(nonce if nonce is not None else self.nonce())
        body: dict[str, Any] = {"nonce": n, **(params or {})}
        data = json.dumps(body) if as_json else urlencode(body)
        headers = {
            "API-Key": key or self.key,
            "API-Sign": spot_sign(secret or self.secret, path, n, data),
            "Content-Type": "application/json" if as_json else "application/x-www-form-urlencoded",
        }
        return await self._send("POST", self.venue.urls["spot_rest"] + path, data, headers)

    async def futures(
        self,
        method: str,
        endpoint: str,
        params: dict[str, Any] | None = None,
        *,
        signed: bool = True,
        nonce: str | None = None,
        secret: str | None = None,
    ) -> Reply:
        path = "/derivatives/api/v3/" + endpoint
        post_data = urlencode(params or {})
        headers: dict[str, str] = {}
        if signed:
            n = nonce if nonce is not None else str(self.nonce())
            headers = {
                "APIKey": self.key,
                "Nonce": n,
                "Authent": futures_sign(
                    secret or self.secret, post_data, n, path[len("/derivatives") :]
                ),
            }
        url = self.venue.urls["futures_rest"] + path
        if method == "GET":
            return await self._send(
                "GET", url + (f"?{post_data}" if post_data else ""), None, headers
            )
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return await self._send(method, url, post_data, headers)
