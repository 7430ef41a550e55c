"""Bybit replies: `{"retCode","retMsg","result","retExtInfo","time"}` and the documented codes."""

from __future__ import annotations

from typing import Any

from lotusx.sim.model import Rejected, RejectReason


class BybitError(Exception):
    """A failed request: Bybit retCode/retMsg, the HTTP status and extra headers."""

    def __init__(
        self, code: int, msg: str, status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{code} {msg}")
        self.code = code
        self.msg = msg
        self.status = status
        self.headers = headers or {}


def param(detail: str) -> BybitError:
    return BybitError(10001, f"params error: {detail}")


def bad_symbol(category: str) -> BybitError:
    if category == "spot":
        return BybitError(170121, "Invalid symbol.")
    return BybitError(10001, "params error: symbol invalid")


def unavailable() -> BybitError:
    return BybitError(10016, "Internal server error.", 503)


def not_found(category: str) -> BybitError:
    if category == "spot":
        return BybitError(170213, "Order does not exist.")
    return BybitError(110001, "order not exists or too late to cancel")


def rejected(exc: Rejected, category: str) -> BybitError:
    """Engine refusal → Bybit's spot (170xxx) or derivatives (110xxx) code."""
    spot = category == "spot"
    if exc.reason is RejectReason.INSUFFICIENT_BALANCE:
        if spot:
            return BybitError(170131, "Insufficient balance.")
        return BybitError(110007, "ab not enough for new order")
    if exc.reason is RejectReason.REDUCE_ONLY_REJECTED:
        return BybitError(110017, "current position is zero, cannot fix reduce-only order qty")
    if exc.reason is RejectReason.DUPLICATE_CLIENT_ID:
        if spot:
            return BybitError(170141, "Duplicate clientOrderId.")
        return BybitError(110072, "OrderLinkedID is duplicate")
    if exc.reason is RejectReason.UNKNOWN_ORDER:
        return not_found(category)
    if exc.reason is RejectReason.INVALID_AMEND:
        return param("qty invalid")
    return BybitError(10001, f"params error: {exc.reason.value}")


def envelope(result: Any, now: int, ext: Any = None) -> dict[str, Any]:
    return {
        "retCode": 0,
        "retMsg": "OK",
        "result": result,
        "retExtInfo": ext if ext is not None else {},
        "time": now,
    }


def error_body(err: BybitError, now: int) -> dict[str, Any]:
    return {"retCode": err.code, "retMsg": err.msg, "result": {}, "retExtInfo": {}, "time": now}
