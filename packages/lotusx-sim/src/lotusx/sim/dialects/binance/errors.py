"""Binance error bodies `{"code": .., "msg": ..}` with their HTTP statuses."""

from __future__ import annotations

from typing import Any

from lotusx.sim.model import Rejected, RejectReason


class BinanceError(Exception):
    """An error reply: HTTP status, Binance code and message (and optional `data`)."""

    def __init__(
        self,
        code: int,
        msg: str,
        status: int = 400,
        headers: dict[str, str] | None = None,
        data: Any = None,
    ) -> None:
        super().__init__(f"{code} {msg}")
        self.code = code
        self.msg = msg
        self.status = status
        self.headers = headers or {}
        self.data = data

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "msg": self.msg}
        if self.data is not None:
            out["data"] = self.data
        return out


INSUFFICIENT = "Account has insufficient balance for requested action."
UNKNOWN_ORDER = "Unknown order sent."
DUPLICATE_ORDER = "Duplicate order sent."
WOULD_TAKE = "Order would immediately match and take."


def mandatory(name: str) -> BinanceError:
    return BinanceError(
        -1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed."
    )


def invalid(name: str) -> BinanceError:
    return BinanceError(-1130, f"Data sent for parameter '{name}' is not valid.")


def bad_symbol() -> BinanceError:
    return BinanceError(-1121, "Invalid symbol.")


def no_such_order() -> BinanceError:
    return BinanceError(-2013, "Order does not exist.")


def bad_key_format() -> BinanceError:
    return BinanceError(-2014, "API-key format invalid.", 401)


def rejected_key() -> BinanceError:
    return BinanceError(-2015, "Invalid API-key, IP, or permissions for action.", 401)


def bad_signature() -> BinanceError:
    return BinanceError(-1022, "Signature for this request is not valid.")


def listen_key_unknown() -> BinanceError:
    return BinanceError(-1125, "This listenKey does not exist.")


def spot_new_order(exc: Rejected) -> BinanceError:
    """Engine refusal of a spot placement → -2010 with the engine message."""
    msg = {
        RejectReason.INSUFFICIENT_BALANCE: INSUFFICIENT,
        RejectReason.POST_ONLY_WOULD_TAKE: WOULD_TAKE,
        RejectReason.DUPLICATE_CLIENT_ID: DUPLICATE_ORDER,
        RejectReason.UNKNOWN_ORDER: UNKNOWN_ORDER,
    }.get(exc.reason, "NEW_ORDER_REJECTED")
    return BinanceError(-2010, msg)


def futures_new_order(exc: Rejected) -> BinanceError:
    """Engine refusal of a USDⓈ-M placement → the futures-specific code."""
    table = {
        RejectReason.INSUFFICIENT_BALANCE: (-2019, "Margin is insufficient."),
        RejectReason.POST_ONLY_WOULD_TAKE: (
            -5022,
            "Due to the order could not be executed as maker, the Post Only order "
            "will be rejected.",
        ),
        RejectReason.REDUCE_ONLY_REJECTED: (-2022, "ReduceOnly Order is rejected."),
        RejectReason.DUPLICATE_CLIENT_ID: (-4116, "clientOrderId is duplicated"),
        RejectReason.UNKNOWN_ORDER: (-2013, "Order does not exist."),
        RejectReason.INVALID_AMEND: (-4000, "Invalid order status."),
    }
    code, msg = table.get(exc.reason, (-2010, "NEW_ORDER_REJECTED"))
    return BinanceError(code, msg)
