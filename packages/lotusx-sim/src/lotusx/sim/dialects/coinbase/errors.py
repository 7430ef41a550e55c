"""Coinbase error bodies: the REST `google.rpc.Status`-style envelope and order failure reasons.

The OpenAPI pages' `default` response is `{"error", "code", "message", "details"}` where `code`
is the gRPC status number; HTTP statuses follow the gRPC mapping (400 INVALID_ARGUMENT,
401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 NOT_FOUND, 429 RESOURCE_EXHAUSTED,
500 INTERNAL, 503 UNAVAILABLE).
"""

from __future__ import annotations

from typing import Any

GRPC = {
    "INVALID_ARGUMENT": (3, 400),
    "NOT_FOUND": (5, 404),
    "PERMISSION_DENIED": (7, 403),
    "RESOURCE_EXHAUSTED": (8, 429),
    "INTERNAL": (13, 500),
    "UNAVAILABLE": (14, 503),
    "UNAUTHENTICATED": (16, 401),
}


class CoinbaseError(Exception):
    """A failed request: gRPC status name, message and the HTTP status it maps to."""

    def __init__(self, error: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{error}: {message}")
        self.error = error
        self.message = message
        self.code, self.status = GRPC[error]
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": self.error, "code": self.code, "message": self.message, "details": []}


def invalid(message: str) -> CoinbaseError:
    return CoinbaseError("INVALID_ARGUMENT", message)


def not_found(message: str) -> CoinbaseError:
    return CoinbaseError("NOT_FOUND", message)


def unauthenticated() -> CoinbaseError:
    return CoinbaseError("UNAUTHENTICATED", "Unauthorized")


def too_many() -> CoinbaseError:
    return CoinbaseError("RESOURCE_EXHAUSTED", "Too many requests")


def unavailable() -> CoinbaseError:
    return CoinbaseError("UNAVAILABLE", "service unavailable")


class OrderFailure(Exception):
    """An order refused with `success: false` (HTTP 200) and an `error_response`."""

    def __init__(self, reason: str, message: str, preview: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message
        self.preview = preview

    def error_response(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "error": self.reason,
            "message": self.message,
            "error_details": self.message,
            "new_order_failure_reason": self.reason,
        }
        if self.preview:
            body["preview_failure_reason"] = self.preview
        return body
