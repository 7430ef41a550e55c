"""Per-exchange wiring: how ccxt and the bare aiohttp floor reach one simulated venue.

A connector is benchmarked when it is installed, the simulator has its dialect, and a
`Wiring` below says how to point ccxt (REST ``urls['api']``, ccxt.pro ``urls['api']['ws']``)
and the bare floor at the venue. Binance, OKX and Bybit are mapped; a connector without a
`Wiring` in `MAPPINGS` is reported as skipped. The saturated-stream row (`firehose.py`) replays
diff frames in each venue's own dialect (``firehose_dialect``); a wiring without
``stream_frame`` skips it with ``firehose_skip``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import aiohttp
import msgspec

from lotusx.sim import RateLimitRule, Venue
from lotusx.sim.dialects.bybit.limits import DEFAULT as BYBIT_QUOTAS
from lotusx.sim.dialects.okx.limits import DEFAULT as OKX_QUOTAS

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
    stream_frame: Callable[[str, int, list[list[str]], list[list[str]]], dict[str, Any]] | None
    ws_envelope: Callable[[str, str, dict[str, Any]], dict[str, Any]] | None
    # The REST snapshot as (first update id to stream, bids, asks), levels ``[price, qty]``.
    hose_start: Callable[[Any], tuple[int, list[list[str]], list[list[str]]]]
    firehose_dialect: str = "binance"  # how firehose.py greets, acks, pings and snapshots
    pro_update_id: Callable[[Any], int] = lambda book: int(book["nonce"])  # from ccxt's book
    firehose_skip: str = ""  # why the saturated-stream row is skipped (no ``stream_frame``)


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


def _binance_start(snap: Any) -> tuple[int, list[list[str]], list[list[str]]]:
    """Diffs continue the REST snapshot: LotusX and ccxt.pro both sync from it."""
    return snap.lastUpdateId + 1, [list(lv) for lv in snap.bids], [list(lv) for lv in snap.asks]


def _ws_start(snap: Any) -> tuple[int, list[list[str]], list[list[str]]]:
    """OKX and Bybit send a WebSocket snapshot first, so ids are free: start at "now" in ms
    (Bybit's ``ts`` carries the id, the only per-message value ccxt.pro's book keeps)."""
    bids, asks = (snap.bids, snap.asks) if hasattr(snap, "bids") else (snap.b, snap.a)
    return int(time.time() * 1000), [list(lv[:2]) for lv in bids], [list(lv[:2]) for lv in asks]


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
    hose_start=_binance_start,
)

# ----------------------------------------------------------------------------- OKX


class OkxBook(msgspec.Struct):
    asks: list[tuple[str, str, str, str]]
    bids: list[tuple[str, str, str, str]]
    ts: str


class OkxBooks(msgspec.Struct):
    code: str
    data: list[OkxBook]


class OkxItem(msgspec.Struct):
    ordId: str  # noqa: N815 - OKX's field name
    sCode: str  # noqa: N815 - OKX's field name


class OkxAck(msgspec.Struct):
    code: str
    data: list[OkxItem]


def _okx_ccxt(exchange: Any, urls: Mapping[str, str], venue: Venue) -> None:
    """``urls['api']['rest']`` is the host (paths carry ``/api/v5``); ccxt.pro appends
    ``/public``, ``/private`` or ``/business`` to ``urls['api']['ws']``."""
    exchange.urls["api"]["rest"] = urls["rest"]
    exchange.urls["api"]["ws"] = urls["ws_public"].removesuffix("/public")
    exchange.apiKey, exchange.secret = venue.api_key, venue.secret
    exchange.password = venue.passphrase
    exchange.enableRateLimit = False
    exchange.has["fetchCurrencies"] = False  # /api/v5/asset/currencies is not simulated
    exchange.options["fetchMarkets"] = {"types": ["spot"]}
    exchange.options["defaultType"] = "spot"


def _okx_floor(session: aiohttp.ClientSession, venue: Venue) -> Floor:
    rest, key, secret = venue.urls["rest"], venue.api_key, venue.secret.encode()
    passphrase = venue.passphrase or ""
    decode_book = msgspec.json.Decoder(OkxBooks).decode
    decode_ack = msgspec.json.Decoder(OkxAck).decode

    def headers(method: str, path: str, body: str) -> dict[str, str]:
        now = time.time()
        stamp = (
            time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"
        )
        mac = hmac.new(secret, (stamp + method + path + body).encode(), hashlib.sha256).digest()
        return {
            "OK-ACCESS-KEY": key,
            "OK-ACCESS-SIGN": base64.b64encode(mac).decode(),
            "OK-ACCESS-TIMESTAMP": stamp,
            "OK-ACCESS-PASSPHRASE": passphrase,
            "Content-Type": "application/json",
        }

    async def post(path: str, payload: dict[str, str]) -> OkxItem:
        body = json.dumps(payload, separators=(",", ":"))
        async with session.post(rest + path, data=body, headers=headers("POST", path, body)) as r:
            ack = decode_ack(await r.read())
        assert ack.code == "0" and ack.data[0].sCode == "0", ack
        return ack.data[0]

    async def get_book() -> OkxBook:
        async with session.get(f"{rest}/api/v5/market/books?instId=BTC-USDT&sz=100") as resp:
            return decode_book(await resp.read()).data[0]

    async def place_cancel(quantity: str, price: str) -> OkxItem:
        order = {
            "instId": "BTC-USDT",
            "tdMode": "cash",
            "side": "buy",
            "ordType": "limit",
            "sz": quantity,
            "px": price,
            "clOrdId": "fl" + uuid.uuid4().hex[:30],
        }
        placed = await post("/api/v5/trade/order", order)
        return await post(
            "/api/v5/trade/cancel-order", {"instId": "BTC-USDT", "ordId": placed.ordId}
        )

    return Floor(get_book, place_cancel)


def _okx_frame(
    native: str, update_id: int, bids: list[list[str]], asks: list[list[str]]
) -> dict[str, Any]:
    """A ``books`` update item; firehose.py fills in ``checksum`` from its copy of the book."""
    return {"asks": asks, "bids": bids, "ts": str(int(time.time() * 1000)), "checksum": 0,
            "prevSeqId": update_id - 1, "seqId": update_id}  # fmt: skip


def _okx_envelope(action: str, native: str, item: dict[str, Any]) -> dict[str, Any]:
    item = {**item, "asks": [[*lv, "0", "1"] for lv in item["asks"]],
            "bids": [[*lv, "0", "1"] for lv in item["bids"]]}  # fmt: skip
    return {"arg": {"channel": "books", "instId": native}, "action": action, "data": [item]}


OKX = Wiring(
    name="okx",
    ccxt_id="okx",
    symbol="BTC/USDT",
    native="BTC-USDT",
    ws_key="ws_public",
    rate_limits={"rest": [RateLimitRule(path, "SECOND", 1, UNLIMITED) for path in OKX_QUOTAS]},
    configure_ccxt=_okx_ccxt,
    floor=_okx_floor,
    stream_frame=_okx_frame,
    ws_envelope=_okx_envelope,
    hose_start=_ws_start,
    firehose_dialect="okx",
)


# ----------------------------------------------------------------------------- Bybit


class BybitBook(msgspec.Struct):
    s: str
    b: list[tuple[str, str]]
    a: list[tuple[str, str]]
    u: int


class BybitBookReply(msgspec.Struct):
    retCode: int  # noqa: N815 - Bybit's field name
    result: BybitBook


class BybitOrder(msgspec.Struct):
    orderId: str  # noqa: N815 - Bybit's field name


class BybitAck(msgspec.Struct):
    retCode: int  # noqa: N815 - Bybit's field name
    retMsg: str  # noqa: N815 - Bybit's field name
    result: BybitOrder | None = None


def _bybit_ccxt(exchange: Any, urls: Mapping[str, str], venue: Venue) -> None:
    """Every REST base (``spot``, ``futures``, ``public``, ``private``...) is the venue host;
    ccxt.pro's public spot/linear and private (unified) sockets are the venue's."""
    api = exchange.urls["api"]
    for key, url in list(api.items()):
        if isinstance(url, str):
            api[key] = urls["rest"]
    ws = api.get("ws")  # only ccxt.pro has it
    if isinstance(ws, dict):
        public, private = ws["public"], ws["private"]
        public["spot"], public["linear"] = urls["ws_public_spot"], urls["ws_public_linear"]
        private["spot"]["unified"] = private["contract"] = urls["ws_private"]
    exchange.apiKey, exchange.secret = venue.api_key, venue.secret
    exchange.enableRateLimit = False
    exchange.has["fetchCurrencies"] = False  # /v5/asset/coin/query-info is not simulated
    exchange.options["fetchMarkets"] = {"types": ["spot"]}
    exchange.options["defaultType"] = "spot"
    # Skip is_unified_enabled()'s /v5/user/query-api + /v5/account/info probe: the sim is UTA.
    exchange.options["enableUnifiedMargin"] = False
    exchange.options["enableUnifiedAccount"] = True


def _bybit_floor(session: aiohttp.ClientSession, venue: Venue) -> Floor:
    rest, key, secret = venue.urls["rest"], venue.api_key, venue.secret.encode()
    decode_book = msgspec.json.Decoder(BybitBookReply).decode
    decode_ack = msgspec.json.Decoder(BybitAck).decode
    window = "5000"

    async def post(path: str, payload: dict[str, str]) -> BybitOrder:
        body = json.dumps(payload, separators=(",", ":"))
        stamp = str(int(time.time() * 1000))
        signature = hmac.new(secret, (stamp + key + window + body).encode(), hashlib.sha256)
        headers = {
            "X-BAPI-API-KEY": key,
            "X-BAPI-TIMESTAMP": stamp,
            "X-BAPI-RECV-WINDOW": window,
            "X-BAPI-SIGN": signature.hexdigest(),
            "Content-Type": "application/json",
        }
        async with session.post(rest + path, data=body, headers=headers) as resp:
            ack = decode_ack(await resp.read())
        assert ack.retCode == 0 and ack.result is not None, ack
        return ack.result

    async def get_book() -> BybitBook:
        url = f"{rest}/v5/market/orderbook?category=spot&symbol=BTCUSDT&limit=100"
        async with session.get(url) as resp:
            return decode_book(await resp.read()).result

    async def place_cancel(quantity: str, price: str) -> BybitOrder:
        order = {
            "category": "spot",
            "symbol": "BTCUSDT",
            "side": "Buy",
            "orderType": "Limit",
            "qty": quantity,
            "price": price,
            "timeInForce": "GTC",
            "orderLinkId": "fl" + uuid.uuid4().hex,
        }
        placed = await post("/v5/order/create", order)
        cancel = {"category": "spot", "symbol": "BTCUSDT", "orderId": placed.orderId}
        return await post("/v5/order/cancel", cancel)

    return Floor(get_book, place_cancel)


def _bybit_frame(
    native: str, update_id: int, bids: list[list[str]], asks: list[list[str]]
) -> dict[str, Any]:
    """An ``orderbook`` data object; ``u`` and ``seq`` both carry the id."""
    return {"s": native, "b": bids, "a": asks, "u": update_id, "seq": update_id}


def _bybit_envelope(kind: str, topic: str, data: dict[str, Any]) -> dict[str, Any]:
    """``ts`` is the id too (see `_ws_start`): ccxt.pro keeps no ``u`` on its book."""
    return {"topic": topic, "type": kind, "ts": data["u"], "data": data, "cts": data["u"]}


BYBIT = Wiring(
    name="bybit",
    ccxt_id="bybit",
    symbol="BTC/USDT",
    native="BTCUSDT",
    ws_key="ws_public_spot",
    rate_limits={
        "rest": [RateLimitRule(k, "SECOND", 1, UNLIMITED) for k in (*BYBIT_QUOTAS, "IP")],
    },
    configure_ccxt=_bybit_ccxt,
    floor=_bybit_floor,
    stream_frame=_bybit_frame,
    ws_envelope=_bybit_envelope,
    hose_start=_ws_start,
    firehose_dialect="bybit",
    pro_update_id=lambda book: int(book["timestamp"]),
)

MAPPINGS: dict[str, Wiring] = {"binance": BINANCE, "okx": OKX, "bybit": BYBIT}


def benchmarked() -> tuple[list[Wiring], list[str]]:
    """(connectors to run, names skipped because no ccxt mapping exists yet)."""
    from lotusx.core import registry

    names = sorted(set(registry.available()) & set(Venue.available()))
    return [MAPPINGS[n] for n in names if n in MAPPINGS], [n for n in names if n not in MAPPINGS]
