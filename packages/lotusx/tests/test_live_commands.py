"""``lotusx book``, ``latency``, ``metrics`` on the simulator; Ctrl-C; port clashes."""

from __future__ import annotations

import re
import signal
import socket
import sys
import time
import urllib.request
from typing import Any

import pytest


def _rows(text: str) -> list[list[str]]:
    return [
        [c.strip() for c in line.strip().strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("|") and not line.startswith("|-")
    ]


def test_book_streams_a_ladder_from_the_simulator(cli: Any) -> None:
    result = cli.run(
        "book",
        "binance",
        "BTC/USDT:USDT",
        "--sim",
        "--depth",
        "3",
        "--duration",
        "2",
        "--interval",
        "0.5",
    )
    assert result.returncode == 0, result.stderr
    ladders = [r for r in _rows(result.stdout) if len(r) == 4 and r[0] != "bid qty"]
    assert len(ladders) >= 3
    for bid_qty, bid, ask, ask_qty in ladders[-3:]:
        assert float(bid.replace(",", "")) < float(ask.replace(",", ""))
        assert float(bid_qty) > 0 and float(ask_qty) > 0
        assert re.fullmatch(r"[\d,]+\.\d", bid)  # on the perpetual's 0.1 tick, not a float repr
    match = re.search(r"stopped after [\d.]+ s, (\d+) updates", result.stdout)
    assert match and int(match.group(1)) > 0


def test_book_unlisted_symbol_is_a_clear_error(cli: Any) -> None:
    result = cli.run("book", "binance", "DOGE/USDT", "--sim", "--duration", "1")
    assert result.returncode == 1
    assert "binance lists no DOGE/USDT; for example: BTC/USDT" in result.stderr
    assert "Traceback" not in result.stderr


def test_latency_reports_percentiles_and_clock_offset(cli: Any) -> None:
    result = cli.run("latency", "binance", "--sim", "--count", "5")
    assert result.returncode == 0, result.stderr
    rows = {r[0]: r for r in _rows(result.stdout)}
    for name in (
        "REST server time (sync_time)",
        "REST order book BTC/USDT (get_orderbook depth 5)",
        "WS book message age BTC/USDT",
    ):
        row = rows[name]
        assert row[1] == "5", row
        p50, p95, p99 = (float(v.removesuffix(" ms").replace(",", "")) for v in row[2:5])
        assert 0 <= p50 <= p95 <= p99
    assert re.search(r"clock offset \(exchange − local\): [+-]\d+ ms", result.stdout)


def _wait_for_url(url: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                text: str = response.read().decode()
                return text
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_metrics_serves_the_registry(cli: Any) -> None:
    port = cli.free_port()
    proc = cli.popen("metrics", "--port", str(port))
    try:
        text = _wait_for_url(f"http://127.0.0.1:{port}/metrics")
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert "# TYPE lotusx_rest_request_duration_seconds histogram" in text
    assert re.search(r"^# TYPE lotusx_ws_messages(_total)? counter$", text, re.MULTILINE)
    assert proc.returncode == 0, err
    assert f"serving http://127.0.0.1:{port}/metrics" in out


def test_metrics_port_in_use_is_a_clear_error(cli: Any) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = cli.run("demo", "--duration", "1", "--metrics-port", str(port))
    assert result.returncode == 1
    assert f"lotusx: error: cannot serve metrics on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery to a child is POSIX-only")
def test_demo_stops_cleanly_on_ctrl_c(cli: Any) -> None:
    proc = cli.popen("demo", "--metrics-port", "0", "--interval", "0.5")
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line or line.startswith("--- snapshot"):
                break
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "stopped (SIGINT received)" in out
    assert "Traceback" not in out + err and "KeyboardInterrupt" not in out + err
