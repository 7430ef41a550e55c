"""Registration, configuration, capabilities, refusals and quotas (no network)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from lotusx.connectors.coinbase import CoinbaseConnector
from lotusx.connectors.coinbase import endpoints as ep
from lotusx.connectors.coinbase import wire as w
from lotusx.core import Capability, connect
from lotusx.core.errors import ConfigurationError, NotSupportedError, OrderNotFound
from lotusx.core.types import (
    Fill,
    Instrument,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    Symbol,
)

DECLARED = {
    Capability.GET_INSTRUMENTS,
    Capability.GET_ORDERBOOK,
    Capability.GET_TRADES,
    Capability.GET_CANDLES,
    Capability.GET_TICKER,
    Capability.PLACE_ORDER,
    Capability.AMEND_ORDER,
    Capability.CANCEL_ORDER,
    Capability.CANCEL_BATCH,
    Capability.CANCEL_ALL,
    Capability.GET_ORDER,
    Capability.GET_OPEN_ORDERS,
    Capability.GET_FILLS,
    Capability.GET_BALANCES,
    Capability.GET_FEE_RATES,
    Capability.GET_SUBACCOUNTS,
    Capability.INTERNAL_TRANSFER,
    Capability.SYNC_TIME,
    Capability.GET_SYSTEM_STATUS,
    Capability.GET_RATE_LIMITS,
    Capability.STREAM_ORDERBOOK,
    Capability.STREAM_TRADES,
    Capability.STREAM_ORDERS,
    Capability.STREAM_FILLS,
}


def _pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


def test_registered_under_the_entry_point() -> None:
    assert isinstance(connect("coinbase"), CoinbaseConnector)


def test_declared_capabilities() -> None:
    assert CoinbaseConnector.capabilities == DECLARED


def test_urls_credentials_and_no_testnet(monkeypatch: pytest.MonkeyPatch) -> None:
    assert CoinbaseConnector().urls == {
        "rest": "https://api.coinbase.com",
        "ws": "wss://advanced-trade-ws.coinbase.com",
        "ws_user": "wss://advanced-trade-ws-user.coinbase.com",
    }
    pem = _pem()
    monkeypatch.setenv("LOTUSX_COINBASE_API_KEY", "organizations/o/apiKeys/k")
    monkeypatch.setenv("LOTUSX_COINBASE_SECRET", pem)
    ex = CoinbaseConnector(urls={"rest": "http://127.0.0.1:9"})
    assert ex.credentials is not None and ex.credentials.api_key.endswith("/k")
    assert "PRIVATE" not in repr(ex)
    with pytest.raises(ConfigurationError, match="no testnet"):
        CoinbaseConnector(testnet=True)
    with pytest.raises(ConfigurationError, match="unknown URL keys"):
        CoinbaseConnector(urls={"rest_public": "http://x"})
    with pytest.raises(ConfigurationError, match="PEM"):
        CoinbaseConnector(api_key="k", secret="-----BEGIN EC PRIVATE KEY-----\nx\n-----END")


async def test_undeclared_capabilities_refuse_naming_why() -> None:
    ex = CoinbaseConnector()
    for call, capability in [
        (lambda: ex.get_mark_price("BTC/USD"), Capability.GET_MARK_PRICE),
        (lambda: ex.get_positions(), Capability.GET_POSITIONS),
        (lambda: ex.set_leverage("BTC/USD", 2), Capability.SET_LEVERAGE),
        (lambda: ex.place_batch_orders([]), Capability.PLACE_BATCH_ORDERS),
        (lambda: ex.withdraw("BTC", Decimal(1), "a"), Capability.WITHDRAW),
        (lambda: ex.get_deposit_history(), Capability.GET_DEPOSIT_HISTORY),
    ]:
        with pytest.raises(NotSupportedError) as info:
            await call()
        assert info.value.exchange == "coinbase" and info.value.capability == capability.value
    with pytest.raises(NotSupportedError):
        ex.stream_balances()
    with pytest.raises(NotSupportedError):
        ex.stream_positions()


def test_private_streams_need_keys_at_call_time() -> None:
    ex = CoinbaseConnector()
    with pytest.raises(ConfigurationError, match="api_key"):
        ex.stream_orders()
    with pytest.raises(ConfigurationError, match="api_key"):
        ex.stream_fills()


def test_market_data_uses_the_public_paths_without_keys() -> None:
    anonymous = CoinbaseConnector()
    assert anonymous._market(ep.PRODUCTS, ep.PUBLIC_PRODUCTS) is ep.PUBLIC_PRODUCTS
    keyed = CoinbaseConnector(api_key="k", secret=_pem())
    assert keyed._market(ep.PRODUCTS, ep.PUBLIC_PRODUCTS) is ep.PRODUCTS
    assert ep.PRODUCTS.path == "/api/v3/brokerage/products"
    assert ep.with_product(ep.TICKER, "BTC-USD").path == "/api/v3/brokerage/products/BTC-USD/ticker"


def test_costs_follow_the_documented_limits() -> None:
    assert ep.costs(ep.CREATE_ORDER) == {"user_1s": 1}
    assert ep.costs(ep.TIME) == {"ip_1s": 1}
    assert (ep.USER_QUOTA.limit, ep.USER_QUOTA.window_ms) == (30, 1000)
    assert (ep.IP_QUOTA.limit, ep.IP_QUOTA.window_ms) == (10, 1000)
    assert not ep.CREATE_ORDER.retryable and ep.CANCEL_ORDERS.retryable


async def test_rate_limit_rules() -> None:
    rules = {r.kind: r for r in await CoinbaseConnector().get_rate_limits()}
    assert rules["user_1s"].scope == "uid" and rules["user_1s"].limit == 30
    assert rules["ip_1s"].scope == "ip" and rules["ip_1s"].limit == 10


async def test_cancel_all_tolerates_an_order_that_filled_meanwhile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """batch_cancel's documented reason for a filled order is ORDER_IS_FULLY_FILLED."""
    from lotusx.connectors.coinbase.errors import TABLE
    from lotusx.core.errors import OrderRejected

    ex = CoinbaseConnector()
    filled = TABLE.build("ORDER_IS_FULLY_FILLED", "filled", "orders.cancel", http_status=200)
    assert isinstance(filled, OrderRejected) and filled.code == "ORDER_IS_FULLY_FILLED"

    async def open_orders(symbol: object) -> list[object]:
        return [type("O", (), {"order_id": "a"})()]

    async def cancel(ids: object) -> list[object]:
        return [filled]

    monkeypatch.setattr(ex, "get_open_orders", open_orders)
    monkeypatch.setattr(ex, "_cancel", cancel)
    await ex.cancel_all("BTC/USD")  # no raise


def _user_push(**order: object) -> bytes:
    row = {
        "order_id": "o",
        "product_id": "BTC-USD",
        "status": "OPEN",
        "order_side": "BUY",
        "order_type": "Limit",
        "cumulative_quantity": "0",
        "leaves_quantity": "1",
        "limit_price": "10",
        "time_in_force": "GOOD_UNTIL_CANCELLED",
        "creation_time": "2024-01-01T00:00:00Z",
    }
    row.update(order)
    return json.dumps(
        {"channel": "user", "sequence_num": 1, "events": [{"type": "update", "orders": [row]}]}
    ).encode()


class _Sub:
    channel = "user"

    def __init__(self, frames: list[bytes]) -> None:
        self.frames = frames

    def __aiter__(self) -> AsyncIterator[bytes]:
        async def gen() -> AsyncIterator[bytes]:
            for f in self.frames:
                yield f

        return gen()

    async def close(self) -> None:
        return None


class _Session:
    def __init__(self, frames: list[bytes]) -> None:
        self.frames = frames

    async def subscribe(self, channel: object, overflow: object) -> _Sub:
        return _Sub(self.frames)


async def test_odd_user_pushes_are_skipped_not_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stop-limit order placed elsewhere, an UNKNOWN_ORDER_STATUS push and an unknown
    time_in_force are dropped (logged); the stream goes on with the next push."""
    frames = [
        _user_push(order_id="stop", order_type="STOP_LIMIT"),
        _user_push(order_id="unknown", status="UNKNOWN_ORDER_STATUS"),
        _user_push(order_id="odd", time_in_force="SOMETHING_NEW"),
        _user_push(order_id="tif", time_in_force="UNKNOWN_TIME_IN_FORCE"),
        _user_push(order_id="edit", status="EDIT_QUEUED"),
    ]

    ex = CoinbaseConnector()

    async def nothing() -> None:
        return None

    monkeypatch.setattr(ex, "load_instruments", nothing)
    monkeypatch.setattr(ex, "_user_session", lambda: _Session(frames))
    monkeypatch.setattr(ex, "_symbol", lambda product_id: Symbol("BTC", "USD"))
    pushes = [p async for p in ex._user_pushes(ex._order_converter())]
    assert [(o.order_id, o.status) for o in pushes if isinstance(o, Order)] == [
        ("tif", OrderStatus.NEW),
        ("edit", OrderStatus.NEW),
    ]


def _btc_usd() -> Instrument:
    return Instrument(
        symbol=Symbol("BTC", "USD"),
        native_id="BTC-USD",
        tick_size=Decimal("0.01"),
        lot_size=Decimal("0.00000001"),
        min_quantity=Decimal("0.00000001"),
    )


async def test_a_named_order_is_never_reported_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once POST /orders named an order id, the order is returned from the reply (ACCEPTED)
    with nothing read; even the opt-in read failing (not readable yet) keeps it, never
    OrderNotFound (a caller would place it again under a new id)."""
    ex = CoinbaseConnector()
    posts: list[object] = []
    reads: list[str] = []

    async def spot(symbol: object) -> Instrument:
        return _btc_usd()

    async def post(endpoint: object, kind: type, body: object) -> object:
        posts.append(body)
        return w.CreateReplyWire(success=True, success_response=w.SuccessWire(order_id="oid"))

    async def fetch(order_id: str) -> object:
        reads.append(order_id)
        raise OrderNotFound("not yet", exchange="coinbase", endpoint="orders.get")

    monkeypatch.setattr(ex, "_spot", spot)
    monkeypatch.setattr(ex, "_post", post)
    monkeypatch.setattr(ex, "_fetch", fetch)
    monkeypatch.setattr(ex, "_will_trade", lambda inst, request: None)
    request = OrderRequest(
        Symbol("BTC", "USD"),
        Side.BUY,
        OrderType.LIMIT,
        Decimal(1),
        Decimal(10),
        client_order_id="c",
    )
    order = await ex.place_order(request)
    assert (len(posts), reads) == (1, [])
    assert (order.order_id, order.client_order_id, order.status) == (
        "oid",
        "c",
        OrderStatus.ACCEPTED,
    )
    assert (order.quantity, order.price, order.filled_quantity) == (Decimal(1), Decimal(10), 0)
    ex.read_back = True
    again = await ex.place_order(request)
    assert (len(posts), reads) == (2, ["oid"])
    assert again == order


async def test_lagging_fills_are_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A push shows 1 filled before /orders/historical/fills lists it: the fills are read
    again (bounded backoff) until they add up to cumulative_quantity; nothing is lost."""
    import lotusx.connectors.coinbase.connector as module

    monkeypatch.setattr(module, "_FILL_RETRY_DELAYS", (0.0, 0.0, 0.0))
    frames = [_user_push(order_id="o", cumulative_quantity="1", leaves_quantity="0")]
    sym = Symbol("BTC", "USD")
    fill = Fill(
        symbol=sym,
        order_id="o",
        client_order_id=None,
        trade_id="t1",
        side=Side.BUY,
        price=Decimal(10),
        quantity=Decimal(1),
        fee=Decimal(0),
        fee_asset="USD",
        is_maker=True,
        timestamp=1,
    )
    answers: list[list[Fill]] = [[], [], [fill]]

    async def fills(symbol: object, params: object, limit: int) -> list[Fill]:
        return answers.pop(0) if answers else [fill]

    ex = CoinbaseConnector()

    async def nothing() -> None:
        return None

    monkeypatch.setattr(ex, "load_instruments", nothing)
    monkeypatch.setattr(ex, "_user_session", lambda: _Session(frames))
    monkeypatch.setattr(ex, "_symbol", lambda product_id: sym)
    monkeypatch.setattr(ex, "_fills", fills)
    got = [f async for f in ex._fill_pushes()]
    assert [f.trade_id for f in got if isinstance(f, Fill)] == ["t1"]
    assert answers == []  # read three times, stopping once the sizes agreed


def test_public_subscriptions_carry_a_jwt_with_keys() -> None:
    """Only unauthenticated messages fall under the 8/s per IP WebSocket limit, and the docs
    recommend authenticating: with keys, public subscribe messages carry a JWT."""
    keyed = CoinbaseConnector(api_key="organizations/o/apiKeys/k", secret=_pem())
    assert keyed.rest is not None  # builds the signer
    protocol = keyed._public_session().protocol
    (message,) = protocol.subscribe_messages(["level2:BTC-USD"])
    assert json.loads(message)["jwt"].count(".") == 2
    anonymous = CoinbaseConnector()
    assert anonymous.rest is not None
    (message,) = anonymous._public_session().protocol.subscribe_messages(["level2:BTC-USD"])
    assert "jwt" not in json.loads(message)


async def test_fill_adjustments_are_left_out_and_entries_deduplicated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only trade_type FILL rows are fills; REVERSAL/CORRECTION/SYNTHETIC rows repeat the
    trade_id of the fill they adjust. A row seen twice (same entry_id) counts once."""

    def row(entry: str, trade_type: str) -> w.FillWire:
        return w.FillWire(
            trade_id="t1",
            order_id="o",
            trade_time="2024-01-01T00:00:00Z",
            price="10",
            size="1",
            side="BUY",
            entry_id=entry,
            trade_type=trade_type,
        )

    pages = [
        w.FillsReplyWire(fills=[row("e1", "FILL"), row("e2", "REVERSAL")], cursor="c"),
        w.FillsReplyWire(fills=[row("e1", "FILL"), row("e3", "CORRECTION")], cursor=""),
    ]

    async def get(endpoint: object, kind: type, params: object = None) -> object:
        return pages.pop(0)

    ex = CoinbaseConnector()
    monkeypatch.setattr(ex, "_get", get)
    fills = await ex._fills(Symbol("BTC", "USD"), {}, 100)
    assert [(f.trade_id, f.quantity) for f in fills] == [("t1", Decimal(1))]


async def test_candle_windows_never_exceed_the_documented_350(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Coinbase refuses a start/end window of more than 350 candles: it is cut to ``limit``."""
    sent: list[dict[str, object]] = []

    async def spot(symbol: object) -> Instrument:
        return _btc_usd()

    async def get(endpoint: object, kind: type, params: dict[str, object]) -> object:
        sent.append(params)
        return w.CandlesReplyWire()

    ex = CoinbaseConnector()
    monkeypatch.setattr(ex, "_spot", spot)
    monkeypatch.setattr(ex, "_get", get)
    day = 86_400_000
    await ex.get_candles("BTC/USD", "1m", start=0, end=10 * day, limit=1000)
    await ex.get_candles("BTC/USD", "1m", start=0, end=10 * day, limit=20)
    spans = [(int(str(p["end"])) - int(str(p["start"]))) // 60 + 1 for p in sent]
    assert spans == [350, 20] and all(p["start"] == "0" for p in sent)
