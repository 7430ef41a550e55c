"""Test truth (nothing of it is on the wire): which engine book update a streamed message
described, for fault suites that compare a client's book with the venue's."""

from __future__ import annotations

from collections import OrderedDict

KEEP = 50_000


class BookIds:
    """Spot: (pair key, message ms) -> update ids; futures: (symbol, seq) -> update id."""

    def __init__(self) -> None:
        self._spot: OrderedDict[tuple[str, int], set[int]] = OrderedDict()
        self._futures: OrderedDict[tuple[str, int], int] = OrderedDict()

    def spot_sent(self, symbol: str, time_ms: int, update_id: int) -> None:
        self._spot.setdefault((symbol, time_ms), set()).add(update_id)
        while len(self._spot) > KEEP:
            self._spot.popitem(last=False)

    def futures_sent(self, symbol: str, seq: int, update_id: int) -> None:
        self._futures[(symbol, seq)] = update_id
        while len(self._futures) > KEEP:
            self._futures.popitem(last=False)

    def book_update_id(self, symbol: str, sequence: int, timestamp_ms: int) -> int | None:
        """Futures books by `seq`; spot books (no sequence on the wire) by the update's
        millisecond timestamp, None when several updates share it."""
        if symbol.startswith("PF_"):
            return self._futures.get((symbol, sequence))
        found = self._spot.get((symbol, timestamp_ms))
        return next(iter(found)) if found is not None and len(found) == 1 else None
