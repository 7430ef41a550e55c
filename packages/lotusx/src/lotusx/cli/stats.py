"""Totals read back from LotusX's Prometheus registry (for end-of-run summaries)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import Counter

from lotusx.core.observability import BOOK_RESYNCS, REST_REQUESTS, WS_MESSAGES, WS_RECONNECTS

__all__ = ["Totals", "totals"]


def _total(counter: Counter, exchange: str) -> int:
    found = 0.0
    for metric in counter.collect():
        for sample in metric.samples:
            if sample.name.endswith("_total") and sample.labels.get("exchange") == exchange:
                found += sample.value
    return int(found)


@dataclass(frozen=True, slots=True)
class Totals:
    """Counts of one exchange's WS messages, resyncs, reconnects and REST requests."""

    ws_messages: int
    resyncs: int
    reconnects: int
    rest_requests: int

    def __sub__(self, other: Totals) -> Totals:
        return Totals(
            self.ws_messages - other.ws_messages,
            self.resyncs - other.resyncs,
            self.reconnects - other.reconnects,
            self.rest_requests - other.rest_requests,
        )


def totals(exchange: str) -> Totals:
    """Process-lifetime totals (subtract a baseline taken at start for one run's share)."""
    return Totals(
        _total(WS_MESSAGES, exchange),
        _total(BOOK_RESYNCS, exchange),
        _total(WS_RECONNECTS, exchange),
        _total(REST_REQUESTS, exchange),
    )
