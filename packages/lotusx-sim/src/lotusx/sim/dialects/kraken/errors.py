"""Kraken error bodies.

Spot: `{"error": ["EGeneral:Invalid arguments"], "result": {}}`, errors are strings in an array.
Kraken answers almost every refusal with HTTP 200; the simulator uses other statuses only for
injected faults (429, 503) and unknown paths (404).
Futures: `{"result": "error", "error": "<code>", "serverTime": ...}`.
"""

from __future__ import annotations


class SpotError(Exception):
    """A refused spot request: one `E<Category>:<message>` string and its HTTP status."""

    def __init__(self, error: str, status: int = 200) -> None:
        super().__init__(error)
        self.error = error
        self.status = status


def invalid(field: str | None = None) -> SpotError:
    return SpotError("EGeneral:Invalid arguments" + (f":{field}" if field else ""))


def unknown_pair() -> SpotError:
    return SpotError("EQuery:Unknown asset pair")


def unknown_order() -> SpotError:
    return SpotError("EOrder:Unknown order")


class FuturesError(Exception):
    """A refused futures request (`result: error`)."""

    def __init__(self, error: str, status: int = 200) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
