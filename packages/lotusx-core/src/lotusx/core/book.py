"""The L2 order-book engine.

`L2Book` keeps each side as a dict from an integer price (fixed point at the instrument's tick
decimals) to the level exactly as the exchange sent it, ``(price_text, quantity_text)``, plus a
sorted list of the integer prices. Integer keys make ordering and lookups cheap and exact; the
original text is kept because checksums (OKX, Kraken) are defined over it and because `Decimal`
conversion is only paid at the edge, for the levels a caller actually reads.

`BookSync` drives a book from a feed: it buffers deltas until a snapshot arrives, applies the
exchange's sequence rule (a `SequencePolicy`) to every delta, verifies a `Checksum` when the
exchange sends one, and on any inconsistency discards the book and asks for a resync. A book is
only ever readable when it passed every check (`BookSync.live`).
"""

from __future__ import annotations

import zlib
from bisect import bisect_left, insort
from collections.abc import Iterable, Sequence
from decimal import Decimal
from enum import Enum
from itertools import chain
from operator import itemgetter
from typing import Protocol

from lotusx.core.observability import BOOK_RESYNCS
from lotusx.core.types import BookLevel, OrderBook, Symbol

__all__ = [
    "BinanceFuturesSequence",
    "BinanceSpotSequence",
    "BookSync",
    "Checksum",
    "ContiguousSequence",
    "Delta",
    "L2Book",
    "MonotonicSequence",
    "OkxChecksum",
    "PrevIdSequence",
    "SequencePolicy",
    "SyncResult",
    "Verdict",
    "levels_from_text",
    "price_parser",
]

Level = tuple[str, str]
"""A level as the exchange sent it: (price text, quantity text)."""


def price_parser(decimals: int) -> _PriceParser:
    """A function turning a price string into an integer at ``decimals`` fixed-point scale.

    Raises ValueError for text that is not a plain decimal or that is finer than the scale.
    """
    return _PriceParser(decimals)


class _PriceParser:
    __slots__ = ("decimals", "scale")

    def __init__(self, decimals: int) -> None:
        if decimals < 0:
            raise ValueError("decimals must be >= 0")
        self.decimals = decimals
        self.scale = 10**decimals

    def __call__(self, text: str) -> int:
        dot = text.find(".")
        digits = text.replace(".", "", 1)
        if not (digits.isascii() and digits.isdigit()):  # no sign, space, "_", exponent
            raise ValueError(f"price {text!r} is not a plain decimal")
        if dot < 0:
            whole_units: int = int(digits) * self.scale
            return whole_units
        frac = len(text) - dot - 1
        value: int = int(digits)
        if frac == self.decimals:
            return value
        if frac < self.decimals:
            scaled: int = value * 10 ** (self.decimals - frac)
            return scaled
        whole: int
        whole, rest = divmod(value, 10 ** (frac - self.decimals))
        if rest:
            raise ValueError(f"price {text!r} is finer than {self.decimals} decimals")
        return whole


_KEY_MEMO = 1024  # price texts remembered per book (cleared when full)
_PRICE = itemgetter(0)
_QUANTITY = itemgetter(1)


def levels_from_text(levels: Sequence[Level], depth: int | None = None) -> tuple[BookLevel, ...]:
    """`BookLevel`s from ``(price, quantity)`` text, best first as given, the top ``depth``.

    Raises ValueError for anything that is not a finite positive price and a finite
    non-negative quantity (``"NaN"``, ``"1e400"`` in a price field, ``"-1"``...): a book level is
    never silently wrong.
    """
    out = []
    for price_text, quantity_text in levels[:depth]:
        try:
            price, quantity = Decimal(price_text), Decimal(quantity_text)
        except ArithmeticError as exc:
            raise ValueError(f"book level {price_text!r}/{quantity_text!r} is not decimal") from exc
        if not (price.is_finite() and quantity.is_finite() and price > 0 and quantity >= 0):
            raise ValueError(f"book level {price_text!r}/{quantity_text!r} is out of range")
        out.append(BookLevel(price, quantity))
    return tuple(out)


def _uniform_keys(prices: list[str], decimals: int) -> list[int] | None:
    """Integer keys for prices that are all ASCII digits with one "." followed by exactly
    ``decimals`` digits (Binance pads every price to 8), converted in one pass over the joined
    text; None when they are not all like that (each is then parsed, or refused, on its own)."""
    if not decimals or not prices:
        return None
    text = "\n".join(prices)
    try:
        dots = "".join(map(itemgetter(-decimals - 1), prices))
    except IndexError:  # a price shorter than its decimals
        return None
    if text.count(".") != len(prices) or dots.count(".") != len(prices):
        return None
    digits = text.replace(".", "")
    if not digits.isascii() or not digits.encode().translate(None, b"\n").isdigit():
        return None  # a sign, space, "_"...: the per-price parser says which and refuses it
    return list(map(int, digits.split("\n")))


def _any_zero(quantities: list[str]) -> bool:
    """Whether any quantity text is a zero ("0", "0.000"...): only "0" and "." characters."""
    if not quantities:
        return False
    rest = "\n".join(quantities).encode().translate(None, b"0.")
    return not rest or b"\n\n" in rest or rest[:1] == b"\n" or rest[-1:] == b"\n"


def _text_decimals(*sides: list[Level]) -> int:
    """Decimals of the first price text (0 for an empty book or an integer price)."""
    for side in sides:
        if side:
            text = side[0][0]
            dot = text.find(".")
            return 0 if dot < 0 else len(text) - dot - 1
    return 0


class _Side:
    __slots__ = ("levels", "prices")

    def __init__(self) -> None:
        self.levels: dict[int, Level] = {}
        self.prices: list[int] = []  # ascending

    def load(self, levels: dict[int, Level]) -> None:
        self.levels = levels
        self.prices = sorted(levels)


class L2Book:
    """A price-level book for one symbol.

    ``price_decimals`` is the least fixed-point scale (the tick's decimals). When a snapshot's
    prices all carry more decimals (Binance pads to 8), the book adopts that scale so each price
    converts with one ``replace`` and one ``int``: the hot path of every update.
    """

    __slots__ = (
        "_asks",
        "_bids",
        "_decimals",
        "_keys",
        "_min_decimals",
        "_parse",
        "max_depth",
        "sequence",
        "symbol",
        "timestamp",
    )

    def __init__(self, symbol: Symbol, price_decimals: int, *, max_depth: int | None = None):
        self.symbol = symbol
        self.max_depth = max_depth
        self.sequence = -1
        self.timestamp = 0
        self._min_decimals = price_decimals
        self._decimals = price_decimals
        self._parse = _PriceParser(price_decimals)
        self._keys: dict[str, int] = {}  # price text -> key, for the prices a feed repeats
        self._bids = _Side()
        self._asks = _Side()

    def __len__(self) -> int:
        return len(self._bids.prices) + len(self._asks.prices)

    def clear(self) -> None:
        self._bids = _Side()
        self._asks = _Side()
        self.sequence = -1

    def _set_scale(self, decimals: int) -> None:
        if decimals != self._decimals:
            self._decimals = decimals
            self._parse = _PriceParser(decimals)
            self._keys = {}

    def load(
        self, bids: Iterable[Level], asks: Iterable[Level], sequence: int, timestamp: int = 0
    ) -> None:
        """Replace the book with a snapshot."""
        bid_list, ask_list = list(bids), list(asks)
        self._set_scale(max(self._min_decimals, _text_decimals(bid_list, ask_list)))
        self._bids.load(self._index(bid_list))
        self._asks.load(self._index(ask_list))
        self.sequence = sequence
        self.timestamp = timestamp
        self._truncate()

    def _index(self, levels: list[Level]) -> dict[int, Level]:
        prices = list(map(_PRICE, levels))
        keys = _uniform_keys(prices, self._decimals)
        if keys is None:
            keys = list(map(self._parse, prices))
        if _any_zero(list(map(_QUANTITY, levels))):
            return {k: lv for k, lv in zip(keys, levels, strict=True) if lv[1].strip("0.")}
        return dict(zip(keys, levels, strict=True))

    def update(
        self, bids: Iterable[Level], asks: Iterable[Level], sequence: int, timestamp: int = 0
    ) -> None:
        """Apply a delta: a zero quantity removes the level, anything else sets it."""
        self._apply(self._bids, bids)
        self._apply(self._asks, asks)
        self.sequence = sequence
        self.timestamp = timestamp
        if self.max_depth is not None:
            self._truncate()

    def _apply(self, side: _Side, levels: Iterable[Level]) -> None:
        d = self._decimals
        dot = -d - 1
        book, prices, known = side.levels, side.prices, self._keys
        for level in levels:
            p, q = level
            key = known.get(p)
            if key is None:
                digits = p.replace(".", "", 1)
                uniform = d and p[dot : dot + 1] == "." and digits.isascii() and digits.isdigit()
                key = int(digits) if uniform else self._parse(p)
                if len(known) >= _KEY_MEMO:
                    known.clear()
                known[p] = key
            if q.strip("0."):
                if key not in book:
                    insort(prices, key)
                book[key] = level
            elif book.pop(key, None) is not None:
                del prices[bisect_left(prices, key)]

    def _truncate(self) -> None:
        depth = self.max_depth
        if depth is None:
            return
        bids, asks = self._bids, self._asks
        if len(bids.prices) > depth:
            cut = len(bids.prices) - depth
            for key in bids.prices[:cut]:
                del bids.levels[key]
            del bids.prices[:cut]
        if len(asks.prices) > depth:
            for key in asks.prices[depth:]:
                del asks.levels[key]
            del asks.prices[depth:]

    def bid_levels(self, n: int | None = None) -> list[Level]:
        """Top ``n`` bids as sent (best first)."""
        prices, levels = self._bids.prices, self._bids.levels
        top = prices[::-1] if n is None else prices[: -n - 1 : -1] if n else []
        return [levels[p] for p in top]

    def ask_levels(self, n: int | None = None) -> list[Level]:
        """Top ``n`` asks as sent (best first)."""
        prices, levels = self._asks.prices, self._asks.levels
        return [levels[p] for p in (prices if n is None else prices[:n])]

    @property
    def best_bid(self) -> BookLevel | None:
        prices = self._bids.prices
        if not prices:
            return None
        p, q = self._bids.levels[prices[-1]]
        return BookLevel(Decimal(p), Decimal(q))

    @property
    def best_ask(self) -> BookLevel | None:
        prices = self._asks.prices
        if not prices:
            return None
        p, q = self._asks.levels[prices[0]]
        return BookLevel(Decimal(p), Decimal(q))

    @property
    def crossed(self) -> bool:
        bids, asks = self._bids.prices, self._asks.prices
        return bool(bids and asks and bids[-1] >= asks[0])

    def snapshot(self, depth: int | None = None) -> OrderBook:
        """An immutable `OrderBook` of the top ``depth`` levels (Decimal at the edge)."""
        return OrderBook(
            symbol=self.symbol,
            bids=tuple(BookLevel(Decimal(p), Decimal(q)) for p, q in self.bid_levels(depth)),
            asks=tuple(BookLevel(Decimal(p), Decimal(q)) for p, q in self.ask_levels(depth)),
            sequence=self.sequence,
            timestamp=self.timestamp,
        )


# ----------------------------------------------------------------------------- sequence rules


class Delta:
    """A normalised book update: ids ``first..last``, ``prev`` when the feed chains them."""

    __slots__ = ("asks", "bids", "checksum", "first", "last", "prev", "timestamp")

    def __init__(
        self,
        first: int,
        last: int,
        bids: Sequence[Level],
        asks: Sequence[Level],
        *,
        prev: int | None = None,
        timestamp: int = 0,
        checksum: int | None = None,
    ) -> None:
        self.first = first
        self.last = last
        self.prev = prev
        self.bids = bids
        self.asks = asks
        self.timestamp = timestamp
        self.checksum = checksum


class Verdict(Enum):
    APPLY = "apply"
    SKIP = "skip"  # already contained in the book (older than it)
    GAP = "gap"  # something between the book and this delta is missing


class SequencePolicy(Protocol):
    """An exchange's rule for whether a delta continues the book."""

    def check(self, book_id: int, delta: Delta, first_after_snapshot: bool) -> Verdict: ...


class ContiguousSequence:
    """Deltas carry ``first..last`` ids; each must start right after the previous one ended.

    Binance spot: drop ``u <= lastUpdateId``; the first applied has ``U <= lastUpdateId+1 <= u``.
    """

    def check(self, book_id: int, delta: Delta, first_after_snapshot: bool) -> Verdict:
        if delta.last <= book_id:
            return Verdict.SKIP
        if first_after_snapshot:
            return Verdict.APPLY if delta.first <= book_id + 1 else Verdict.GAP
        return Verdict.APPLY if delta.first == book_id + 1 else Verdict.GAP


class PrevIdSequence:
    """Each delta names the id of the one before it (Binance futures ``pu``, OKX ``prevSeqId``).

    The first delta after a snapshot must straddle it (``first <= id <= last``) or chain to it.
    """

    def check(self, book_id: int, delta: Delta, first_after_snapshot: bool) -> Verdict:
        if first_after_snapshot:
            if delta.prev == book_id or delta.first <= book_id <= delta.last:
                return Verdict.APPLY
            return Verdict.SKIP if delta.last < book_id else Verdict.GAP
        if delta.prev == book_id:
            return Verdict.APPLY
        return Verdict.SKIP if delta.last <= book_id else Verdict.GAP


class MonotonicSequence:
    """Ids only increase (Bybit ``u``); an older id is skipped, gaps are not detectable."""

    def check(self, book_id: int, delta: Delta, first_after_snapshot: bool) -> Verdict:
        return Verdict.APPLY if delta.last > book_id else Verdict.SKIP


BinanceSpotSequence = ContiguousSequence
BinanceFuturesSequence = PrevIdSequence


# ----------------------------------------------------------------------------- checksums


class Checksum(Protocol):
    """An exchange's book checksum over the top of the book."""

    def compute(self, book: L2Book) -> int: ...


class OkxChecksum:
    """CRC32 (signed) of ``bid:qty:ask:qty`` interleaved over the top 25 levels, original text."""

    LEVELS = 25

    def __init__(self, levels: int = LEVELS) -> None:
        self.levels = levels

    def compute(self, book: L2Book) -> int:
        bids, asks = book.bid_levels(self.levels), book.ask_levels(self.levels)
        both = min(len(bids), len(asks))
        # Pairs while both sides have levels, then the longer side's rest; "p:q" per level.
        pairs = chain.from_iterable(zip(bids[:both], asks[:both], strict=True))
        levels = [*pairs, *bids[both:], *asks[both:]]
        value = zlib.crc32(":".join(map(":".join, levels)).encode())
        return value - (1 << 32) if value >= 1 << 31 else value


# ----------------------------------------------------------------------------- sync


class SyncResult(Enum):
    APPLIED = "applied"  # the book moved and passed its checks: readable now
    BUFFERED = "buffered"  # waiting for a snapshot
    SKIPPED = "skipped"  # stale delta, nothing changed
    RESYNC = "resync"  # the book was discarded: fetch a new snapshot


class BookSync:
    """Keeps an `L2Book` consistent with a snapshot + delta feed."""

    def __init__(
        self,
        book: L2Book,
        policy: SequencePolicy,
        *,
        checksum: Checksum | None = None,
        defer_checksum: bool = False,
        buffer_limit: int = 10_000,
        exchange: str | None = None,
    ) -> None:
        self.book = book
        self.exchange = exchange
        self.policy = policy
        self.checksum = checksum
        self.defer_checksum = defer_checksum
        self._unverified: int | None = None  # the latest delta's checksum, when deferred
        self.buffer_limit = buffer_limit
        self.resyncs = 0
        self.last_resync_reason = ""
        self._buffer: list[Delta] = []
        self._live = False
        self._fresh = False  # next delta is the first after the snapshot

    @property
    def live(self) -> bool:
        """True when the book passed every check and may be read."""
        return self._live

    def _fail(self, reason: str) -> SyncResult:
        self._live = False
        self._unverified = None
        self._buffer.clear()
        self.book.clear()
        self.resyncs += 1
        self.last_resync_reason = reason
        if self.exchange is not None:
            BOOK_RESYNCS.labels(self.exchange, reason).inc()
        return SyncResult.RESYNC

    def reset(self, reason: str) -> SyncResult:
        """Discard the book (stream broke): deltas are buffered until the next snapshot."""
        return self._fail(reason)

    def on_snapshot(
        self,
        bids: Iterable[Level],
        asks: Iterable[Level],
        sequence: int,
        *,
        timestamp: int = 0,
        checksum: int | None = None,
    ) -> SyncResult:
        """Load a snapshot, then replay buffered deltas that follow it."""
        try:
            self.book.load(bids, asks, sequence, timestamp)
        except ValueError:
            return self._fail("malformed_level")
        self._unverified = None
        if checksum is not None and not self._checksum_ok(checksum):
            return self._fail("checksum")
        self._live = True
        self._fresh = True
        buffered, self._buffer = self._buffer, []
        result = SyncResult.APPLIED
        for delta in buffered:
            outcome = self.on_delta(delta)
            if outcome is SyncResult.RESYNC:
                return outcome
        return result

    def on_delta(self, delta: Delta) -> SyncResult:
        if not self._live:
            if len(self._buffer) >= self.buffer_limit:
                self._buffer.pop(0)
            self._buffer.append(delta)
            return SyncResult.BUFFERED
        verdict = self.policy.check(self.book.sequence, delta, self._fresh)
        if verdict is Verdict.SKIP:
            return SyncResult.SKIPPED
        if verdict is Verdict.GAP:
            return self._fail("sequence_gap")
        try:
            self.book.update(delta.bids, delta.asks, delta.last, delta.timestamp)
        except ValueError:
            return self._fail("malformed_level")
        self._fresh = False
        if delta.checksum is not None:
            if self.defer_checksum:
                self._unverified = delta.checksum
            elif not self._checksum_ok(delta.checksum):
                return self._fail("checksum")
        return SyncResult.APPLIED

    def verify(self) -> SyncResult:
        """Check the deferred checksum of the latest delta: APPLIED, or RESYNC if it fails.

        With ``defer_checksum`` the book is verified when a consumer is about to read it, not
        after every delta: a checksum covers the whole top of the book, so the state that is
        read is exactly as verified, and intermediate states nobody reads cost nothing.
        """
        expected, self._unverified = self._unverified, None
        if expected is None or self._checksum_ok(expected):
            return SyncResult.APPLIED
        return self._fail("checksum")

    def _checksum_ok(self, expected: int) -> bool:
        return self.checksum is None or self.checksum.compute(self.book) == expected
