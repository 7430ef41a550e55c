"""Timing and reporting helpers shared by the benchmark modules."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Row:
    """One comparison: LotusX's figure beside the reference's (and a floor, when there is one)."""

    name: str
    unit: str
    lotusx: float
    reference: float | None
    reference_name: str = "ccxt"
    floor: float | None = None
    higher_is_better: bool = False
    target: str = ""

    @property
    def ratio(self) -> float | None:
        """How many times better LotusX is than the reference (>1 is better)."""
        if self.reference is None or self.lotusx == 0:
            return None
        return (
            self.lotusx / self.reference if self.higher_is_better else self.reference / self.lotusx
        )

    @property
    def floor_ratio(self) -> float | None:
        """LotusX relative to the floor (1.0 = as fast as the bare minimum)."""
        if self.floor is None or self.floor == 0:
            return None
        return self.floor / self.lotusx if self.higher_is_better else self.lotusx / self.floor


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        print(_format(row), flush=True)

    def header(self) -> None:
        print(
            f"{'benchmark':<44} {'lotusx':>12} {'reference':>12} {'x ref':>7} "
            f"{'floor':>12} {'vs floor':>8}  target",
            flush=True,
        )


def _num(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    return f"{value:,.3f} {unit}" if value < 1000 else f"{value:,.0f} {unit}"


def _format(row: Row) -> str:
    ratio = "-" if row.ratio is None else f"{row.ratio:.2f}x"
    floor_ratio = "-" if row.floor_ratio is None else f"{row.floor_ratio:.2f}x"
    return (
        f"{row.name:<44} {_num(row.lotusx, row.unit):>12} {_num(row.reference, row.unit):>12} "
        f"{ratio:>7} {_num(row.floor, row.unit):>12} {floor_ratio:>8}  {row.target}"
    )


def best_of(fn: Callable[[], object], *, repeat: int = 7, number: int = 1) -> float:
    """Median seconds per call of ``fn`` over ``repeat`` rounds of ``number`` calls."""
    fn()
    samples = []
    gc.collect()
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
