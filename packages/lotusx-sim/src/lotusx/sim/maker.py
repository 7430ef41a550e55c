"""Seeded synthetic liquidity: a fair-price random walk, a market maker and a noise taker."""

from __future__ import annotations

import contextlib
import math
import random
from collections.abc import Callable
from decimal import ROUND_DOWN, Decimal

from lotusx.sim.engine import Engine, OrderRequest
from lotusx.sim.market import MarketSpec
from lotusx.sim.model import OrderType, Rejected, Side, TimeInForce


class FairPrice:
    """Geometric random walk of one asset's fair value (deterministic for a seed)."""

    def __init__(self, start: Decimal, rng: random.Random, vol: float = 0.00004) -> None:
        self.value = float(start)
        self.rng = rng
        self.vol = vol

    def step(self) -> None:
        self.value *= math.exp(self.rng.gauss(0.0, self.vol))

    def __call__(self) -> Decimal:
        return Decimal(repr(self.value))


class Basis:
    """Mean-reverting premium of a perpetual over its index (a fraction, e.g. 0.0002)."""

    def __init__(self, rng: random.Random, mean: float = 0.0001, vol: float = 0.00002) -> None:
        self.value = mean
        self.mean = mean
        self.vol = vol
        self.rng = rng

    def step(self) -> None:
        self.value += 0.1 * (self.mean - self.value) + self.rng.gauss(0.0, self.vol)

    def __call__(self) -> Decimal:
        return Decimal(repr(round(self.value, 10)))


class MarketMaker:
    """Keeps `levels` quotes per side on a grid around a reference price.

    Each tick (one engine batch): steps toward the new reference, cancels quotes that
    would cross, replenishes missing levels, resizes a few, and lets a noise taker trade.
    """

    def __init__(
        self,
        engine: Engine,
        spec: MarketSpec,
        account: str,
        taker: str,
        reference: Callable[[], Decimal],
        rng: random.Random,
        levels: int = 200,
        trade_probability: float = 0.3,
    ) -> None:
        self.engine = engine
        self.spec = spec
        self.account = account
        self.taker = taker
        self.reference = reference
        self.rng = rng
        self.levels = levels
        self.trade_probability = trade_probability
        ticks = max(1, int(spec.initial_price * Decimal("0.00002") / spec.tick))
        self.step = spec.tick * ticks
        self.unit = max(spec.min_qty, spec.floor_qty(Decimal(20000) / spec.initial_price))
        self.quotes: dict[Side, dict[int, int]] = {Side.BUY: {}, Side.SELL: {}}
        engine.ephemeral.update({account, taker})

    def _qty(self) -> Decimal:
        q = self.spec.floor_qty(self.unit * Decimal(repr(round(self.rng.uniform(0.1, 2.0), 4))))
        return max(q, self.spec.min_qty)

    def _prune(self) -> None:
        for side in self.quotes.values():
            for idx, oid in list(side.items()):
                order = self.engine.orders.get(oid)
                if order is None or not order.status.is_open:
                    del side[idx]

    def tick(self) -> None:
        """Move the quotes once; all changes form one engine batch."""
        spec = self.spec
        mid = int((self.reference() / self.step).to_integral_value(ROUND_DOWN))
        want = {
            Side.BUY: range(mid - self.levels + 1, mid + 1),
            Side.SELL: range(mid + 1, mid + 1 + self.levels),
        }
        with self.engine.batch():
            self._prune()
            for side, quotes in self.quotes.items():
                for idx in [i for i in quotes if i not in want[side]]:
                    self._cancel(quotes.pop(idx))
            for side in (Side.SELL, Side.BUY):
                quotes = self.quotes[side]
                for idx in want[side]:
                    if idx not in quotes and idx > 0:
                        self._quote(side, idx, self._qty())
            self._resize()
            if self.rng.random() < self.trade_probability:
                side = Side.BUY if self.rng.random() < 0.5 else Side.SELL
                qty = max(spec.min_qty, spec.floor_qty(self._qty() / 2))
                with contextlib.suppress(Rejected):
                    self.engine.place(
                        OrderRequest(self.taker, spec.symbol, side, OrderType.MARKET, qty)
                    )

    def _quote(self, side: Side, idx: int, qty: Decimal) -> None:
        try:
            order = self.engine.place(
                OrderRequest(
                    self.account,
                    self.spec.symbol,
                    side,
                    OrderType.LIMIT,
                    qty,
                    price=self.step * idx,
                    tif=TimeInForce.GTC,
                )
            )
        except Rejected:
            return
        if order.status.is_open:
            self.quotes[side][idx] = order.order_id

    def _cancel(self, oid: int) -> None:
        with contextlib.suppress(Rejected):
            self.engine.cancel(self.account, self.spec.symbol, order_id=oid)

    def _resize(self) -> None:
        for quotes in self.quotes.values():
            if not quotes:
                continue
            keys = list(quotes)
            for _ in range(2):
                idx = keys[self.rng.randrange(len(keys))]
                oid = quotes[idx]
                order = self.engine.orders.get(oid)
                if order is None or not order.status.is_open:
                    continue
                try:
                    self.engine.amend(
                        self.account,
                        self.spec.symbol,
                        order_id=oid,
                        qty=order.executed_qty + self._qty(),
                    )
                except Rejected:
                    quotes.pop(idx, None)
