"""`RestClient`: the single path of every REST call a connector makes.

One aiohttp session per connector. A call names an `Endpoint` (declared in the connector's
``endpoints.py``); the client serialises parameters, waits for rate-limit capacity, signs with
the exchange-clock time, sends, feeds rate-limit headers back to the limiter, maps errors through
the exchange's `ErrorTable`, retries per the `RetryPolicy` when the endpoint is idempotent,
decodes the body into a msgspec type, and records a span and metrics.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any, TypeVar

import aiohttp
import msgspec
from opentelemetry.trace import INVALID_SPAN, Span, SpanKind, Status, StatusCode
from yarl import URL

from lotusx.core.clock import Clock
from lotusx.core.errors import (
    ConfigurationError,
    ExchangeError,
    IpBanned,
    NetworkError,
    RateLimitExceeded,
    RequestTimeout,
)
from lotusx.core.observability import (
    RATELIMIT_REJECTIONS,
    REST_DURATION,
    REST_REQUESTS,
    tracer,
    tracing_enabled,
)
from lotusx.core.ratelimit import RateLimiter
from lotusx.core.retry import RetryPolicy
from lotusx.core.transport.errors import ErrorTable
from lotusx.core.transport.signing import SignableRequest, Signer, urlencode

__all__ = [
    "BodyFormat",
    "Endpoint",
    "HeaderObserver",
    "ReplyCheck",
    "RestClient",
    "format_param",
    "plain_decimals",
]

_UNTRACED: AbstractContextManager[Span] = nullcontext(INVALID_SPAN)

T = TypeVar("T")

HeaderObserver = Callable[[Mapping[str, str], RateLimiter, Mapping[str, int], int], None]
"""Reads an exchange's rate-limit headers into the limiter; also told the costs the call was
charged (so a per-endpoint quota, e.g. Bybit's, knows which quota the headers describe) and when it
was sent on the limiter's clock (`RateLimiter.observe`'s ``sent_ms``)."""


ReplyCheck = Callable[[Any, "Endpoint", bytes], None]
"""Raises the exchange's `ExchangeError` for a decoded reply that reports a failure with HTTP 200
(OKX ``code``, Bybit ``retCode``); called inside the request, so retries, rate-limit pauses,
spans and metrics treat it like an HTTP error."""


class BodyFormat(StrEnum):
    QUERY = "query"  # every parameter in the query string, no body (Binance)
    JSON = "json"  # GET: query string; otherwise a JSON body (OKX, Bybit)
    FORM = "form"  # GET: query string; otherwise a form-encoded body (Kraken)


class Endpoint(msgspec.Struct, frozen=True):
    """One REST endpoint: where it is, how it is authenticated, what it costs."""

    name: str
    method: str
    base: str
    path: str
    signed: bool = False
    costs: Mapping[str, int] = msgspec.field(default_factory=dict)
    idempotent: bool | None = None
    body: BodyFormat = BodyFormat.QUERY

    @property
    def retryable(self) -> bool:
        return self.method == "GET" if self.idempotent is None else self.idempotent


def format_param(value: object) -> str:
    """Wire text of a parameter: plain decimals (never exponents), lower-case booleans."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, int):
        return str(value)
    raise TypeError(f"unsupported parameter type {type(value).__name__}; pass str/Decimal/int")


def plain_decimals(value: object, *, numbers: bool = False) -> object:
    """``value`` (nested dicts and lists) with every `Decimal` in plain text: msgspec writes a
    Decimal's ``str()``, which turns to exponent form for small and large values (``"1E-8"``,
    ``"6E+4"``); exchanges document plain decimals. As JSON strings, or as JSON numbers with
    ``numbers=True`` (bodies whose amounts are numbers, e.g. Kraken Futures' ``batchorder``)."""
    if isinstance(value, Decimal):
        text = format(value, "f")
        return msgspec.Raw(text.encode()) if numbers else text
    if isinstance(value, Mapping):
        return {key: plain_decimals(item, numbers=numbers) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain_decimals(item, numbers=numbers) for item in value]
    return value


_json_encoder = msgspec.json.Encoder()


class RestClient:
    """REST transport for one connector."""

    def __init__(
        self,
        exchange: str,
        urls: Mapping[str, str],
        *,
        errors: ErrorTable,
        signer: Signer | None = None,
        limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        header_observer: HeaderObserver | None = None,
        reply_check: ReplyCheck | None = None,
        timeout: float = 10.0,
        default_headers: Mapping[str, str] | None = None,
    ) -> None:
        self.exchange = exchange
        self._reply_check = reply_check
        self.urls = dict(urls)
        self.errors = errors
        self.signer = signer
        self.limiter = limiter or RateLimiter(exchange)
        self.retry = retry or RetryPolicy()
        self.clock = clock or Clock()
        self._observe_headers = header_observer
        self._timeout = timeout
        self._default_headers = dict(default_headers or {})
        self._http = _Http()
        self._decoders: dict[Any, msgspec.json.Decoder[Any]] = {}
        self._children: dict[tuple[str, str], tuple[Any, Any]] = {}

    def sibling(
        self,
        *,
        errors: ErrorTable | None = None,
        limiter: RateLimiter | None = None,
        header_observer: HeaderObserver | None = None,
    ) -> RestClient:
        """A client for another API of the same exchange (its own error table and quotas, e.g.
        Binance futures beside spot) sharing this one's HTTP session, signer and clock."""
        twin = RestClient(
            self.exchange,
            self.urls,
            errors=errors or self.errors,
            signer=self.signer,
            limiter=limiter,
            retry=self.retry,
            clock=self.clock,
            header_observer=header_observer or self._observe_headers,
            reply_check=self._reply_check,
            timeout=self._timeout,
            default_headers=self._default_headers,
        )
        twin._http = self._http
        twin._decoders = self._decoders
        return twin

    async def open(self) -> None:
        self._http.open(self._timeout, self._default_headers)

    async def close(self) -> None:
        await self._http.close()

    def _decoder(self, kind: Any) -> msgspec.json.Decoder[Any]:
        decoder = self._decoders.get(kind)
        if decoder is None:
            decoder = self._decoders[kind] = msgspec.json.Decoder(kind)
        return decoder

    async def request(
        self,
        endpoint: Endpoint,
        decode: type[T],
        *,
        params: Mapping[str, object] | None = None,
        body: Mapping[str, object] | Sequence[object] | None = None,
        costs: Mapping[str, int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> T:
        """Send ``endpoint`` and decode its body into ``decode``; raises `LotusXError`s."""
        if endpoint.signed and self.signer is None:
            raise ConfigurationError(
                f"{self.exchange} {endpoint.name} needs API credentials (api_key/secret)"
            )
        query = [(k, format_param(v)) for k, v in (params or {}).items() if v is not None]

        async def once() -> T:
            return await self._send(endpoint, decode, query, body, costs, headers)

        return await self.retry.run(once, idempotent=endpoint.retryable)

    async def _send(
        self,
        endpoint: Endpoint,
        decode: type[T],
        query: list[tuple[str, str]],
        body: Mapping[str, object] | Sequence[object] | None,
        costs: Mapping[str, int] | None,
        extra_headers: Mapping[str, str] | None,
    ) -> T:
        charged = endpoint.costs if costs is None else costs
        await self.limiter.acquire(charged)
        sent_ms = self.limiter.now_ms()
        base = self.urls.get(endpoint.base)
        if base is None:
            raise ConfigurationError(f"{self.exchange}: no URL configured for {endpoint.base!r}")
        request = SignableRequest(
            endpoint.method,
            endpoint.path,
            list(query),
            _encode_body(endpoint, body),
            dict(extra_headers or {}),
        )
        if endpoint.signed:
            assert self.signer is not None
            self.signer.sign(request, self.clock.now_ms())
        if request.body is not None and "Content-Type" not in request.headers:
            request.headers["Content-Type"] = (
                "application/json"
                if endpoint.body is BodyFormat.JSON
                else "application/x-www-form-urlencoded"
            )
        # Send exactly the bytes that were signed: yarl must not re-quote the query.
        url = URL(base + request.path_with_query, encoded=True)
        session = self._http.session
        if session is None:
            raise ConfigurationError(f"{self.exchange}: connector is not open (use `async with`)")
        started = time.perf_counter()
        status_label = "error"
        with self._span(endpoint) as span:
            try:
                async with session.request(
                    endpoint.method, url, data=request.body, headers=request.headers
                ) as response:
                    payload = await response.read()
                    status = response.status
                    status_label = str(status)
                    span.set_attribute("http.response.status_code", status)
                    if self._observe_headers is not None:
                        self._observe_headers(response.headers, self.limiter, charged, sent_ms)
                    if status >= 400:
                        error = self.errors.for_response(
                            status, payload, endpoint.name, response.headers.get("Retry-After")
                        )
                        self._on_error(error, status)
                        raise error
                    result: T = self._decoder(decode).decode(payload)
                    if self._reply_check is not None:
                        try:
                            self._reply_check(result, endpoint, payload)
                        except ExchangeError as error:
                            status_label = f"{status}:{error.code}"
                            self._on_error(error, status)
                            raise
                    return result
            except TimeoutError as exc:
                status_label = "timeout"
                raise RequestTimeout(
                    "no response in time", exchange=self.exchange, endpoint=endpoint.name
                ) from exc
            except aiohttp.ClientError as exc:
                raise NetworkError(
                    f"{type(exc).__name__}: {exc}", exchange=self.exchange, endpoint=endpoint.name
                ) from exc
            except msgspec.ValidationError as exc:
                status_label = "decode_error"
                raise self.errors.unexpected(endpoint.name, f"malformed response: {exc}") from exc
            except msgspec.DecodeError as exc:
                status_label = "decode_error"
                raise self.errors.unexpected(endpoint.name, f"invalid JSON: {exc}") from exc
            except ExchangeError as exc:
                span.set_status(Status(StatusCode.ERROR, str(exc)))
                raise
            finally:
                duration, count = self._metrics(endpoint.name, status_label)
                duration.observe(time.perf_counter() - started)
                count.inc()

    def _span(self, endpoint: Endpoint) -> AbstractContextManager[Span]:
        """The call's CLIENT span, or a shared no-op one while no tracer SDK is installed."""
        if not tracing_enabled():
            return _UNTRACED
        return tracer.start_as_current_span(
            f"{self.exchange} {endpoint.name}",
            kind=SpanKind.CLIENT,
            attributes={
                "lotusx.exchange": self.exchange,
                "lotusx.endpoint": endpoint.name,
                "http.request.method": endpoint.method,
            },
        )

    def _metrics(self, endpoint: str, status: str) -> tuple[Any, Any]:
        """The labelled metric children, looked up once per (endpoint, status)."""
        key = (endpoint, status)
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = (
                REST_DURATION.labels(self.exchange, endpoint, status),
                REST_REQUESTS.labels(self.exchange, endpoint, status),
            )
        return children

    def _on_error(self, error: ExchangeError, status: int) -> None:
        if isinstance(error, RateLimitExceeded):
            RATELIMIT_REJECTIONS.labels(self.exchange, str(status)).inc()
            pause = error.retry_after if error.retry_after is not None else 1.0
            if isinstance(error, IpBanned):
                pause = max(pause, 120.0)
            self.limiter.pause(pause)


class _Http:
    """The aiohttp session, shared by a client and its siblings."""

    __slots__ = ("session",)

    def __init__(self) -> None:
        self.session: aiohttp.ClientSession | None = None

    def open(self, timeout: float, headers: Mapping[str, str]) -> None:
        if self.session is None or self.session.closed:
            self.session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=64, ttl_dns_cache=300),
                timeout=aiohttp.ClientTimeout(total=timeout),
                headers=headers,
            )

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None


def _encode_body(
    endpoint: Endpoint, body: Mapping[str, object] | Sequence[object] | None
) -> str | None:
    if body is None:
        return None
    if endpoint.body is BodyFormat.JSON:
        return _json_encoder.encode(plain_decimals(body)).decode()
    if endpoint.body is BodyFormat.FORM and isinstance(body, Mapping):
        return urlencode([(k, format_param(v)) for k, v in body.items() if v is not None])
    raise TypeError(f"{endpoint.name}: a {endpoint.body} endpoint takes params, not a body")
