"""``lotusx exchanges``, ``lotusx sim`` and argument handling."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from lotusx.cli.main import main
from lotusx.core import registry
from lotusx.core.capabilities import Capability


def test_console_script_points_at_main() -> None:
    from importlib.metadata import entry_points

    (script,) = [ep for ep in entry_points(group="console_scripts") if ep.name == "lotusx"]
    assert script.value == "lotusx.cli.main:main"


def test_exchanges_lists_binance_with_its_capabilities(cli: Any) -> None:
    result = cli.run("exchanges")
    assert result.returncode == 0, result.stderr
    header = next(line for line in result.stdout.splitlines() if "| capability" in line)
    columns = [c.strip() for c in header.strip("|").split("|")]
    assert "binance" in columns
    col = columns.index("binance")
    expected = registry.load("binance").capabilities
    assert expected  # the connector supports something
    emulated = registry.load("binance").emulated
    assert emulated  # spot has no batch endpoint
    shown: dict[str, str] = {}
    for line in result.stdout.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] in {c.value for c in Capability}:
            shown[cells[0]] = cells[col]
    assert shown == {
        c.value: "~" if c in emulated else "✓" if c in expected else "–" for c in Capability
    }
    for capability, how in emulated.items():
        assert f"~ binance {capability.value}: {how}" in result.stdout
    assert f"{len(expected)}/{len(Capability)}" in result.stdout
    assert "order transports (order_transport=...): binance " in result.stdout
    assert "installed connectors: binance" in result.stdout


def test_sim_starts_and_prints_urls(cli: Any) -> None:
    proc = cli.popen(
        "sim", "--venue", "binance", "--port", "0", "--api-key", "k" * 64, "--secret", "s" * 64
    )
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip())
            if line.strip().startswith("secret"):
                break
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    text = "\n".join(lines)
    assert "[binance]" in text, err
    for key in ("spot_rest", "spot_ws", "futures_rest", "futures_ws"):
        assert re.search(rf"{key}\s+(http|ws)://127\.0\.0\.1:\d+", text), text
    assert "k" * 64 in text and "s" * 64 in text
    assert proc.returncode == 0, err  # SIGTERM is a clean stop
    assert "lotusx sim: stopped" in out


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["nope"],
        ["demo", "--duration", "0"],
        ["demo", "--duration", "soon"],
        ["demo", "--metrics-port", "70000"],
        ["book", "binance", "btcusdt"],
        ["book", "binance"],
        ["latency", "binance", "--count", "0"],
        ["sim"],
        ["sim", "--venue", "nowhere"],
        ["metrics", "--port", "x"],
    ],
)
def test_argument_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "usage: lotusx" in capsys.readouterr().err


def test_unknown_demo_venue_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--venues", "nowhere", "--metrics-port", "0"]) == 2
    err = capsys.readouterr().err
    assert "lotusx: error: no simulated venue for nowhere; available: binance" in err


def test_unknown_exchange_is_a_clear_error(cli: Any) -> None:
    result = cli.run("book", "nowhere", "BTC/USDT", "--sim")
    assert result.returncode == 1
    assert "unknown exchange 'nowhere'; installed connectors: binance" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_without_connectors_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("lotusx.cli.demo.installed", list)
    assert main(["demo", "--metrics-port", "0"]) == 1
    err = capsys.readouterr().err
    assert "no connectors are installed" in err
    assert 'python -m pip install "lotusx[binance]"' in err


def test_demo_without_simulated_venue_is_explained(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("lotusx.cli.demo.installed", lambda: ["kraken"])
    monkeypatch.setattr("lotusx.cli.demo.simulated", list)
    assert main(["demo", "--metrics-port", "0"]) == 1
    assert "none of the installed connectors (kraken) has a simulated venue" in (
        capsys.readouterr().err
    )
