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
    min_ratio: float | None = None  # target: at least this many times better than reference
    max_floor_ratio: float | None = None  # target: at most this far from the floor
    max_ref_ratio: float | None = None  # target (lower is better): LotusX <= this x reference

    @property
    def met(self) -> bool | None:
        """Whether every stated target holds (None when the row has no target)."""
        checks = []
        if self.min_ratio is not None:
            checks.append(self.ratio is not None and self.ratio >= self.min_ratio)
        if self.max_floor_ratio is not None:
            checks.append(self.floor_ratio is not None and self.floor_ratio <= self.max_floor_ratio)
        if self.max_ref_ratio is not None:
            ratio = self.ratio
            checks.append(ratio is not None and 1 / ratio <= self.max_ref_ratio)
        return all(checks) if checks else None

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

    def summary(self) -> str:
        return _summary(self.rows)

    def markdown(self) -> str:
        return _markdown(self.rows)

    def header(self) -> None:
        print(
            f"{'benchmark':<52} {'lotusx':>14} {'reference':>14} {'x ref':>7} "
            f"{'floor':>14} {'vs floor':>8}  {'met':<4} target",
            flush=True,
        )


def _num(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if value >= 1e6:
        return f"{value / 1e6:,.2f}M {unit}"
    return f"{value:,.3f} {unit}" if value < 1000 else f"{value:,.0f} {unit}"


def _format(row: Row) -> str:
    ratio = "-" if row.ratio is None else f"{row.ratio:.2f}x"
    floor_ratio = "-" if row.floor_ratio is None else f"{row.floor_ratio:.2f}x"
    met = {None: "", True: "yes", False: "NO"}[row.met]
    return (
        f"{row.name:<52} {_num(row.lotusx, row.unit):>14} {_num(row.reference, row.unit):>14} "
        f"{ratio:>7} {_num(row.floor, row.unit):>14} {floor_ratio:>8}  {met:<4} {row.target}"
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


def _summary(rows: list[Row]) -> str:
    judged = [r for r in rows if r.met is not None]
    missed = [r.name for r in judged if not r.met]
    text = f"{len(judged) - len(missed)}/{len(judged)} targets met"
    return text + (f"; missed: {', '.join(missed)}" if missed else "")


def _markdown(rows: list[Row]) -> str:
    lines = [
        "| benchmark | LotusX | reference | ref figure | x ref | floor | vs floor | target | met |",
        "|---|---:|---|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        ratio = "" if r.ratio is None else f"{r.ratio:.2f}x"
        floor_ratio = "" if r.floor_ratio is None else f"{r.floor_ratio:.2f}x"
        met = {None: "", True: "yes", False: "**no**"}[r.met]
        lines.append(
            f"| {r.name} | {_num(r.lotusx, r.unit)} | {r.reference_name} "
            f"| {_num(r.reference, r.unit)} | {ratio} | {_num(r.floor, r.unit)} "
            f"| {floor_ratio} | {r.target} | {met} |"
        )
    return "\n".join(lines)
