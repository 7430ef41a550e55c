"""OKX error replies: `{"code": "<string>", "msg": .., "data": [..]}` with their HTTP statuses."""

from __future__ import annotations

from typing import Any

from lotusx.sim.model import Rejected, RejectReason

RATE_LIMIT_MSG = "Too Many Requests"
ALL_FAILED = "All operations failed"
PARTIAL = "Bulk operation partially succeeded"


class OkxError(Exception):
    """A whole-request failure: HTTP status, OKX code (a string) and message."""

    def __init__(self, code: str, msg: str, status: int = 200, data: Any = None) -> None:
        super().__init__(f"{code} {msg}")
        self.code = code
        self.msg = msg
        self.status = status
        self.data = data if data is not None else []

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "msg": self.msg, "data": self.data}


class ItemError(Exception):
    """A per-item failure of a trade request, reported as `sCode`/`sMsg`."""

    def __init__(self, code: str, msg: str) -> None:
        super().__init__(f"{code} {msg}")
        self.code = code
        self.msg = msg


def empty(name: str) -> OkxError:
    return OkxError("50014", f"Parameter {name} can not be empty.", 400)


def param(name: str) -> OkxError:
    return OkxError("51000", f"Parameter {name} error", 400)


def no_instrument() -> OkxError:
    return OkxError("51001", "Instrument ID, Instrument ID code, or Spread ID doesn't exist.")


def rate_limited() -> OkxError:
    return OkxError("50011", RATE_LIMIT_MSG, 429)


def sub_account_limited() -> OkxError:
    """The sub-account order limit (the error-code table: 50061, HTTP 200)."""
    return OkxError("50061", "You've reached the maximum order rate limit for this account.")


def unavailable() -> OkxError:
    return OkxError("50001", "Service temporarily unavailable. Please try again later.", 503)


def reject_item(exc: Rejected, ccy: str) -> ItemError:
    """Engine refusal of a placement → the per-item code OKX documents."""
    if exc.reason is RejectReason.INSUFFICIENT_BALANCE:
        return ItemError("51008", f"Order failed. Insufficient {ccy} balance in account.")
    if exc.reason is RejectReason.POST_ONLY_WOULD_TAKE:
        return ItemError("51019", "Post-only order would take liquidity and was rejected.")
    if exc.reason is RejectReason.REDUCE_ONLY_REJECTED:
        return ItemError(
            "51169",
            "Order failed because you don't have any positions in this direction for this "
            "contract to reduce or close.",
        )
    if exc.reason is RejectReason.DUPLICATE_CLIENT_ID:
        return ItemError("51016", "Duplicated clOrdId")
    if exc.reason is RejectReason.UNKNOWN_ORDER:
        return ItemError("51603", "Order does not exist")
    return ItemError("51000", "Parameter error")
