"""Registration, configuration, capabilities, account names, rate-limit quotas (no network)."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from lotusx.connectors.bybit import BybitConnector
from lotusx.connectors.bybit import endpoints as ep
from lotusx.connectors.bybit import wire as w
from lotusx.connectors.bybit.connector import new_client_order_id, parse_account
from lotusx.connectors.bybit.errors import Envelope
from lotusx.core import Capability, connect
from lotusx.core.errors import (
    BadSymbol,
    ConfigurationError,
    ExchangeError,
    InsufficientFunds,
    NotSupportedError,
)
from lotusx.core.ratelimit import RateLimiter
from lotusx.core.types import OrderRequest, OrderStatus, OrderType, Side, Symbol


def test_registered_under_the_entry_point() -> None:
    assert isinstance(connect("bybit"), BybitConnector)


def test_every_capability_is_implemented() -> None:
    assert set(Capability) == BybitConnector.capabilities


def test_urls_testnet_and_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    main = BybitConnector()
    assert main.urls == {
        "rest": "https://api.bybit.com",
        "ws_public_spot": "wss://stream.bybit.com/v5/public/spot",
        "ws_public_linear": "wss://stream.bybit.com/v5/public/linear",
        "ws_private": "wss://stream.bybit.com/v5/private",
        "ws_trade": "wss://stream.bybit.com/v5/trade",
    }
    monkeypatch.setenv("LOTUSX_BYBIT_TESTNET_API_KEY", "tk")
    monkeypatch.setenv("LOTUSX_BYBIT_TESTNET_SECRET", "ts")
    test = BybitConnector(testnet=True)
    assert test.urls["rest"] == "https://api-testnet.bybit.com"
    assert test.urls["ws_private"] == "wss://stream-testnet.bybit.com/v5/private"
    assert test.urls["ws_trade"] == "wss://stream-testnet.bybit.com/v5/trade"
    assert test.credentials is not None and test.credentials.api_key == "tk"
    assert "ts" not in repr(test)
    with pytest.raises(ConfigurationError, match="unknown URL keys"):
        BybitConnector(urls={"spot_rest": "http://x"})


def test_refusals_happen_at_call_time() -> None:
    ex = BybitConnector()
    with pytest.raises(NotSupportedError, match="spot"):
        ex.stream_mark_price("BTC/USDT")
    with pytest.raises(ConfigurationError, match="api_key"):
        ex.stream_orders()
    with pytest.raises(ConfigurationError, match="api_key"):
        ex.stream_positions()
    with pytest.raises(BadSymbol, match="inverse"):
        ex.stream_orderbook("BTC/USD:BTC")


def test_account_names_and_client_ids() -> None:
    assert parse_account("unified") == (None, "UNIFIED")
    assert parse_account("spot") == parse_account("futures") == (None, "UNIFIED")
    assert parse_account("funding") == (None, "FUND")
    assert parse_account("sub:100000002") == ("100000002", "UNIFIED")
    assert parse_account("sub:100000002:funding") == ("100000002", "FUND")
    for bad in ("margin", "sub:", "sub:abc", "sub:1:margin"):
        with pytest.raises(ConfigurationError):
            parse_account(bad)
    cid = new_client_order_id()
    assert len(cid) <= 36 and cid.isalnum() and cid != new_client_order_id()


async def test_same_account_transfer_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="same Bybit account"):
        await BybitConnector().internal_transfer("USDT", Decimal(1), "spot", "futures")


def test_costs_and_quota_groups() -> None:
    assert ep.costs(ep.ORDER_CREATE, "spot") == {"ip_5s": 1, "order.create:spot": 1}
    assert ep.costs(ep.ORDER_CREATE_BATCH, "linear", 7) == {
        "ip_5s": 1,
        "order.create-batch:linear": 7,
    }
    assert ep.costs(ep.ORDER_REALTIME, "linear") == {"ip_5s": 1, "order.realtime:all": 1}
    assert ep.costs(ep.TICKERS, "linear") == {"ip_5s": 1}  # public: IP limit only
    assert ep.ws_book_depth(20) == 50 and ep.ws_book_depth(5000) == 1000


async def test_headers_correct_the_called_endpoint_quota() -> None:
    limiter = RateLimiter("bybit", list(ep.DEFAULT_QUOTAS), clock=lambda: 1_000_000)
    charged = ep.costs(ep.ORDER_CREATE, "linear")
    assert "order.create:linear" in charged
    headers = {
        "X-Bapi-Limit": "20",
        "X-Bapi-Limit-Status": "15",
        "X-Bapi-Limit-Reset-Timestamp": "1",
    }
    ep.observe_headers(headers, limiter, charged, 1_000_000)
    quota = {q.name: q for q in limiter.quotas}["order.create:linear"]
    assert quota.limit == 20 and quota.window_ms == 1000
    assert limiter.used("order.create:linear") == 5
    public = {"ip_5s": 1}  # a public call charges no UID quota: nothing to correct
    sent = limiter.now_ms()
    ep.observe_headers({"X-Bapi-Limit": "20", "X-Bapi-Limit-Status": "15"}, limiter, public, sent)
    ep.observe_headers({"X-Bapi-Limit": "x", "X-Bapi-Limit-Status": "1"}, limiter, charged, sent)
    assert limiter.used("order.create:linear") == 5


async def test_rate_limit_rules_report_every_quota() -> None:
    rules = await BybitConnector().get_rate_limits()
    by_kind = {r.kind: r for r in rules}
    assert by_kind["ip_5s"].scope == "ip" and by_kind["ip_5s"].limit == 600
    assert by_kind["order.create:spot"].limit == 20 and by_kind["order.create:spot"].scope == "uid"
    assert by_kind["asset.inter-transfer:all"].window_ms == 60_000
    assert all(r.limit > 0 and r.window_ms > 0 and r.used == 0 for r in rules)


# order/batch-place.mdx response example, its second item refused (spot 170131)
BATCH_ACK = (
    b'{"retCode":0,"retMsg":"OK","result":{"list":['
    b'{"category":"spot","symbol":"BTCUSDT","orderId":"1666800494330512128",'
    b'"orderLinkId":"spot-btc-03","createAt":"1713434102752"},'
    b'{"category":"spot","symbol":"ATOMUSDT","orderId":"","orderLinkId":"spot-atom-03",'
    b'"createAt":""}]},'
    b'"retExtInfo":{"list":[{"code":0,"msg":"OK"},{"code":170131,"msg":"Insufficient balance."}]},'
    b'"time":1713434102753}'
)


def test_batch_ack_pairs_items_with_their_codes() -> None:
    ex = BybitConnector()
    envelope = msgspec.json.decode(BATCH_ACK, type=Envelope)
    answers = ex._batch_answers(ep.ORDER_CREATE_BATCH, envelope, 2)
    first, second = answers
    assert isinstance(first, w.BatchItemWire) and first.orderId == "1666800494330512128"
    assert isinstance(second, InsufficientFunds) and second.code == "170131"
    request = OrderRequest(
        Symbol("BTC", "USDT"), Side.BUY, OrderType.LIMIT, Decimal("0.1"), Decimal("60000")
    )
    order = w.to_placed(request, first, "spot-btc-03", envelope.time)
    assert (order.order_id, order.client_order_id) == ("1666800494330512128", "spot-btc-03")
    assert order.status is OrderStatus.ACCEPTED and order.created_at == 1713434102753
    with pytest.raises(ExchangeError, match="answered 2 items for 3"):
        ex._batch_answers(ep.ORDER_CREATE_BATCH, envelope, 3)
