"""Run-time fault switches; every injected fault is counted in `injected`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(slots=True)
class FaultInjector:
    """Switches read by the dialects. Counters (`next_*`) are consumed one per use.

    `injected[name]` counts how many times fault `name` actually fired.
    """

    rest_latency_ms: int = 0
    ws_latency_ms: int = 0
    clock_skew_ms: int = 0
    maintenance: bool = False
    next_rest_5xx: int = 0
    next_rest_429: int = 0
    next_fail_after_accept: int = 0
    fail_after_accept_mode: str = "5xx"
    next_sequence_gaps: int = 0
    next_bad_checksums: int = 0
    next_malformed_frames: int = 0
    injected: Counter[str] = field(default_factory=Counter)
    _drop_hooks: list[Callable[[], int]] = field(default_factory=list)

    # -------------------------------------------------------------- switches
    def latency(self, rest_ms: int = 0, ws_ms: int = 0) -> None:
        self.rest_latency_ms, self.ws_latency_ms = rest_ms, ws_ms

    def rest_5xx(self, n: int = 1) -> None:
        self.next_rest_5xx += n

    def rest_429(self, n: int = 1) -> None:
        self.next_rest_429 += n

    def fail_after_accept(self, n: int = 1, mode: str = "5xx") -> None:
        """Next `n` placements execute but the reply is lost: mode "5xx", "close" or "timeout"."""
        if mode not in ("5xx", "close", "timeout"):
            raise ValueError(mode)
        self.next_fail_after_accept += n
        self.fail_after_accept_mode = mode

    def sequence_gap(self, n: int = 1) -> None:
        self.next_sequence_gaps += n

    def bad_checksum(self, n: int = 1) -> None:
        self.next_bad_checksums += n

    def malformed_frames(self, n: int = 1) -> None:
        self.next_malformed_frames += n

    def skew_clock(self, ms: int) -> None:
        self.clock_skew_ms = ms

    def set_maintenance(self, on: bool = True) -> None:
        self.maintenance = on

    def drop_ws(self) -> int:
        """Close every WebSocket connection of the venue now; returns how many."""
        closed = sum(hook() for hook in self._drop_hooks)
        self.injected["drop_ws"] += closed
        return closed

    def on_drop(self, hook: Callable[[], int]) -> None:
        """Dialects register a callable that closes their sockets and returns the count."""
        self._drop_hooks.append(hook)

    def reset(self) -> None:
        self.rest_latency_ms = self.ws_latency_ms = self.clock_skew_ms = 0
        self.maintenance = False
        self.next_rest_5xx = self.next_rest_429 = self.next_fail_after_accept = 0
        self.next_sequence_gaps = self.next_bad_checksums = self.next_malformed_frames = 0

    # -------------------------------------------------------------- consumption
    def take(self, name: str) -> bool:
        """Consume one pending `next_<name>` fault; True if it fires now."""
        attr = f"next_{name}"
        left: int = getattr(self, attr)
        if left <= 0:
            return False
        setattr(self, attr, left - 1)
        self.injected[name] += 1
        return True
