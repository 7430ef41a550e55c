"""`ErrorTable`: one per exchange, mapping native error codes to the core hierarchy.

A connector's ``errors.py`` builds one table: how to read ``(code, message)`` out of an error
body, and which exception class each native code means. HTTP status decides when the code is
unknown (429 rate limit, 418 ban, 5xx unavailable, 401 auth, 403 permission, other 4xx bad
request).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from lotusx.core.errors import (
    AuthenticationError,
    BadRequest,
    ExchangeError,
    ExchangeUnavailable,
    IpBanned,
    PermissionDenied,
    RateLimitExceeded,
)

__all__ = ["ErrorTable", "ParseError"]

ParseError = Callable[[bytes], tuple[str | None, str] | None]
"""Reads ``(native code, message)`` from an error body; None when the body has neither."""


def _by_status(status: int | None) -> type[ExchangeError]:
    if status is None:
        return ExchangeError
    if status == 418:
        return IpBanned
    if status == 429:
        return RateLimitExceeded
    if status >= 500:
        return ExchangeUnavailable
    if status == 401:
        return AuthenticationError
    if status == 403:
        return PermissionDenied
    if 400 <= status < 500:
        return BadRequest
    return ExchangeError


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class ErrorTable:
    """Native code → exception class for one exchange."""

    def __init__(
        self,
        exchange: str,
        codes: Mapping[str, type[ExchangeError]],
        parse: ParseError,
    ) -> None:
        self.exchange = exchange
        self.codes = dict(codes)
        self._parse = parse

    def build(
        self,
        code: str | None,
        message: str,
        endpoint: str,
        *,
        http_status: int | None = None,
        raw: bytes | str | None = None,
        retry_after: float | None = None,
    ) -> ExchangeError:
        """The exception for a native ``code`` (falling back on the HTTP status)."""
        cls = self.codes.get(code) if code is not None else None
        if cls is None or http_status in (418, 429):
            # Throttling is decided by the status: a 418 is a ban whatever code it carries.
            by_status = _by_status(http_status)
            if cls is None or not issubclass(cls, by_status):
                cls = by_status
        if issubclass(cls, RateLimitExceeded):
            return cls(
                message,
                exchange=self.exchange,
                endpoint=endpoint,
                http_status=http_status,
                code=code,
                raw=raw,
                retry_after=retry_after,
            )
        return cls(
            message,
            exchange=self.exchange,
            endpoint=endpoint,
            http_status=http_status,
            code=code,
            raw=raw,
        )

    def for_response(
        self, status: int, body: bytes, endpoint: str, retry_after: str | None = None
    ) -> ExchangeError:
        """The exception for an HTTP error response."""
        parsed = None
        try:
            parsed = self._parse(body)
        except Exception:  # an unreadable error body still yields a typed error
            parsed = None
        code, message = (
            parsed if parsed is not None else (None, body[:200].decode("utf-8", "replace"))
        )
        return self.build(
            code,
            message or f"HTTP {status}",
            endpoint,
            http_status=status,
            raw=body,
            retry_after=_retry_after(retry_after),
        )

    def unexpected(self, endpoint: str, message: str, raw: bytes | None = None) -> ExchangeError:
        """A response that does not match the exchange's documented shape."""
        return ExchangeError(message, exchange=self.exchange, endpoint=endpoint, raw=raw)
