"""Server-time offset estimation for signing.

The offset is measured NTP-style: the server's timestamp is assumed to be taken at the midpoint
of the round trip. The lowest-latency recent samples are the most trustworthy, so the estimate
is the offset of the sample with the smallest round trip among the last ``window`` samples.
Drift (how fast the offset moves, in ppm) is the least-squares slope over those samples.
"""

from __future__ import annotations

import time
from collections import deque

import msgspec

from lotusx.core.observability import CLOCK_OFFSET

__all__ = ["Clock", "ClockSample", "wall_ms"]


def wall_ms() -> int:
    """Local UTC wall-clock time in integer milliseconds."""
    return time.time_ns() // 1_000_000


class ClockSample(msgspec.Struct, frozen=True):
    local_ms: int
    offset_ms: int
    round_trip_ms: int


class Clock:
    """Local time corrected toward an exchange's clock; shared by a connector's signers."""

    __slots__ = ("_exchange", "_offset_ms", "_samples")

    def __init__(self, exchange: str | None = None, window: int = 8) -> None:
        self._samples: deque[ClockSample] = deque(maxlen=window)
        self._offset_ms = 0
        self._exchange = exchange

    @property
    def offset_ms(self) -> int:
        """Server time minus local time, in ms (positive: the server is ahead)."""
        return self._offset_ms

    def now_ms(self) -> int:
        """The current time on the exchange's clock, as best known."""
        return wall_ms() + self._offset_ms

    def observe(self, sent_local_ms: int, server_ms: int, received_local_ms: int) -> ClockSample:
        """Record one round trip and update the offset estimate."""
        if received_local_ms < sent_local_ms:
            raise ValueError("received before sent: the local clock went backwards")
        rtt = received_local_ms - sent_local_ms
        midpoint = sent_local_ms + rtt // 2
        sample = ClockSample(midpoint, server_ms - midpoint, rtt)
        # A sample outside the new one's uncertainty (± rtt/2) predates a clock jump: drop it.
        slack = rtt // 2 + 1
        kept = [
            s
            for s in self._samples
            if abs(s.offset_ms - sample.offset_ms) <= slack + s.round_trip_ms // 2
        ]
        self._samples.clear()
        self._samples.extend(kept)
        self._samples.append(sample)
        best = min(self._samples, key=lambda s: s.round_trip_ms)
        self._offset_ms = best.offset_ms
        if self._exchange is not None:
            CLOCK_OFFSET.labels(self._exchange).set(self._offset_ms / 1000)
        return sample

    @property
    def drift_ppm(self) -> float | None:
        """Slope of offset over local time (ppm), or None with fewer than two distinct samples.

        A float is right here: drift is a diagnostic ratio, never money or a timestamp.
        """
        points = list(self._samples)
        if len(points) < 2:
            return None
        n = len(points)
        mean_t = sum(p.local_ms for p in points) / n
        mean_o = sum(p.offset_ms for p in points) / n
        var = sum((p.local_ms - mean_t) ** 2 for p in points)
        if var == 0:
            return None
        cov = sum((p.local_ms - mean_t) * (p.offset_ms - mean_o) for p in points)
        return cov / var * 1e6

    def reset(self) -> None:
        self._samples.clear()
        self._offset_ms = 0
