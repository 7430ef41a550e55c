"""WebSocket order-entry floors: hand-signed frames on one open, authenticated socket.

Each floor opens its socket (and logs in where the venue wants a login) before it is timed;
`WsFloor.place_cancel` then sends an order-place frame, waits for its reply, sends the cancel
frame and waits for that reply. Frames follow each venue's documented WebSocket order entry:
Binance WebSocket API ``order.place``/``order.cancel`` (HMAC-SHA256 of the sorted params),
OKX private ``login`` then ``order``/``cancel-order``, Bybit ``/v5/trade`` ``auth`` then
``order.create``/``order.cancel``, Kraken spot v2 ``add_order``/``cancel_order`` with a
GetWebSocketsToken token. The simulator verifies the signatures, so a reply means it is right.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import msgspec

from lotusx.sim import Venue

encode = msgspec.json.encode
decode = msgspec.json.decode


@dataclass
class WsFloor:
    """A signed order round trip over ``ws``; ``close`` ends the socket."""

    ws: aiohttp.ClientWebSocketResponse
    place_cancel: Callable[[str, str], Awaitable[Any]]

    async def close(self) -> None:
        await self.ws.close()


async def request(
    ws: aiohttp.ClientWebSocketResponse, frame: dict[str, Any], key: str, value: object
) -> dict[str, Any]:
    """Send ``frame``; the first message whose ``key`` is ``value`` (others are skipped)."""
    await ws.send_str(encode(frame).decode())
    while True:
        msg = await ws.receive()
        if msg.type is not aiohttp.WSMsgType.TEXT:
            raise ConnectionError(f"socket ended: {msg.type!r}")
        reply = decode(msg.data)
        if isinstance(reply, dict) and reply.get(key) == value:
            return reply


WsFloorFactory = Callable[[aiohttp.ClientSession, Venue], Awaitable[WsFloor]]


# ----------------------------------------------------------------------------- Binance


def binance(url_key: str, symbol: str) -> WsFloorFactory:
    """WebSocket API on ``url_key`` (``spot_ws_api`` or ``futures_ws_api``): every request is
    signed on its own (HMAC keys have no session logon), so the socket only has to be open."""

    async def open_(session: aiohttp.ClientSession, venue: Venue) -> WsFloor:
        key, secret = venue.api_key, venue.secret.encode()
        ws = await session.ws_connect(venue.urls[url_key])

        def signed(params: dict[str, str]) -> dict[str, str]:
            params["apiKey"], params["timestamp"] = key, str(int(time.time() * 1000))
            query = "&".join(f"{k}={params[k]}" for k in sorted(params))
            params["signature"] = hmac.new(secret, query.encode(), hashlib.sha256).hexdigest()
            return params

        async def call(method: str, params: dict[str, str]) -> dict[str, Any]:
            rid = uuid.uuid4().hex
            reply = await request(ws, {"id": rid, "method": method, "params": signed(params)},
                                  "id", rid)  # fmt: skip
            assert reply.get("status") == 200, reply
            result: dict[str, Any] = reply["result"]
            return result

        async def place_cancel(quantity: str, price: str) -> dict[str, Any]:
            order = {
                "symbol": symbol,
                "side": "BUY",
                "type": "LIMIT",
                "timeInForce": "GTC",
                "quantity": quantity,
                "price": price,
                "newClientOrderId": "fl" + uuid.uuid4().hex,
                "newOrderRespType": "RESULT",
            }
            placed = await call("order.place", order)
            done = await call("order.cancel", {"symbol": symbol, "orderId": str(placed["orderId"])})
            assert done["status"] == "CANCELED", done
            return done

        return WsFloor(ws, place_cancel)

    return open_


# ----------------------------------------------------------------------------- OKX


async def okx(session: aiohttp.ClientSession, venue: Venue) -> WsFloor:
    """Private socket, ``login`` (HMAC-SHA256 of ``ts + "GET" + "/users/self/verify"``)."""
    secret = venue.secret.encode()
    ws = await session.ws_connect(venue.urls["ws_private"])
    stamp = str(int(time.time()))
    sign = hmac.new(secret, (stamp + "GET/users/self/verify").encode(), hashlib.sha256).digest()
    login = {"op": "login", "args": [{"apiKey": venue.api_key, "passphrase": venue.passphrase,
             "timestamp": stamp, "sign": base64.b64encode(sign).decode()}]}  # fmt: skip
    reply = await request(ws, login, "event", "login")
    assert reply.get("code") == "0", reply
    ids = itertools.count(1)

    async def call(op: str, arg: dict[str, str]) -> dict[str, Any]:
        rid = f"fl{next(ids)}"
        reply = await request(ws, {"id": rid, "op": op, "args": [arg]}, "id", rid)
        assert reply.get("code") == "0" and reply["data"][0]["sCode"] == "0", reply
        item: dict[str, Any] = reply["data"][0]
        return item

    async def place_cancel(quantity: str, price: str) -> dict[str, Any]:
        order = {"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit",
                 "sz": quantity, "px": price, "clOrdId": "fl" + uuid.uuid4().hex[:30]}  # fmt: skip
        placed = await call("order", order)
        return await call("cancel-order", {"instId": "BTC-USDT", "ordId": placed["ordId"]})

    return WsFloor(ws, place_cancel)


# ----------------------------------------------------------------------------- Bybit


async def bybit(session: aiohttp.ClientSession, venue: Venue) -> WsFloor:
    """``/v5/trade``, ``auth`` (HMAC-SHA256 hex of ``"GET/realtime" + expires``)."""
    key, secret = venue.api_key, venue.secret.encode()
    ws = await session.ws_connect(venue.urls["ws_trade"])
    expires = str(int(time.time() * 1000) + 10_000)
    sign = hmac.new(secret, f"GET/realtime{expires}".encode(), hashlib.sha256).hexdigest()
    reply = await request(ws, {"reqId": "auth", "op": "auth", "args": [key, expires, sign]},
                          "op", "auth")  # fmt: skip
    assert reply.get("retCode") == 0, reply
    ids = itertools.count(1)

    async def call(op: str, arg: dict[str, str]) -> dict[str, Any]:
        rid = f"fl{next(ids)}"
        header = {"X-BAPI-TIMESTAMP": str(int(time.time() * 1000)), "X-BAPI-RECV-WINDOW": "5000"}
        frame = {"reqId": rid, "header": header, "op": op, "args": [arg]}
        reply = await request(ws, frame, "reqId", rid)
        assert reply.get("retCode") == 0, reply
        data: dict[str, Any] = reply["data"]
        return data

    async def place_cancel(quantity: str, price: str) -> dict[str, Any]:
        order = {"category": "spot", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit",
                 "qty": quantity, "price": price, "timeInForce": "GTC",
                 "orderLinkId": "fl" + uuid.uuid4().hex}  # fmt: skip
        placed = await call("order.create", order)
        cancel = {"category": "spot", "symbol": "BTCUSDT", "orderId": placed["orderId"]}
        return await call("order.cancel", cancel)

    return WsFloor(ws, place_cancel)


# ----------------------------------------------------------------------------- Kraken


def kraken(token: Callable[[aiohttp.ClientSession, Venue], Awaitable[str]]) -> WsFloorFactory:
    """Spot v2 ``ws-auth``: every trading request carries the GetWebSocketsToken ``token``."""

    async def open_(session: aiohttp.ClientSession, venue: Venue) -> WsFloor:
        secret_token = await token(session, venue)
        ws = await session.ws_connect(venue.urls["spot_ws_auth"])
        ids = itertools.count(1)

        async def call(method: str, params: dict[str, Any]) -> dict[str, Any]:
            rid = next(ids)
            frame = {"method": method, "params": {**params, "token": secret_token},
                     "req_id": rid}  # fmt: skip
            reply = await request(ws, frame, "req_id", rid)
            assert reply.get("success") is True, reply
            result: dict[str, Any] = reply["result"]
            return result

        async def place_cancel(quantity: str, price: str) -> dict[str, Any]:
            order = {"order_type": "limit", "side": "buy", "symbol": "BTC/USD",
                     "order_qty": msgspec.Raw(quantity.encode()),
                     "limit_price": msgspec.Raw(price.encode())}  # fmt: skip
            placed = await call("add_order", order)
            return await call("cancel_order", {"order_id": [placed["order_id"]]})

        return WsFloor(ws, place_cancel)

    return open_
