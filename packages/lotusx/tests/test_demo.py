"""``lotusx demo`` end to end: a subprocess with stdout piped (no TTY), scraped while it runs."""

from __future__ import annotations

import re
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

import pytest

from lotusx.core.registry import available
from lotusx.sim import Venue

DURATION = 5


@dataclass(frozen=True)
class DemoRun:
    returncode: int
    stdout: str
    stderr: str
    metrics: str
    metrics_url: str


def _scrape(url: str, deadline: float) -> str:
    """Poll until both REST and WS series are non-zero (or the deadline); the last scrape."""
    text = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                text = str(response.read().decode())
        except OSError:
            time.sleep(0.1)
            continue
        if sum(_values(text, "lotusx_ws_messages_total")) > 0 and sum(
            _values(text, "lotusx_rest_request_duration_seconds_count")
        ):
            return text
        time.sleep(0.2)
    return text


def _values(text: str, name: str) -> list[float]:
    """Values of every sample of ``name`` in a Prometheus text exposition."""
    pattern = re.compile(rf"^{re.escape(name)}(?:\{{[^}}]*\}})? (\S+)$", re.MULTILINE)
    return [float(v) for v in pattern.findall(text)]


@pytest.fixture(scope="module")
def demo_run(cli: Any) -> DemoRun:
    metrics_port = cli.free_port()
    url = f"http://127.0.0.1:{metrics_port}/metrics"
    proc = cli.popen(
        "demo",
        "--duration",
        str(DURATION),
        "--metrics-port",
        str(metrics_port),
        "--interval",
        "1",
    )
    try:
        metrics = _scrape(url, time.monotonic() + DURATION + 10)
        stdout, stderr = proc.communicate(timeout=DURATION + 20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return DemoRun(proc.returncode, stdout, stderr, metrics, url)


def test_demo_exits_zero_after_duration(demo_run: DemoRun) -> None:
    assert demo_run.returncode == 0, demo_run.stderr
    assert "Traceback" not in demo_run.stdout + demo_run.stderr
    assert "stopped (duration reached)" in demo_run.stdout


def test_demo_prints_plain_snapshots_without_a_tty(demo_run: DemoRun) -> None:
    assert demo_run.stdout.count("--- snapshot ") >= 2
    assert "\x1b[" not in demo_run.stdout  # no colours or cursor movement in a pipe


def test_demo_shows_books_from_the_venue(demo_run: DemoRun) -> None:
    final = demo_run.stdout.rsplit("--- snapshot final ---", 1)[1]
    for symbol in ("BTC/USDT", "BTC/USDT:USDT"):
        row = next(line for line in final.splitlines() if f"| {symbol} " in line)
        cells = [c.strip() for c in row.strip("|").split("|")]
        # exchange | market | symbol | bid qty | best bid | best ask | ask qty | spread | updates
        assert cells[0] in SIMULATED
        bid, ask = (float(c.replace(",", "")) for c in cells[4:6])
        assert 0 < bid < ask
        assert int(cells[8]) > 0


SIMULATED = set(available()) & set(Venue.available())
# Venue-assigned order ids: integers (Binance, OKX), UUIDs (Bybit, Coinbase), Kraken's txids.
ORDER_ID = re.compile(
    r"\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[A-Z0-9]{6}-[A-Z0-9]{5}-[A-Z0-9]{6}"
)


def test_demo_order_round_trip_succeeds(demo_run: DemoRun) -> None:
    final = demo_run.stdout.rsplit("--- snapshot final ---", 1)[1]
    trips = [line for line in final.splitlines() if " ms |" in line]
    assert trips, final
    for row in trips:
        cells = [c.strip() for c in row.strip("|").split("|")]
        # exchange | symbol | order | order id | place | query | cancel | total | result
        assert cells[0] in SIMULATED
        assert ORDER_ID.fullmatch(cells[3]), row  # the venue's id, not a placeholder
        assert cells[-1] == "ok", row
    assert re.search(r"binance: \d+ book updates .* round trips (\d+)/\1 ok", demo_run.stdout)


def test_demo_summary_counts_messages(demo_run: DemoRun) -> None:
    match = re.search(
        r"binance: (\d+) book updates from (\d+) WS messages, (\d+) resyncs", demo_run.stdout
    )
    assert match, demo_run.stdout
    updates, messages, resyncs = (int(g) for g in match.groups())
    # Every book update comes from a WS diff, except the first book of each of the four streams
    # and of each resync, which come from a REST snapshot.
    assert updates > 0
    assert messages + 4 + resyncs >= updates


def test_demo_serves_metrics_while_running(demo_run: DemoRun) -> None:
    assert f"Prometheus metrics: {demo_run.metrics_url}" in demo_run.stdout
    ws = _values(demo_run.metrics, "lotusx_ws_messages_total")
    rest = _values(demo_run.metrics, "lotusx_rest_request_duration_seconds_count")
    assert ws and sum(ws) > 0, demo_run.metrics
    assert rest and sum(rest) > 0, demo_run.metrics
    assert sum(_values(demo_run.metrics, "lotusx_rest_request_duration_seconds_sum")) > 0
