"""Kraken errors → the LotusX hierarchy: one table for Spot strings, Futures strings and
Futures order statuses.

Spot answers ``{"error": ["EOrder:Insufficient funds"], "result": {}}``, mostly with HTTP 200;
entries starting with ``W`` are warnings. The native code is the whole string; a string with a
detail after a third ``:`` (``EGeneral:Invalid arguments:volume``) is looked up by its first two
parts. Futures answers ``{"result": "error", "error": "apiLimitExceeded"}`` (or ``errors``),
and reports a refused order as a successful call whose ``sendStatus.status`` (``editStatus``,
``cancelStatus``, batch item ``status``) names the reason: those statuses are in the same table.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from lotusx.core.errors import (
    AuthenticationError,
    BadRequest,
    BadSymbol,
    ExchangeError,
    ExchangeUnavailable,
    InsufficientFunds,
    InvalidParameter,
    OrderNotFound,
    OrderRejected,
    PermissionDenied,
    PostOnlyWouldTake,
    RateLimitExceeded,
    ReduceOnlyRejected,
    TimestampError,
)
from lotusx.core.transport.errors import ErrorTable
from lotusx.core.transport.rest import Endpoint

__all__ = [
    "CODES",
    "EXCHANGE",
    "FUTURES_OK",
    "InvalidNonce",
    "check_futures",
    "check_reply",
    "check_spot",
    "error_table",
    "lookup_code",
    "parse_error",
]

EXCHANGE = "kraken"


class InvalidNonce(TimestampError):
    """Kraken refused the request's nonce: nothing was done, it is safe to sign and send again."""


_INVALID = InvalidParameter
CODES: Mapping[str, type[ExchangeError]] = {
    # ---- spot: API, general, service
    "EAPI:Invalid key": AuthenticationError,
    "EAPI:Invalid signature": AuthenticationError,
    "EAPI:Invalid nonce": InvalidNonce,
    "EAPI:Bad request": BadRequest,
    "EAPI:Rate limit exceeded": RateLimitExceeded,
    "EAPI:Feature disabled": PermissionDenied,
    "EGeneral:Invalid arguments": _INVALID,
    "EGeneral:Permission denied": PermissionDenied,
    "EGeneral:Unknown method": BadRequest,
    "EGeneral:Temporary lockout": RateLimitExceeded,
    "EGeneral:Too many requests": RateLimitExceeded,
    "EGeneral:Internal error": ExchangeUnavailable,
    "EService:Unavailable": ExchangeUnavailable,
    "EService:Busy": ExchangeUnavailable,
    "EService:Deadline elapsed": ExchangeUnavailable,
    "EService:Throttled": RateLimitExceeded,
    "EService:Market in cancel_only mode": OrderRejected,
    "EService:Market in post_only mode": OrderRejected,
    "EService:Market in limit_only mode": OrderRejected,
    "EDatabase:Internal error": ExchangeUnavailable,
    "ESession:Invalid session": AuthenticationError,
    "ETrade:Locked": PermissionDenied,
    "EQuery:Unknown asset pair": BadSymbol,
    "EQuery:Unknown asset": BadSymbol,
    "EQuery:Invalid asset pair": BadSymbol,
    # ---- spot: orders
    "EOrder:Insufficient funds": InsufficientFunds,
    "EOrder:Insufficient margin": InsufficientFunds,
    "EOrder:Margin allowance exceeded": InsufficientFunds,
    "EOrder:Margin level too low": InsufficientFunds,
    "EOrder:Margin position size exceeded": OrderRejected,
    "EOrder:Cannot open position": OrderRejected,
    "EOrder:Cannot open opposing position": OrderRejected,
    "EOrder:Order minimum not met": _INVALID,
    "EOrder:Cost minimum not met": _INVALID,
    "EOrder:Tick size check failed": _INVALID,
    "EOrder:Invalid order": _INVALID,
    "EOrder:Invalid price": _INVALID,
    "EOrder:Orders limit exceeded": OrderRejected,
    "EOrder:Positions limit exceeded": OrderRejected,
    "EOrder:Scheduled orders limit exceeded": OrderRejected,
    "EOrder:Rate limit exceeded": RateLimitExceeded,
    "EOrder:Domain rate limit exceeded": RateLimitExceeded,
    "EOrder:Unknown order": OrderNotFound,
    "EOrder:Unknown position": OrderNotFound,
    "EOrder:Post only order": PostOnlyWouldTake,
    "EOrder:Reduce only:Non-PC": ReduceOnlyRejected,
    "EOrder:Reduce only:No position exists": ReduceOnlyRejected,
    "EOrder:Duplicate cl_ord_id": OrderRejected,
    "EOrder:Trading agreement required": PermissionDenied,
    # ---- spot: funding
    "EFunding:Unknown withdraw key": _INVALID,
    "EFunding:Invalid amount": _INVALID,
    "EFunding:Insufficient funds": InsufficientFunds,
    "EFunding:Unknown asset": BadSymbol,
    "EFunding:Max fee exceeded": _INVALID,
    "EFunding:Too many addresses": BadRequest,
    "EFunding:Unknown reference id": BadRequest,
    # ---- futures: call errors
    "authenticationError": AuthenticationError,
    "apiLimitExceeded": RateLimitExceeded,
    "accountInactive": PermissionDenied,
    "insufficientAvailableFunds": InsufficientFunds,
    "insufficientFunds": InsufficientFunds,
    "invalidAmount": _INVALID,
    "invalidUnit": _INVALID,
    "Json Parse Error": BadRequest,
    "invalidArgument": _INVALID,
    "requiredArgumentMissing": _INVALID,
    "invalidAccount": BadRequest,
    "nonceBelowThreshold": InvalidNonce,
    "nonceDuplicate": InvalidNonce,
    "invalid nonce": InvalidNonce,
    "duplicate nonce": InvalidNonce,
    "marketUnavailable": ExchangeUnavailable,
    "unavailable": ExchangeUnavailable,
    "Server Error": ExchangeUnavailable,
    "unknownError": ExchangeUnavailable,
    "Contract does not exist": BadSymbol,
    "Contract not a multi-collateral futures contract": BadSymbol,
    "Would cause liquidation": OrderRejected,
    # ---- futures: order statuses that refuse (sendStatus / editStatus / cancelStatus)
    "invalidOrderType": _INVALID,
    "invalidSize": _INVALID,
    "invalidPrice": _INVALID,
    "tooManySmallOrders": _INVALID,
    "outsidePriceCollar": _INVALID,
    "clientOrderIdTooLong": _INVALID,
    "clientOrderIdTooBig": _INVALID,
    "clientOrderIdInvalid": _INVALID,
    "orderForEditNotAStop": _INVALID,
    "clientOrderIdAlreadyExist": OrderRejected,
    "marketSuspended": OrderRejected,
    "marketInactive": OrderRejected,
    "maxPositionViolation": OrderRejected,
    "selfFill": OrderRejected,
    "wouldCauseLiquidation": InsufficientFunds,
    "postWouldExecute": PostOnlyWouldTake,
    "wouldNotReducePosition": ReduceOnlyRejected,
    "orderForEditNotFound": OrderNotFound,
    "notFound": OrderNotFound,
}

# Futures order statuses that mean the call did what it was asked.
FUTURES_OK = frozenset(
    {"placed", "partiallyFilled", "filled", "cancelled", "edited", "iocWouldNotExecute"}
)


def lookup_code(code: str) -> type[ExchangeError] | None:
    """The class for a native string: exact, else its first two ``:`` parts, else the part
    before a futures ``invalidArgument: detail``."""
    found = CODES.get(code)
    if found is not None:
        return found
    parts = code.split(":")
    if len(parts) > 2:
        found = CODES.get(":".join(parts[:2]).rstrip())
        if found is not None:
            return found
    if len(parts) > 1:
        head = parts[0].strip()
        if not head.startswith("E"):
            return CODES.get(head)
        # "EService: Throttled: 1618426260" style (spaces after the colons)
        return CODES.get(f"{head}:{parts[1].strip()}")
    return None


class _SpotErrors(msgspec.Struct):
    error: list[str] = []


class _FutureError(msgspec.Struct):
    code: int | str | None = None
    message: str = ""


class _FuturesErrors(msgspec.Struct):
    result: str = ""
    error: str | None = None
    errors: list[_FutureError | str] | None = None
    status: str | None = None


_decode_spot = msgspec.json.Decoder(_SpotErrors).decode
_decode_futures = msgspec.json.Decoder(_FuturesErrors).decode


def _spot_first_error(errors: list[str]) -> str | None:
    return next((e for e in errors if e.startswith("E")), None)


def _futures_error(head: _FuturesErrors) -> str | None:
    if head.error:
        return head.error
    for item in head.errors or ():
        if isinstance(item, str):
            return item
        return item.message or str(item.code)
    return None


def parse_error(body: bytes) -> tuple[str | None, str] | None:
    """``(code, message)`` of a Kraken error body (spot or futures); the code is the string."""
    if body[:1] != b"{":
        return None
    if b'"error":[' in body.replace(b" ", b""):
        code = _spot_first_error(_decode_spot(body).error)
    else:
        head = _decode_futures(body)
        code = _futures_error(head) if head.result == "error" else None
    return None if code is None else (code, code)


_CODE_MEMO = 1024  # at most this many codes known (details such as timestamps vary)
# ``EGeneral:Temporary lockout``: Kraken locks the key out after too many failed calls (invalid
# nonces, signatures); its support article "API error codes" says a lockout "typically" lasts
# about 15 minutes. The limiter pauses the key that long (not the 1 s default of a throttle):
# calls sent meanwhile would fail and count against the key again.
LOCKOUT_SECONDS = 900.0


class KrakenErrorTable(ErrorTable):
    """`ErrorTable` whose codes are matched with `lookup_code` (details after the code)."""

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
        if (
            retry_after is None
            and code is not None
            and code.startswith("EGeneral:Temporary lockout")
        ):
            retry_after = LOCKOUT_SECONDS
        if code is not None and code not in self.codes and len(self.codes) < _CODE_MEMO:
            found = lookup_code(code)  # remembered: codes with details repeat (field names)
            if found is not None:
                self.codes[code] = found
        elif code is not None and code not in self.codes:
            found = lookup_code(code)
            if found is not None:
                return ErrorTable(self.exchange, {code: found}, self._parse).build(
                    code,
                    message,
                    endpoint,
                    http_status=http_status,
                    raw=raw,
                    retry_after=retry_after,
                )
        return super().build(
            code, message, endpoint, http_status=http_status, raw=raw, retry_after=retry_after
        )


def error_table() -> KrakenErrorTable:
    return KrakenErrorTable(EXCHANGE, CODES, parse_error)


TABLE = error_table()


def check_spot(reply: object, endpoint: Endpoint, raw: bytes) -> None:
    """Reply check for spot calls: a non-empty ``error`` array (warnings aside) raises."""
    head = _decode_spot(raw)
    code = _spot_first_error(head.error)
    if code is not None:
        raise TABLE.build(code, code, endpoint.name, http_status=200, raw=raw)


def check_futures(reply: object, endpoint: Endpoint, raw: bytes) -> None:
    """Reply check for futures calls: ``"result": "error"`` raises."""
    head = _decode_futures(raw)
    if head.result == "error":
        code = _futures_error(head) or "unknownError"
        raise TABLE.build(code, code, endpoint.name, http_status=200, raw=raw)


def check_reply(reply: object, endpoint: Endpoint, raw: bytes) -> None:
    """The `RestClient` reply check for both platforms (by the endpoint's base URL key)."""
    if endpoint.base == "spot_rest":
        check_spot(reply, endpoint, raw)
    else:
        check_futures(reply, endpoint, raw)


def order_status_error(status: str, endpoint: str, raw: bytes | None = None) -> ExchangeError:
    """The error for a futures order status outside `FUTURES_OK`."""
    return TABLE.build(status, f"order refused: {status}", endpoint, raw=raw)
