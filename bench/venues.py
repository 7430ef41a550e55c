"""Per-exchange wiring: how ccxt and the bare aiohttp floor reach one simulated venue.

A connector is benchmarked when it is installed, the simulator has its dialect, and a
`Mapping` below says how to point ccxt (REST ``urls['api']``, ccxt.pro ``urls['api']['ws']``)
and the bare floor at the venue. Add OKX/Bybit by writing their `Mapping` and listing it in
`MAPPINGS`; until then they are reported as skipped.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import aiohttp
import msgspec

from lotusx.sim import RateLimitRule, Venue

UNLIMITED = 10**9


class DepthSnapshot(msgspec.Struct):
    """What the floor decodes a depth response into (the same shape LotusX decodes)."""

    lastUpdateId: int  # noqa: N815 - Binance's field name
    bids: list[tuple[str, str]]
    asks: list[tuple[str, str]]


class OrderAck(msgspec.Struct):
    orderId: int  # noqa: N815 - Binance's field name
    status: str


@dataclass(frozen=True)
class Floor:
    """The bare minimum client: one aiohttp session, hand-built requests, msgspec decode."""

    get_book: Callable[[], Any]
    place_cancel: Callable[[str, str], Any]


@dataclass(frozen=True)
class Wiring:
    name: str
    ccxt_id: str
    symbol: str  # unified spot symbol, the same in LotusX and ccxt
    native: str
    rate_limits: Mapping[str, list[RateLimitRule]]
    ws_key: str  # the LotusX url key of the public WebSocket the bench symbol streams on
    configure_ccxt: Callable[[Any, Mapping[str, str], Venue], None]
    floor: Callable[[aiohttp.ClientSession, Venue], Floor]
    stream_frame: Callable[[str, int, list[list[str]], list[list[str]]], dict[str, Any]]
    ws_envelope: Callable[[str, str, dict[str, Any]], dict[str, Any]]


# ----------------------------------------------------------------------------- Binance


def _binance_ccxt(exchange: Any, urls: Mapping[str, str], venue: Venue) -> None:
    """Rewrite every ccxt REST base (``.../api/v3``, ``.../fapi/v1``...) onto ``urls``."""
    api = exchange.urls["api"]
    for key, url in list(api.items()):
        if not isinstance(url, str):
            continue
        base = urls["futures_rest"] if key.startswith("fapi") else urls["spot_rest"]
        api[key] = base + urlsplit(url).path
    ws = api.get("ws")
    if isinstance(ws, dict):
        ws["spot"] = ws["margin"] = urls["spot_ws"] + "/ws"
        ws["linear"] = urls["futures_ws"] + "/ws"
    exchange.apiKey, exchange.secret = venue.api_key, venue.secret
    exchange.enableRateLimit = False
    exchange.options["fetchMarkets"] = {"types": ["spot"]}
    exchange.options["fetchCurrencies"] = False
    exchange.options["fetchMargins"] = False


def _binance_floor(session: aiohttp.ClientSession, venue: Venue) -> Floor:
    rest, key, secret = venue.urls["spot_rest"], venue.api_key, venue.secret.encode()
    decode_book = msgspec.json.Decoder(DepthSnapshot).decode
    decode_ack = msgspec.json.Decoder(OrderAck).decode
    headers = {"X-MBX-APIKEY": key}

    def signed(params: dict[str, str]) -> str:
        params["recvWindow"], params["timestamp"] = "5000", str(int(time.time() * 1000))
        query = urlencode(params)
        return query + "&signature=" + hmac.new(secret, query.encode(), hashlib.sha256).hexdigest()

    async def get_book() -> DepthSnapshot:
        async with session.get(f"{rest}/api/v3/depth?symbol=BTCUSDT&limit=100") as resp:
            return decode_book(await resp.read())

    async def place_cancel(quantity: str, price: str) -> OrderAck:
        order = {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "type": "LIMIT",
            "timeInForce": "GTC",
            "quantity": quantity,
            "price": price,
            "newClientOrderId": "fl" + uuid.uuid4().hex,
            "newOrderRespType": "RESULT",
        }
        async with session.post(f"{rest}/api/v3/order?{signed(order)}", headers=headers) as resp:
            ack = decode_ack(await resp.read())
        cancel = {"symbol": "BTCUSDT", "orderId": str(ack.orderId)}
        async with session.delete(f"{rest}/api/v3/order?{signed(cancel)}", headers=headers) as r:
            done = decode_ack(await r.read())
        assert done.status == "CANCELED", done
        return done

    return Floor(get_book, place_cancel)


def _binance_frame(
    native: str, update_id: int, bids: list[list[str]], asks: list[list[str]]
) -> dict[str, Any]:
    """A spot diff-depth event carrying exactly one update id."""
    now = int(time.time() * 1000)
    return {"e": "depthUpdate", "E": now, "s": native, "U": update_id, "u": update_id,
            "b": bids, "a": asks}  # fmt: skip


def _binance_envelope(path: str, stream: str, event: dict[str, Any]) -> dict[str, Any]:
    """``/stream`` connections get combined-stream envelopes, ``/ws`` ones the raw event."""
    return {"stream": stream, "data": event} if path.startswith("/stream") else event


_UNLIMITED_RULES = [
    RateLimitRule("REQUEST_WEIGHT", "MINUTE", 1, UNLIMITED),
    RateLimitRule("ORDERS", "SECOND", 10, UNLIMITED),
    RateLimitRule("ORDERS", "MINUTE", 1, UNLIMITED),
    RateLimitRule("ORDERS", "DAY", 1, UNLIMITED),
    RateLimitRule("RAW_REQUESTS", "MINUTE", 5, UNLIMITED),
]

BINANCE = Wiring(
    name="binance",
    ccxt_id="binance",
    symbol="BTC/USDT",
    native="BTCUSDT",
    ws_key="spot_ws",
    rate_limits={"spot": _UNLIMITED_RULES, "futures": _UNLIMITED_RULES},
    configure_ccxt=_binance_ccxt,
    floor=_binance_floor,
    stream_frame=_binance_frame,
    ws_envelope=_binance_envelope,
)

MAPPINGS: dict[str, Wiring] = {"binance": BINANCE}


def benchmarked() -> tuple[list[Wiring], list[str]]:
    """(connectors to run, names skipped because no ccxt mapping exists yet)."""
    from lotusx.core import registry

    names = sorted(set(registry.available()) & set(Venue.available()))
    return [MAPPINGS[n] for n in names if n in MAPPINGS], [n for n in names if n not in MAPPINGS]
