"""Registration, configuration and capability declaration (no network)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lotusx.connectors.okx import OkxConnector
from lotusx.connectors.okx.connector import (
    check_client_order_id,
    estimate_liquidation_price,
    new_client_order_id,
    parse_account,
)
from lotusx.core import Capability, connect
from lotusx.core.errors import ConfigurationError, InvalidOrderError, NotSupportedError
from lotusx.core.types import LeverageBracket, Side, Symbol

PERP = Symbol.parse("BTC/USDT:USDT")


def test_registered_under_the_entry_point() -> None:
    assert isinstance(connect("okx"), OkxConnector)


def test_every_capability_is_implemented() -> None:
    assert set(Capability) == OkxConnector.capabilities


def test_urls_demo_header_and_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    main = OkxConnector()
    assert main.urls == {
        "rest": "https://www.okx.com",
        "ws_public": "wss://ws.okx.com:8443/ws/v5/public",
        "ws_private": "wss://ws.okx.com:8443/ws/v5/private",
        "ws_business": "wss://ws.okx.com:8443/ws/v5/business",
    }
    assert "x-simulated-trading" not in main.rest._default_headers
    monkeypatch.setenv("LOTUSX_OKX_TESTNET_API_KEY", "tk")
    monkeypatch.setenv("LOTUSX_OKX_TESTNET_SECRET", "ts")
    with pytest.raises(ConfigurationError, match="passphrase"):
        OkxConnector(testnet=True)
    monkeypatch.setenv("LOTUSX_OKX_TESTNET_PASSPHRASE", "tp")
    demo = OkxConnector(testnet=True)
    assert demo.urls["rest"] == "https://www.okx.com"
    assert demo.urls["ws_private"] == "wss://wspap.okx.com:8443/ws/v5/private"
    assert demo.rest._default_headers == {"x-simulated-trading": "1"}
    assert demo.credentials is not None and "ts" not in repr(demo) and "tp" not in repr(demo)
    with pytest.raises(ConfigurationError, match="unknown URL keys"):
        OkxConnector(urls={"spot_rest": "http://x"})


def test_refusals_happen_at_call_time() -> None:
    ex = OkxConnector()
    with pytest.raises(NotSupportedError, match="spot"):
        ex.stream_mark_price("BTC/USDT")
    for call in (ex.stream_orders, ex.stream_fills, ex.stream_balances, ex.stream_positions):
        with pytest.raises(ConfigurationError, match="api_key"):
            call()


def test_accounts() -> None:
    assert parse_account("funding") == (None, "6")
    assert parse_account("trading") == parse_account("spot") == (None, "18")
    assert parse_account("sub:alice") == ("alice", "6")
    assert parse_account("sub:alice:trading") == ("alice", "18")
    for bad in ("futures", "sub:", "sub:alice:margin"):
        with pytest.raises(ConfigurationError):
            parse_account(bad)


def test_client_order_ids() -> None:
    cid = new_client_order_id()
    assert len(cid) == 32 and cid.isalnum() and cid != new_client_order_id()
    check_client_order_id(PERP, "abc123")
    for bad in ("with-dash", "x" * 33, "", "é"):
        with pytest.raises(InvalidOrderError, match="client_order_id"):
            check_client_order_id(PERP, bad)


TIERS = [
    LeverageBracket(PERP, 1, Decimal(0), Decimal(200), Decimal(125), Decimal("0.004")),
    LeverageBracket(PERP, 2, Decimal(200), Decimal(400), Decimal(100), Decimal("0.005")),
]


def test_liquidation_estimate_formula() -> None:
    long = estimate_liquidation_price(TIERS, Side.BUY, Decimal(1), Decimal(60000), Decimal(10))
    assert long == Decimal(60000) * Decimal("0.9") / Decimal("0.996")
    short = estimate_liquidation_price(TIERS, Side.SELL, Decimal(1), Decimal(60000), Decimal(10))
    assert short == Decimal(60000) * Decimal("1.1") / Decimal("1.004")
    # the second tier's rate applies above 200 BTC
    big = estimate_liquidation_price(TIERS, Side.BUY, Decimal(300), Decimal(100), Decimal(10))
    assert big == Decimal(90) / Decimal("0.995")
    assert estimate_liquidation_price(TIERS, Side.BUY, Decimal(1), Decimal(100), Decimal(1)) is None
    with pytest.raises(InvalidOrderError, match="max_leverage"):
        estimate_liquidation_price(TIERS, Side.BUY, Decimal(300), Decimal(100), Decimal(125))


@pytest.mark.parametrize("lever", ["2", "5", "10", "50"])
@pytest.mark.parametrize("side", [Side.BUY, Side.SELL])
def test_at_the_estimate_margin_equals_maintenance(lever: str, side: Side) -> None:
    q, ep, lev = Decimal(1), Decimal(60000), Decimal(lever)
    lp = estimate_liquidation_price(TIERS, side, q, ep, lev)
    assert lp is not None
    s = 1 if side is Side.BUY else -1
    margin = q * ep / lev + s * q * (lp - ep)
    assert abs(margin - Decimal("0.004") * q * lp) < Decimal("1e-18")


def test_a_batch_of_one_is_charged_to_the_single_order_quota() -> None:
    from lotusx.connectors.okx import endpoints as ep

    for batch, single in (
        (ep.BATCH_ORDERS, ep.ORDER),
        (ep.AMEND_BATCH, ep.AMEND),
        (ep.CANCEL_BATCH, ep.CANCEL),
    ):
        assert ep.batch_costs(batch, 1) == dict(single.costs)
        assert ep.batch_costs(batch, 3) == {k: 3 * v for k, v in batch.costs.items()}
        assert set(batch.costs) != set(single.costs)  # distinct quotas: the choice matters
