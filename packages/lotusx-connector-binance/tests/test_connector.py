"""Registration, configuration and capability declaration (no network)."""

from __future__ import annotations

import pytest

from lotusx.connectors.binance import BinanceConnector
from lotusx.connectors.binance.connector import _account, new_client_order_id
from lotusx.core import Capability, connect
from lotusx.core.errors import ConfigurationError, NotSupportedError


def test_registered_under_the_entry_point() -> None:
    connector = connect("binance")
    assert isinstance(connector, BinanceConnector)


def test_every_capability_is_implemented() -> None:
    assert set(Capability) == BinanceConnector.capabilities


def test_urls_testnet_and_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    main = BinanceConnector()
    assert main.urls["spot_rest"] == "https://api.binance.com"
    assert main.urls["futures_ws"] == "wss://fstream.binance.com"
    monkeypatch.setenv("LOTUSX_BINANCE_TESTNET_API_KEY", "tk")
    monkeypatch.setenv("LOTUSX_BINANCE_TESTNET_SECRET", "ts")
    test = BinanceConnector(testnet=True)
    assert test.urls["spot_rest"] == "https://testnet.binance.vision"
    assert test.urls["futures_rest"] == "https://testnet.binancefuture.com"
    assert test.credentials is not None and test.credentials.api_key == "tk"
    assert "ts" not in repr(test)
    with pytest.raises(ConfigurationError, match="unknown URL keys"):
        BinanceConnector(urls={"rest": "http://x"})
    override = BinanceConnector(urls={"futures_rest": "http://127.0.0.1:1"})
    assert override.futures_rest.urls["futures_rest"] == "http://127.0.0.1:1"


def test_spot_only_refusals_happen_at_call_time() -> None:
    ex = BinanceConnector()
    with pytest.raises(NotSupportedError, match="spot"):
        ex.stream_mark_price("BTC/USDT")
    with pytest.raises(ConfigurationError, match="api_key"):
        ex.stream_orders()
    with pytest.raises(ConfigurationError, match="api_key"):
        ex.stream_positions()


def test_account_names_and_client_ids() -> None:
    assert _account("spot") == (None, "spot")
    assert _account("futures") == (None, "futures")
    assert _account("sub:a@b.c") == ("a@b.c", "spot")
    assert _account("sub:a@b.c:futures") == ("a@b.c", "futures")
    for bad in ("margin", "sub:", "sub:a@b.c:margin"):
        with pytest.raises(ConfigurationError):
            _account(bad)
    cid = new_client_order_id()
    assert len(cid) <= 36 and cid.isalnum() and cid != new_client_order_id()
