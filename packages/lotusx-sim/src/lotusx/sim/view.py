"""VenueView: a read-only window on a running venue for tests and tools."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal

from lotusx.sim.core import MAIN, FundingRecord, RequestRecord, VenueCore
from lotusx.sim.ledger import Balance, Deposit, Position, Transfer, Withdrawal
from lotusx.sim.market import MarketSpec
from lotusx.sim.model import Fill, Order, Rejected, Trade


@dataclass(frozen=True, slots=True)
class BookSnapshot:
    """Bids best-first and asks best-first, with the book's last update id."""

    bids: list[tuple[Decimal, Decimal]]
    asks: list[tuple[Decimal, Decimal]]
    update_id: int


class VenueView:
    """Copies of venue state; mutating them has no effect on the venue."""

    def __init__(self, core: VenueCore) -> None:
        self._core = core

    def instruments(self, market: str | None = None) -> list[MarketSpec]:
        return [s for m, by in self._core.specs.items() if market in (None, m) for s in by.values()]

    def markets(self) -> list[str]:
        return list(self._core.specs)

    def book(self, symbol: str, market: str = "spot", depth: int | None = None) -> BookSnapshot:
        book = self._core.engines[market].books[symbol]
        n = depth if depth is not None else 10**9
        return BookSnapshot(book.bids.depth(n), book.asks.depth(n), book.update_id)

    def order(
        self,
        order_id: int | None = None,
        client_id: str | None = None,
        market: str = "spot",
        symbol: str | None = None,
        account: str = MAIN,
    ) -> Order | None:
        engine = self._core.engines[market]
        symbols = [symbol] if symbol else list(engine.specs)
        for sym in symbols:
            try:
                return copy.copy(engine.get(account, sym, order_id, client_id))
            except Rejected:
                continue
        return None

    def open_orders(
        self, market: str = "spot", symbol: str | None = None, account: str = MAIN
    ) -> list[Order]:
        return [copy.copy(o) for o in self._core.engines[market].open_orders(account, symbol)]

    def fills(
        self, market: str = "spot", symbol: str | None = None, account: str = MAIN
    ) -> list[Fill]:
        engine = self._core.engines[market]
        syms = [symbol] if symbol else list(engine.specs)
        return [f for s in syms for f in engine.account_fills(account, s)]

    def trades(self, symbol: str, market: str = "spot") -> list[Trade]:
        return list(self._core.engines[market].trades[symbol])

    def balances(self, wallet: str = "spot", account: str = MAIN) -> dict[str, Balance]:
        return {a: copy.copy(b) for a, b in self._core.ledger.wallet(account, wallet).items()}

    def positions(self, account: str = MAIN) -> list[Position]:
        return [
            copy.copy(p)
            for (acct, _), p in self._core.ledger.positions.items()
            if acct == account and p.qty
        ]

    def leverage(self, symbol: str, account: str = MAIN) -> int:
        return self._core.ledger.get_leverage(account, symbol)

    def transfers(self) -> list[Transfer]:
        return list(self._core.ledger.transfers)

    def withdrawals(self) -> list[Withdrawal]:
        return [copy.copy(w) for w in self._core.ledger.withdrawals]

    def deposits(self) -> list[Deposit]:
        return list(self._core.ledger.deposits)

    def mark_price(self, symbol: str) -> Decimal:
        return self._core.mark_price(symbol)

    def funding_history(self, symbol: str) -> list[FundingRecord]:
        return list(self._core.funding_history.get(symbol, []))

    @property
    def requests(self) -> list[RequestRecord]:
        return list(self._core.request_log)

    @property
    def ws_messages_sent(self) -> int:
        return self._core.ws_sent
