"""VenueCore: engines + ledger + synthetic market + clock loop, independent of any wire protocol."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from lotusx.sim.candles import CandleStore
from lotusx.sim.engine import Engine
from lotusx.sim.faults import FaultInjector
from lotusx.sim.ledger import Ledger
from lotusx.sim.maker import Basis, FairPrice, MarketMaker
from lotusx.sim.margin import apply_funding
from lotusx.sim.market import MarketSpec
from lotusx.sim.model import Event, MarketKind
from lotusx.sim.settlement import FuturesAccountant, SpotAccountant

MAIN, SUB1, SUB2, MM, TAKER = "main", "sub1", "sub2", "mm", "taker"
EIGHT_HOURS_MS = 8 * 3600 * 1000
PRICE_QUANTUM = Decimal("1e-8")


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One REST request as the venue saw it."""

    method: str
    path: str
    status: int
    time_ms: int
    server: str


@dataclass(frozen=True, slots=True)
class FundingRecord:
    symbol: str
    rate: Decimal
    time_ms: int
    mark: Decimal


class VenueCore:
    """The venue's state and its clock loop. Dialects read and drive it."""

    def __init__(
        self,
        name: str,
        specs: Iterable[MarketSpec],
        seed: int = 7,
        tick_interval: float = 0.1,
        book_levels: int = 200,
        funding_interval_ms: int = EIGHT_HOURS_MS,
        starting: dict[tuple[str, str], Decimal] | None = None,
        wallet_aliases: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self.seed = seed
        self.tick_interval = tick_interval
        self.funding_interval_ms = funding_interval_ms
        self.faults = FaultInjector()
        self.specs: dict[str, dict[str, MarketSpec]] = {}
        for spec in specs:
            self.specs.setdefault(spec.market, {})[spec.symbol] = spec
        self.subscribers: list[Callable[[Event], None]] = []
        self.tick_hooks: list[Callable[[int], None]] = []
        self.request_log: deque[RequestRecord] = deque(maxlen=100_000)
        self.ws_sent = 0
        self.funding_history: dict[str, list[FundingRecord]] = {}
        self.candles = {m: CandleStore(m) for m in self.specs}
        for store in self.candles.values():
            self.subscribers.append(store.on_event)
        self.ledger = Ledger(self.now_ms, self.publish)
        for alias, target in (wallet_aliases or {}).items():
            self.ledger.alias(alias, target)
        self.engines: dict[str, Engine] = {}
        self._open_accounts(starting or {})
        for market, by_sym in self.specs.items():
            kind = next(iter(by_sym.values())).kind
            acct = (
                SpotAccountant(self.ledger, market, by_sym)
                if kind is MarketKind.SPOT
                else FuturesAccountant(self.ledger, market, by_sym, self.marks)
            )
            self.engines[market] = Engine(
                market,
                by_sym.values(),
                acct,
                self.now_ms,
                self.publish,
                first_order_id=len(self.engines) * 10**9 + 1000,
            )
        self.fair: dict[str, FairPrice] = {}
        self.basis: dict[str, Basis] = {}
        self.makers: list[MarketMaker] = []
        self._build_makers(book_levels)
        self.next_funding_ms = self._next_funding(self.now_ms())
        self._task: asyncio.Task[None] | None = None

    # ----------------------------------------------------------------- setup
    def _rng(self, label: str) -> random.Random:
        return random.Random(self.seed * 1_000_003 + zlib.crc32(label.encode()))

    def _open_accounts(self, starting: dict[tuple[str, str], Decimal]) -> None:
        led = self.ledger
        led.open_account(MAIN, 100000001, "main@lotusx.sim")
        led.open_account(SUB1, 100000002, "sub1@lotusx.sim", master=MAIN)
        led.open_account(SUB2, 100000003, "sub2@lotusx.sim", master=MAIN)
        led.open_account(MM, 900000001, "mm@lotusx.sim", infinite=True)
        led.open_account(TAKER, 900000002, "taker@lotusx.sim", infinite=True)
        big = Decimal(10) ** 12
        for (wallet, asset), amount in starting.items():
            led.move((Ledger.EXTERNAL, wallet), (MAIN, wallet), asset, amount)
            for sub in (SUB1, SUB2):
                led.move((Ledger.EXTERNAL, wallet), (sub, wallet), asset, amount / 10)
            for bot in (MM, TAKER):
                led.move((Ledger.EXTERNAL, wallet), (bot, wallet), asset, big)
        for bot in (MM, TAKER):
            for market in self.specs:
                led.fee_overrides[(bot, market)] = (Decimal(0), Decimal(0))

    def _build_makers(self, levels: int) -> None:
        all_specs = [s for m in self.specs.values() for s in m.values()]
        for spec in all_specs:
            if spec.base not in self.fair:
                start = spec.initial_price
                self.fair[spec.base] = FairPrice(start, self._rng(f"fair:{spec.base}"))
        for spec in all_specs:
            if spec.kind is MarketKind.LINEAR_PERP:
                self.basis[spec.symbol] = Basis(self._rng(f"basis:{spec.symbol}"))
                ref: Callable[[], Decimal] = self._perp_reference(spec.symbol)
            else:
                ref = self.fair[spec.base]
            maker = MarketMaker(
                self.engines[spec.market],
                spec,
                MM,
                TAKER,
                ref,
                self._rng(f"mm:{spec.key}"),
                levels=levels,
            )
            self.makers.append(maker)
            maker.tick()

    def _perp_reference(self, symbol: str) -> Callable[[], Decimal]:
        return lambda: self.mark_price(symbol)

    # ----------------------------------------------------------------- clock & events
    def now_ms(self) -> int:
        return int(time.time() * 1000) + self.faults.clock_skew_ms

    def publish(self, event: Event) -> None:
        for sub in list(self.subscribers):
            sub(event)

    def subscribe(self, callback: Callable[[Event], None]) -> Callable[[], None]:
        self.subscribers.append(callback)
        return lambda: self.subscribers.remove(callback)

    def _next_funding(self, now: int) -> int:
        return now - now % self.funding_interval_ms + self.funding_interval_ms

    # ----------------------------------------------------------------- prices
    def futures_specs(self) -> dict[str, MarketSpec]:
        return {
            s.symbol: s
            for m in self.specs.values()
            for s in m.values()
            if s.kind is MarketKind.LINEAR_PERP
        }

    def index_price(self, symbol: str) -> Decimal:
        spec = self.futures_specs()[symbol]
        return self.fair[spec.base]().quantize(PRICE_QUANTUM)

    def mark_price(self, symbol: str) -> Decimal:
        return (self.index_price(symbol) * (1 + self.basis[symbol]())).quantize(PRICE_QUANTUM)

    def marks(self) -> dict[str, Decimal]:
        return {sym: self.mark_price(sym) for sym in self.basis}

    def funding_rate(self, symbol: str) -> Decimal:
        """Premium + clamp(interest − premium, ±0.05%), capped at ±0.75% (8 decimals)."""
        premium = self.basis[symbol]()
        interest = Decimal("0.0001")
        rate = premium + min(max(interest - premium, Decimal("-0.0005")), Decimal("0.0005"))
        return min(max(rate, Decimal("-0.0075")), Decimal("0.0075")).quantize(PRICE_QUANTUM)

    # ----------------------------------------------------------------- loop
    def step(self) -> None:
        """One market tick: walk prices, move quotes, settle funding, progress withdrawals."""
        for fair in self.fair.values():
            fair.step()
        for basis in self.basis.values():
            basis.step()
        for maker in self.makers:
            maker.tick()
        now = self.now_ms()
        if now >= self.next_funding_ms:
            self.settle_funding(self.next_funding_ms)
            self.next_funding_ms = self._next_funding(now)
        self.ledger.advance(now)
        for hook in list(self.tick_hooks):
            hook(now)

    def settle_funding(self, time_ms: int) -> None:
        for symbol, spec in self.futures_specs().items():
            rate, mark = self.funding_rate(symbol), self.mark_price(symbol)
            apply_funding(self.ledger, spec, mark, rate, time_ms)
            self.funding_history.setdefault(symbol, []).append(
                FundingRecord(symbol, rate, time_ms, mark)
            )

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.tick_interval)
            self.step()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
