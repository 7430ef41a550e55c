"""Fee-adjusted cross-market spreads: what a taker would earn buying on A and selling on B."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["Quote", "Spread", "fee_adjusted", "spreads"]

BPS = Decimal(10_000)


@dataclass(frozen=True, slots=True)
class Quote:
    """The top of one market's book and its taker fee rate."""

    exchange: str
    symbol: str
    base: str
    quote: str
    bid: Decimal
    ask: Decimal
    taker: Decimal
    tick: Decimal = Decimal("0.01")

    @property
    def label(self) -> str:
        return f"{self.exchange} {self.symbol}"


@dataclass(frozen=True, slots=True)
class Spread:
    """Buy on ``buy`` at ask*(1+taker), sell on ``sell`` at bid*(1-taker)."""

    buy: Quote
    sell: Quote
    buy_price: Decimal
    sell_price: Decimal

    @property
    def edge(self) -> Decimal:
        """Quote-currency profit per unit of base (negative: the fees and spread eat it)."""
        return self.sell_price - self.buy_price

    @property
    def edge_bps(self) -> Decimal:
        return self.edge / self.buy_price * BPS


def fee_adjusted(buy: Quote, sell: Quote) -> Spread:
    return Spread(buy, sell, buy.ask * (1 + buy.taker), sell.bid * (1 - sell.taker))


def spreads(quotes: Iterable[Quote]) -> list[Spread]:
    """Every ordered pair of markets on the same base/quote, best edge first.

    With markets from several exchanges only cross-exchange pairs are listed; with a single
    exchange, its markets are compared with each other (e.g. spot against the perpetual).
    """
    listed = list(quotes)
    cross = len({q.exchange for q in listed}) > 1
    found = [
        fee_adjusted(a, b)
        for a in listed
        for b in listed
        if a is not b
        and (a.base, a.quote) == (b.base, b.quote)
        and (not cross or a.exchange != b.exchange)
    ]
    return sorted(found, key=lambda s: s.edge_bps, reverse=True)
