"""Per-exchange wiring: how ccxt and the bare aiohttp floor reach one simulated venue.

A connector is benchmarked when it is installed, the simulator has its dialect, and a
`Wiring` below says how to point ccxt (REST ``urls['api']``, ccxt.pro ``urls['api']['ws']``)
and the bare floor at the venue. Binance, OKX, Bybit, Coinbase and Kraken are mapped; a
connector without a `Wiring` in `MAPPINGS` is reported as skipped. The saturated-stream row
(`firehose.py`) replays diff frames in each venue's own dialect (``firehose_dialect``); a
wiring without ``stream_frame`` skips it with ``firehose_skip``. A wiring names the symbol of
its batch row (``batch_symbol``) and its WebSocket order-entry floor (``ws_floor``, see
`wsfloor`) where the venue has them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import aiohttp
import msgspec
import wsfloor
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from wsfloor import WsFloorFactory

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
    venue_options: Callable[[], dict[str, Any]] = field(default=dict)  # extra `Venue.start` args
    ccxt_note: str = ""  # printed once: how ccxt had to be configured to reach the venue
    batch_symbol: str | None = None  # the batch row's symbol (None: no native batch placement)
    batch_note: str = ""  # how the batch travels (or why there is no batch row)
    ws_orders_key: str = ""  # the venue URL key of WebSocket order entry ("" : none offered)
    ws_floor: WsFloorFactory | None = None
    ws_note: str = ""  # why there is no WebSocket order entry row
    pro_orders_ws: bool = False  # ccxt.pro has create_order_ws/cancel_order_ws for the venue
    pro_cancel_ws_symbol: bool = True  # ccxt.pro's cancel_order_ws takes the symbol


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
        for market, key in (("spot", "spot_ws_api"), ("linear", "futures_ws_api")):
            if key in urls:
                ws["ws-api"][market] = urls[key]
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
    batch_symbol="BTC/USDT:USDT",
    batch_note=(
        "spot has no batch endpoint (place_batch_orders is emulated there: one request per "
        "order), so the row uses the USDⓈ-M perp: batchOrders, 5 per request, 4 requests"
    ),
    ws_orders_key="spot_ws_api",
    ws_floor=wsfloor.binance("spot_ws_api", "BTCUSDT"),
    pro_orders_ws=True,
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
    batch_symbol="BTC/USDT",
    batch_note="batch-orders, 20 per request: 1 request",
    ws_orders_key="ws_private",
    ws_floor=wsfloor.okx,
    pro_orders_ws=True,
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
        if "ws_trade" in urls:
            private["trade"] = urls["ws_trade"]
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
    batch_symbol="BTC/USDT",
    batch_note="create-batch, 10 per spot request: 2 requests",
    ws_orders_key="ws_trade",
    ws_floor=wsfloor.bybit,
    pro_orders_ws=True,
)

# ----------------------------------------------------------------------------- Coinbase


class CoinbaseLevel(msgspec.Struct):
    price: str
    size: str


class CoinbaseBook(msgspec.Struct):
    product_id: str
    bids: list[CoinbaseLevel]
    asks: list[CoinbaseLevel]


class CoinbaseBookReply(msgspec.Struct):
    pricebook: CoinbaseBook


class CoinbasePlaced(msgspec.Struct):
    order_id: str


class CoinbaseCreate(msgspec.Struct):
    success: bool
    success_response: CoinbasePlaced | None = None


class CoinbaseCancelled(msgspec.Struct):
    success: bool
    order_id: str


class CoinbaseCancels(msgspec.Struct):
    results: list[CoinbaseCancelled]


def _ed25519_key() -> dict[str, Any]:
    """A CDP Ed25519 key (base64 of seed + public key) for the venue, LotusX, ccxt and floor."""
    from lotusx.sim.dialects.coinbase.auth import new_key_name

    private = ed25519.Ed25519PrivateKey.generate()
    seed = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return {"api_key": new_key_name(), "secret": base64.b64encode(seed + public).decode()}


def _coinbase_ccxt(exchange: Any, urls: Mapping[str, str], venue: Venue) -> None:
    """One REST host; ccxt.pro's ``urls['api']['ws']`` is the market-data socket. ccxt signs
    Ed25519 keys with ``iss: cdp`` (its ES256 JWT says ``coinbase-cloud``, which CDP refuses)
    and builds the ``uri`` claim by stripping ``https://``: it is handed that form of the
    loopback URL, so the claim names the host and path it really calls."""
    exchange.urls["api"]["rest"] = urls["rest"]
    if "ws" in exchange.urls["api"]:
        exchange.urls["api"]["ws"] = urls["ws"]
    exchange.apiKey, exchange.secret = venue.api_key, venue.secret
    exchange.enableRateLimit = False
    exchange.has["fetchCurrencies"] = False  # /v2/currencies (Coinbase App API) is not simulated
    # With keys LotusX reads the authenticated /product_book; ccxt is asked to do the same.
    exchange.options["fetchOrderBook"] = {"usePrivate": True}
    sign = exchange.create_auth_token

    def create_auth_token(
        seconds: int, method: str | None = None, url: str | None = None, eddsa: bool = False
    ) -> str:
        return str(sign(seconds, method, url and url.replace("http://", "https://", 1), eddsa))

    exchange.create_auth_token = create_auth_token


def _cdp_signer(secret: str) -> tuple[str, Callable[[bytes], bytes]]:
    """(JWT ``alg``, raw signature of the signing input) of a CDP secret: PEM EC or Ed25519."""
    text = secret.replace("\\n", "\n").strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)

        def es256(data: bytes) -> bytes:
            r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")

        return "ES256", es256
    seed = ed25519.Ed25519PrivateKey.from_private_bytes(base64.b64decode(text)[:32])
    return "EdDSA", seed.sign


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _coinbase_floor(session: aiohttp.ClientSession, venue: Venue) -> Floor:
    """Every request carries a fresh JWT (``uri`` = method, host and path), as CDP documents."""
    rest, key = venue.urls["rest"], venue.api_key
    host = urlsplit(rest).netloc
    alg, sign = _cdp_signer(venue.secret)
    decode_book = msgspec.json.Decoder(CoinbaseBookReply).decode
    decode_create = msgspec.json.Decoder(CoinbaseCreate).decode
    decode_cancels = msgspec.json.Decoder(CoinbaseCancels).decode
    prefix = "/api/v3/brokerage"

    def headers(method: str, path: str) -> dict[str, str]:
        now = int(time.time())
        head = {"alg": alg, "kid": key, "nonce": secrets.token_hex(16), "typ": "JWT"}
        claims = {"sub": key, "iss": "cdp", "nbf": now, "exp": now + 120,
                  "uri": f"{method} {host}{path}"}  # fmt: skip
        signing = _b64url(json.dumps(head).encode()) + "." + _b64url(json.dumps(claims).encode())
        token = signing + "." + _b64url(sign(signing.encode()))
        return {"Authorization": "Bearer " + token, "Content-Type": "application/json"}

    async def post(path: str, payload: dict[str, Any]) -> bytes:
        body = json.dumps(payload, separators=(",", ":"))
        async with session.post(rest + path, data=body, headers=headers("POST", path)) as r:
            return await r.read()

    async def get_book() -> CoinbaseBook:
        path = prefix + "/product_book"
        url = f"{rest}{path}?product_id=BTC-USD&limit=100"
        async with session.get(url, headers=headers("GET", path)) as resp:
            return decode_book(await resp.read()).pricebook

    async def place_cancel(quantity: str, price: str) -> CoinbaseCancelled:
        config = {"limit_limit_gtc": {"base_size": quantity, "limit_price": price,
                                      "post_only": False}}  # fmt: skip
        order = {"client_order_id": str(uuid.uuid4()), "product_id": "BTC-USD", "side": "BUY",
                 "order_configuration": config}  # fmt: skip
        placed = decode_create(await post(prefix + "/orders", order))
        assert placed.success and placed.success_response is not None, placed
        cancel = {"order_ids": [placed.success_response.order_id]}
        done = decode_cancels(await post(prefix + "/orders/batch_cancel", cancel)).results[0]
        assert done.success, done
        return done

    return Floor(get_book, place_cancel)


COINBASE = Wiring(
    name="coinbase",
    ccxt_id="coinbase",
    symbol="BTC/USD",
    native="BTC-USD",
    ws_key="ws",
    rate_limits={"rest": [RateLimitRule(k, "SECOND", 1, UNLIMITED) for k in ("private", "public")]},
    configure_ccxt=_coinbase_ccxt,
    floor=_coinbase_floor,
    stream_frame=None,
    ws_envelope=None,
    hose_start=_ws_start,
    firehose_skip="no Coinbase level2 dialect in firehose.py yet",
    venue_options=_ed25519_key,
    ccxt_note=(
        "ccxt: Ed25519 CDP key (ccxt's ES256 JWT carries iss 'coinbase-cloud'); its uri claim "
        "is built from the https:// form of the loopback URL (ccxt strips only https://)"
    ),
    batch_note="Coinbase has no batch order placement (batch_cancel only)",
    ws_note="Coinbase Advanced Trade has no WebSocket order entry (market data and user only)",
)


# ----------------------------------------------------------------------------- Kraken


class KrakenDepth(msgspec.Struct):
    asks: list[tuple[str, str, int]]
    bids: list[tuple[str, str, int]]


class KrakenDepthReply(msgspec.Struct):
    error: list[str]
    result: dict[str, KrakenDepth]


class KrakenReply(msgspec.Struct):
    error: list[str]
    result: dict[str, Any] | None = None


class _Nonces:
    """Strictly increasing microseconds: ccxt, LotusX and the floor share one key, and Kraken
    refuses a nonce not above the key's last one (ccxt's default is milliseconds)."""

    last = 0

    def __call__(self) -> int:
        self.last = max(time.time_ns() // 1000, self.last + 1)
        return self.last


micro_nonce = _Nonces()


def _kraken_ccxt(exchange: Any, urls: Mapping[str, str], venue: Venue) -> None:
    """Public and private REST on the spot host; ccxt.pro's v2 sockets are the venue's."""
    api = exchange.urls["api"]
    api["public"] = api["private"] = urls["spot_rest"]
    ws = api.get("ws")
    if isinstance(ws, dict):
        ws["publicV2"] = ws["public"] = urls["spot_ws"]
        ws["privateV2"] = ws["private"] = urls["spot_ws_auth"]
    exchange.apiKey, exchange.secret = venue.api_key, venue.secret
    exchange.enableRateLimit = False
    exchange.nonce = micro_nonce


def _kraken_private(
    session: aiohttp.ClientSession, venue: Venue
) -> Callable[[str, dict[str, str]], Awaitable[dict[str, Any]]]:
    """POST ``/0/private/<method>``: form body led by ``nonce``, ``API-Sign`` =
    b64(HMAC-SHA512(b64decode(secret), path + SHA256(nonce + body)))."""
    rest, key = venue.urls["spot_rest"], venue.api_key
    secret = base64.b64decode(venue.secret)
    decode = msgspec.json.Decoder(KrakenReply).decode

    async def post(method: str, fields: dict[str, str]) -> dict[str, Any]:
        nonce = str(micro_nonce())
        body = urlencode({"nonce": nonce, **fields})
        path = "/0/private/" + method
        digest = hashlib.sha256((nonce + body).encode()).digest()
        mac = hmac.new(secret, path.encode() + digest, hashlib.sha512).digest()
        headers = {
            "API-Key": key,
            "API-Sign": base64.b64encode(mac).decode(),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        async with session.post(rest + path, data=body, headers=headers) as resp:
            reply = decode(await resp.read())
        assert not reply.error and reply.result is not None, reply
        return reply.result

    return post


def _kraken_floor(session: aiohttp.ClientSession, venue: Venue) -> Floor:
    rest = venue.urls["spot_rest"]
    decode_book = msgspec.json.Decoder(KrakenDepthReply).decode
    post = _kraken_private(session, venue)

    async def get_book() -> KrakenDepth:
        async with session.get(f"{rest}/0/public/Depth?pair=XXBTZUSD&count=100") as resp:
            return decode_book(await resp.read()).result["XXBTZUSD"]

    async def place_cancel(quantity: str, price: str) -> dict[str, Any]:
        order = {"ordertype": "limit", "type": "buy", "volume": quantity, "pair": "XXBTZUSD",
                 "price": price, "cl_ord_id": str(uuid.uuid4())}  # fmt: skip
        placed = await post("AddOrder", order)
        done = await post("CancelOrder", {"txid": placed["txid"][0]})
        assert done["count"] == 1, done
        return done

    return Floor(get_book, place_cancel)


async def _kraken_token(session: aiohttp.ClientSession, venue: Venue) -> str:
    return str((await _kraken_private(session, venue)("GetWebSocketsToken", {}))["token"])


KRAKEN = Wiring(
    name="kraken",
    ccxt_id="kraken",
    symbol="BTC/USD",
    native="XXBTZUSD",
    ws_key="spot_ws",
    rate_limits={
        "spot": [RateLimitRule(k, "SECOND", 1, UNLIMITED) for k in ("counter", "matching_engine")],
        "futures": [RateLimitRule("derivatives", "SECOND", 1, UNLIMITED)],
    },
    configure_ccxt=_kraken_ccxt,
    floor=_kraken_floor,
    stream_frame=None,
    ws_envelope=None,
    hose_start=_ws_start,
    firehose_skip="no Kraken v2 book dialect in firehose.py yet",
    ccxt_note="ccxt: microsecond nonces (the key is shared with LotusX and the floor)",
    batch_symbol="BTC/USD",
    batch_note="AddOrderBatch, at most 15 per request: 2 requests",
    ws_orders_key="spot_ws_auth",
    ws_floor=wsfloor.kraken(_kraken_token),
    pro_orders_ws=True,
    pro_cancel_ws_symbol=False,
)

MAPPINGS: dict[str, Wiring] = {
    "binance": BINANCE,
    "okx": OKX,
    "bybit": BYBIT,
    "coinbase": COINBASE,
    "kraken": KRAKEN,
}


def unthrottle(lotusx: Any) -> None:
    """Raise every client-side quota of ``lotusx`` (each of its REST and WebSocket clients) to
    the venue's 10^9, as ccxt runs without a limiter.

    Binance's connector learns the raised limits from the venue's exchangeInfo; the others
    carry the documented quotas (e.g. Bybit 600 requests per 5 s per IP) and would otherwise
    wait inside the measured calls.
    """
    for client in vars(lotusx).values():
        limiter = getattr(client, "limiter", None)
        if limiter is not None and hasattr(limiter, "set_quota"):
            for quota in limiter.quotas:
                limiter.set_quota(msgspec.structs.replace(quota, limit=UNLIMITED))


def benchmarked() -> tuple[list[Wiring], list[str]]:
    """(connectors to run, names skipped because no ccxt mapping exists yet)."""
    from lotusx.core import registry

    names = sorted(set(registry.available()) & set(Venue.available()))
    return [MAPPINGS[n] for n in names if n in MAPPINGS], [n for n in names if n not in MAPPINGS]
