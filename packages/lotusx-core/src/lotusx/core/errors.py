"""The LotusX exception hierarchy (ARCHITECTURE.md §4).

Every failure a caller can meet is one of these classes. Exchange-side failures carry the
exchange, the endpoint, the HTTP status, the exchange's native code and message, and the raw
body, so an operator can act on a log line alone. Secrets never appear in any message or repr:
connectors redact request material before it reaches an exception.
"""

from __future__ import annotations

__all__ = [
    "AuthenticationError",
    "BadRequest",
    "BadSymbol",
    "ConfigurationError",
    "ExchangeError",
    "ExchangeUnavailable",
    "InsufficientFunds",
    "InvalidOrderError",
    "InvalidParameter",
    "InvalidSymbolError",
    "IpBanned",
    "LotusXError",
    "NetworkError",
    "NotSupportedError",
    "OrderNotFound",
    "OrderRejected",
    "OrderStatusUnknown",
    "PermissionDenied",
    "PostOnlyWouldTake",
    "RateLimitExceeded",
    "ReduceOnlyRejected",
    "RequestNotSent",
    "RequestTimeout",
    "StreamOverflow",
    "TimestampError",
]

_BODY_PREVIEW = 512


class LotusXError(Exception):
    """Root of every error raised by LotusX."""


class ConfigurationError(LotusXError):
    """Missing keys, an unknown exchange, or a bad option."""


class InvalidSymbolError(LotusXError, ValueError):
    """A unified symbol string that does not parse (``BTC/USDT``, ``BTC/USDT:USDT``...)."""


class NotSupportedError(LotusXError):
    """The exchange does not offer this capability."""

    def __init__(self, exchange: str, capability: str, detail: str = "") -> None:
        self.exchange = exchange
        self.capability = capability
        suffix = f": {detail}" if detail else ""
        super().__init__(f"{exchange} does not support {capability}{suffix}")


class InvalidOrderError(LotusXError, ValueError):
    """An order that failed local validation against its instrument's rules."""

    def __init__(self, symbol: str, rule: str, detail: str) -> None:
        self.symbol = symbol
        self.rule = rule
        super().__init__(f"{symbol}: {rule} violated: {detail}")


class NetworkError(LotusXError):
    """Connection refused or reset, DNS or TLS failure."""

    def __init__(self, message: str, *, exchange: str = "", endpoint: str = "") -> None:
        self.exchange = exchange
        self.endpoint = endpoint
        where = f"{exchange} {endpoint}: " if exchange else ""
        super().__init__(f"{where}{message}")


class RequestTimeout(NetworkError):
    """The request was sent but no answer came in time."""


class RequestNotSent(NetworkError):
    """The request never left (its connection was not up): the venue did nothing with it."""


class StreamOverflow(NetworkError):
    """A stream consumer fell so far behind that messages it must not miss were dropped."""


class OrderStatusUnknown(NetworkError):
    """A placement whose fate could not be resolved through its client order id."""

    def __init__(
        self, message: str, *, exchange: str, endpoint: str, client_order_id: str | None
    ) -> None:
        self.client_order_id = client_order_id
        super().__init__(message, exchange=exchange, endpoint=endpoint)


class ExchangeError(LotusXError):
    """The exchange answered with an error."""

    def __init__(
        self,
        message: str,
        *,
        exchange: str,
        endpoint: str,
        http_status: int | None = None,
        code: str | None = None,
        raw: bytes | str | None = None,
    ) -> None:
        self.exchange = exchange
        self.endpoint = endpoint
        self.http_status = http_status
        self.code = code
        self.exchange_message = message
        self.raw = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        status = f" HTTP {http_status}" if http_status is not None else ""
        native = f" [{code}]" if code is not None else ""
        super().__init__(f"{exchange} {endpoint}{status}{native}: {message}")

    def __repr__(self) -> str:
        body = (self.raw or "")[:_BODY_PREVIEW]
        return (
            f"{type(self).__name__}(exchange={self.exchange!r}, endpoint={self.endpoint!r}, "
            f"http_status={self.http_status!r}, code={self.code!r}, "
            f"message={self.exchange_message!r}, raw={body!r})"
        )


class AuthenticationError(ExchangeError):
    """Bad API key, signature or passphrase."""


class TimestampError(AuthenticationError):
    """The signed request's timestamp fell outside the exchange's receive window."""


class PermissionDenied(ExchangeError):
    """The key is valid but lacks the permission, or the IP is not whitelisted."""


class BadRequest(ExchangeError):
    """The exchange rejected the request's form."""


class BadSymbol(BadRequest):
    """The exchange does not know the instrument."""


class InvalidParameter(BadRequest):
    """A parameter the exchange rejected (range, precision, filter)."""


class InsufficientFunds(ExchangeError):
    """Not enough balance or margin."""


class OrderRejected(ExchangeError):
    """The exchange refused the order or the order operation."""


class PostOnlyWouldTake(OrderRejected):
    """A post-only order would have taken liquidity."""


class ReduceOnlyRejected(OrderRejected):
    """A reduce-only order would have increased the position."""


class OrderNotFound(OrderRejected):
    """The exchange has no such order."""


class RateLimitExceeded(ExchangeError):
    """The exchange throttled the request; ``retry_after`` is in seconds when it said."""

    def __init__(
        self,
        message: str,
        *,
        exchange: str,
        endpoint: str,
        http_status: int | None = None,
        code: str | None = None,
        raw: bytes | str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(
            message,
            exchange=exchange,
            endpoint=endpoint,
            http_status=http_status,
            code=code,
            raw=raw,
        )


class IpBanned(RateLimitExceeded):
    """The IP was banned for ignoring rate limits (Binance HTTP 418)."""


class ExchangeUnavailable(ExchangeError):
    """5xx, maintenance, or the exchange says it is busy; the outcome may be unknown."""
