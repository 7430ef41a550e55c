import asyncio
import json
import random
import statistics
import time
from collections import Counter
from collections.abc import Mapping
from decimal import Decimal

import msgspec
import pytest
from aiohttp import web
from hypothesis import given
from hypothesis import strategies as st
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from lotusx.core import observability
from lotusx.core.errors import (
    BadSymbol,
    ConfigurationError,
    ExchangeUnavailable,
    IpBanned,
    RateLimitExceeded,
    RequestTimeout,
)
from lotusx.core.ratelimit import Quota, RateLimiter
from lotusx.core.retry import RetryPolicy
from lotusx.core.transport.errors import ErrorTable
from lotusx.core.transport.rest import Endpoint, RestClient
from lotusx.core.transport.signing import SignableRequest, hmac_sha256_hex

from .conftest import serve


def parse(body: bytes) -> tuple[str | None, str] | None:
    data = json.loads(body)
    return str(data["code"]), data["msg"]


TABLE = ErrorTable("test", {"-1121": BadSymbol}, parse)
FAST = RetryPolicy(max_tries=4, base=0.01, max_delay=0.05)

GET = Endpoint("get", "GET", "rest", "/thing", costs={"weight": 1})
POST = Endpoint("place", "POST", "rest", "/order", costs={"weight": 1})


class Thing(msgspec.Struct):
    value: int


def client(url: str, **kw: object) -> RestClient:
    kw.setdefault("retry", FAST)
    return RestClient("test", {"rest": url}, errors=TABLE, **kw)  # type: ignore[arg-type]


async def test_weighted_burst_earns_no_429_and_uses_the_quota() -> None:
    # The quota, not our throughput, must be the bottleneck even on a loaded 2-core machine:
    # ~170 calls per window is a small fraction of what the client can send.
    window_ms, limit = 500, 2000
    used: Counter[int] = Counter()
    rejected = 0

    async def handler(request: web.Request) -> web.Response:
        nonlocal rejected
        weight = int(request.query["w"])
        now = time.time_ns() // 1_000_000
        start = now - now % window_ms
        if used[start] + weight > limit:
            rejected += 1
            return web.json_response({"code": -1003, "msg": "too much weight"}, status=429)
        used[start] += weight
        return web.json_response({"value": weight}, headers={"X-Used-Weight": str(used[start])})

    def observe(
        headers: Mapping[str, str], limiter: RateLimiter, charged: object, sent_ms: int
    ) -> None:
        if "X-Used-Weight" in headers:
            limiter.observe("weight", int(headers["X-Used-Weight"]), sent_ms)

    async with serve(lambda app: app.router.add_get("/thing", handler)) as url:
        limiter = RateLimiter("test", [Quota("weight", limit, window_ms)])
        rest = client(url, limiter=limiter, header_observer=observe, retry=RetryPolicy(max_tries=1))
        await rest.open()
        rng = random.Random(7)
        weights = [rng.choice([5, 10, 20]) for _ in range(2000)]
        gate = asyncio.Semaphore(64)

        async def call(w: int) -> int:
            async with gate:
                thing = await rest.request(GET, Thing, params={"w": w}, costs={"weight": w})
                return thing.value

        results = await asyncio.gather(*(call(w) for w in weights))
        await rest.close()
    assert rejected == 0
    assert sum(results) == sum(weights)
    windows = sorted(used)
    full = [used[w] for w in windows[1:-1]]  # first and last windows are partial by nature
    assert len(full) >= 3, "the burst should span several windows"
    # Steady state uses the quota; the first window may still hold the pool's connection
    # set-up on a loaded machine, so the median window is the measure.
    assert statistics.median(full) >= 0.9 * limit, (full, limit)


async def test_get_retried_on_5xx_and_post_never() -> None:
    hits: Counter[str] = Counter()

    async def flaky(request: web.Request) -> web.Response:
        hits[request.method] += 1
        if hits[request.method] < 3:
            return web.json_response({"code": -1001, "msg": "internal"}, status=503)
        return web.json_response({"value": 1})

    def setup(app: web.Application) -> None:
        app.router.add_get("/thing", flaky)
        app.router.add_post("/order", flaky)

    async with serve(setup) as url:
        rest = client(url)
        await rest.open()
        assert (await rest.request(GET, Thing)).value == 1
        assert hits["GET"] == 3
        with pytest.raises(ExchangeUnavailable) as info:
            await rest.request(POST, Thing)
        assert hits["POST"] == 1
        assert info.value.http_status == 503 and info.value.code == "-1001"
        await rest.close()


async def test_timeouts_retried_for_get_only() -> None:
    hits: Counter[str] = Counter()

    async def slow(request: web.Request) -> web.Response:
        hits[request.method] += 1
        if hits[request.method] == 1:
            await asyncio.sleep(1.0)
        return web.json_response({"value": 2})

    def setup(app: web.Application) -> None:
        app.router.add_get("/thing", slow)
        app.router.add_post("/order", slow)

    async with serve(setup) as url:
        rest = client(url, timeout=0.2)
        await rest.open()
        assert (await rest.request(GET, Thing)).value == 2
        assert hits["GET"] == 2
        with pytest.raises(RequestTimeout):
            await rest.request(POST, Thing)
        assert hits["POST"] == 1
        await rest.close()


async def test_retry_after_is_honoured_and_ban_stops() -> None:
    calls: list[float] = []

    async def limited(request: web.Request) -> web.Response:
        calls.append(time.monotonic())
        if len(calls) == 1:
            return web.json_response(
                {"code": -1003, "msg": "slow down"}, status=429, headers={"Retry-After": "0.4"}
            )
        return web.json_response({"value": 3})

    async def banned(request: web.Request) -> web.Response:
        calls.append(time.monotonic())
        return web.json_response(
            {"code": -1003, "msg": "banned"}, status=418, headers={"Retry-After": "0.1"}
        )

    def setup(app: web.Application) -> None:
        app.router.add_get("/thing", limited)
        app.router.add_get("/ban", banned)

    async with serve(setup) as url:
        rest = client(url)
        await rest.open()
        assert (await rest.request(GET, Thing)).value == 3
        assert calls[1] - calls[0] >= 0.39
        calls.clear()
        with pytest.raises(IpBanned) as info:
            await rest.request(Endpoint("ban", "GET", "rest", "/ban"), Thing)
        assert len(calls) == 1 and isinstance(info.value, RateLimitExceeded)
        await rest.close()


async def test_error_mapping_decoding_and_signing() -> None:
    seen: dict[str, str] = {}

    async def handler(request: web.Request) -> web.Response:
        seen.update(request.query)
        seen["key"] = request.headers.get("X-KEY", "")
        if request.query.get("symbol") == "NOPE":
            return web.json_response({"code": -1121, "msg": "Invalid symbol."}, status=400)
        if request.query.get("symbol") == "BAD":
            return web.json_response({"value": "not an int"})
        return web.json_response({"value": 5})

    class Signer:
        def sign(self, request: SignableRequest, now_ms: int) -> None:
            request.params.append(("timestamp", str(now_ms)))
            request.params.append(("signature", hmac_sha256_hex("s", request.query_string)))
            request.headers["X-KEY"] = "k"

    signed = Endpoint("signed", "GET", "rest", "/thing", signed=True)
    async with serve(lambda app: app.router.add_get("/thing", handler)) as url:
        with pytest.raises(ConfigurationError, match="credentials"):
            await client(url).request(signed, Thing)
        rest = client(url, signer=Signer())
        await rest.open()
        assert (await rest.request(signed, Thing, params={"symbol": "BTC", "n": None})).value == 5
        assert "n" not in seen and seen["key"] == "k"
        payload = f"symbol=BTC&timestamp={seen['timestamp']}"
        assert seen["signature"] == hmac_sha256_hex("s", payload)
        with pytest.raises(BadSymbol) as info:
            await rest.request(signed, Thing, params={"symbol": "NOPE"})
        assert info.value.code == "-1121" and info.value.http_status == 400
        assert info.value.exchange == "test" and info.value.endpoint == "signed"
        with pytest.raises(Exception, match="malformed response") as bad:
            await rest.request(signed, Thing, params={"symbol": "BAD"})
        assert type(bad.value).__name__ == "ExchangeError"
        await rest.close()


async def test_spans_and_metrics_recorded() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("lotusx-test")
    original = observability.tracer
    from lotusx.core.transport import rest as rest_module

    rest_module.tracer = tracer
    # Spans are only built once an SDK provider is installed; this test hands one in directly.
    rest_module.tracing_enabled = lambda: True
    try:
        async with serve(lambda app: app.router.add_get("/thing", _ok)) as url:
            rest = client(url)
            await rest.open()
            before = _sample("lotusx_rest_requests_total", endpoint="get", status="200")
            await rest.request(GET, Thing)
            await rest.close()
    finally:
        rest_module.tracer = original
        rest_module.tracing_enabled = observability.tracing_enabled
    spans = exporter.get_finished_spans()
    assert [s.name for s in spans] == ["test get"]
    assert spans[0].attributes is not None
    assert spans[0].attributes["http.response.status_code"] == 200
    assert spans[0].kind is trace.SpanKind.CLIENT
    assert _sample("lotusx_rest_requests_total", endpoint="get", status="200") == before + 1
    count = _sample("lotusx_rest_request_duration_seconds_count", endpoint="get", status="200")
    assert count >= 1


async def _ok(request: web.Request) -> web.Response:
    return web.json_response({"value": 1})


def _sample(name: str, **labels: str) -> float:
    value = observability.REGISTRY.get_sample_value(name, {"exchange": "test", **labels})
    return value or 0.0


async def test_sibling_shares_the_session_but_not_quotas() -> None:
    async with serve(lambda app: app.router.add_get("/thing", _ok)) as url:
        spot = client(url, limiter=RateLimiter("test", [Quota("weight", 100, 60_000)]))
        futures = spot.sibling(limiter=RateLimiter("test", [Quota("weight", 100, 60_000)]))
        await spot.open()
        assert (await futures.request(GET, Thing)).value == 1
        assert futures.limiter.used("weight") == 1
        assert spot.limiter.used("weight") == 0
        await spot.close()
        with pytest.raises(ConfigurationError, match="not open"):
            await futures.request(GET, Thing)


class Envelope(msgspec.Struct):
    code: int
    value: int = 0


THROTTLING = ErrorTable("test", {"-1003": RateLimitExceeded}, parse)


def check_envelope(reply: object, endpoint: Endpoint, raw: bytes) -> None:
    if isinstance(reply, Envelope) and reply.code != 0:
        raise THROTTLING.build(
            "-1003" if reply.code == 429 else str(reply.code),
            "busy",
            endpoint.name,
            http_status=200,
            raw=raw,
            retry_after=0.2,
        )


async def test_reply_check_errors_are_retried_and_pause_the_limiter() -> None:
    answers = [{"code": 429}, {"code": 0, "value": 7}]

    async def handler(request: web.Request) -> web.Response:
        return web.json_response(answers.pop(0))

    async with serve(lambda app: app.router.add_get("/thing", handler)) as url:
        rest = RestClient(
            "test", {"rest": url}, errors=THROTTLING, retry=FAST, reply_check=check_envelope
        )
        await rest.open()
        started = time.monotonic()
        reply = await rest.request(GET, Envelope)
        await rest.close()
    assert reply.value == 7
    assert not answers
    assert time.monotonic() - started >= 0.19  # waited the reply's retry-after


def test_tracing_is_off_until_an_sdk_provider_is_installed() -> None:
    assert not observability.tracing_enabled()  # the API alone: a proxy provider
    original = trace._TRACER_PROVIDER
    trace._TRACER_PROVIDER = TracerProvider()
    try:
        assert observability.tracing_enabled()
    finally:
        trace._TRACER_PROVIDER = original


@given(base=st.floats(0.001, 1.0), factor=st.floats(1.0, 4.0), cap=st.floats(0.01, 10.0))
def test_retry_delays_are_full_jitter_under_the_capped_exponential(
    base: float, factor: float, cap: float
) -> None:
    policy = RetryPolicy(base=base, factor=factor, max_delay=cap)
    for n, delay in zip(range(12), policy.delays(), strict=False):
        assert 0 <= delay <= min(cap, base * factor**n)


@given(
    amount=st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**12), max_value=10**12)
)
def test_json_bodies_carry_plain_decimal_text(amount: Decimal) -> None:
    """Exchanges document "0.00000001", not "1E-8": every Decimal in a JSON body, nested in
    objects and lists, is written as plain text that reads back as the same number."""
    from lotusx.core.transport.rest import BodyFormat, _encode_body

    endpoint = Endpoint("t", "POST", "rest", "/t", body=BodyFormat.JSON)
    encoded = _encode_body(endpoint, {"size": amount, "orders": [{"price": amount}]})
    assert encoded is not None
    body = json.loads(encoded)
    for text in (body["size"], body["orders"][0]["price"]):
        assert "E" not in text and "e" not in text
        assert Decimal(text) == amount
