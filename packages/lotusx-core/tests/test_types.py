from decimal import Decimal

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lotusx.core.errors import InvalidOrderError, InvalidSymbolError
from lotusx.core.types import (
    Instrument,
    MarketKind,
    OrderRequest,
    OrderType,
    Side,
    Symbol,
    TimeInForce,
)

assets = st.from_regex(r"[A-Z][A-Z0-9]{1,7}", fullmatch=True)


@given(assets, assets, st.sampled_from(["none", "quote", "base"]))
def test_symbol_round_trips(base: str, quote: str, settle: str) -> None:
    if base == quote:
        return
    settle_asset = {"none": None, "quote": quote, "base": base}[settle]
    sym = Symbol(base, quote, settle_asset)
    assert Symbol.parse(str(sym)) == sym
    expected = {"none": MarketKind.SPOT, "quote": MarketKind.LINEAR, "base": MarketKind.INVERSE}
    assert sym.kind is expected[settle]


@pytest.mark.parametrize(
    ("text", "kind"),
    [("BTC/USDT", "spot"), ("BTC/USDT:USDT", "linear"), ("BTC/USD:BTC", "inverse")],
)
def test_symbol_parse_examples(text: str, kind: str) -> None:
    assert Symbol.parse(text).kind == kind
    assert str(Symbol.parse(text)) == text


@pytest.mark.parametrize(
    "bad", ["BTCUSDT", "btc/usdt", "BTC/USDT:ETH", "BTC/BTC", "BTC/", "/USDT", "BTC/USDT:"]
)
def test_symbol_parse_rejects(bad: str) -> None:
    with pytest.raises(InvalidSymbolError):
        Symbol.parse(bad)


def test_types_are_frozen_and_hashable() -> None:
    sym = Symbol.parse("ETH/USDT")
    with pytest.raises(AttributeError):
        sym.base = "X"  # type: ignore[misc]
    assert {sym: 1}[Symbol("ETH", "USDT")] == 1


BTC = Instrument(
    symbol=Symbol.parse("BTC/USDT"),
    native_id="BTCUSDT",
    tick_size=Decimal("0.01"),
    lot_size=Decimal("0.00001"),
    min_quantity=Decimal("0.00001"),
    max_quantity=Decimal("9000"),
    min_notional=Decimal("5"),
)


def limit(price: str, qty: str, **kw: object) -> OrderRequest:
    return OrderRequest(
        BTC.symbol,
        Side.BUY,
        OrderType.LIMIT,
        Decimal(qty),
        Decimal(price),
        **kw,  # type: ignore[arg-type]
    )


prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000000"), places=6)


@given(prices, st.sampled_from([Side.BUY, Side.SELL, None]))
def test_round_price_is_on_grid_and_passive(price: Decimal, side: Side | None) -> None:
    rounded = BTC.round_price(price, side)
    assert rounded % BTC.tick_size == 0
    assert abs(rounded - price) < BTC.tick_size
    if side is Side.BUY:
        assert rounded <= price
    if side is Side.SELL:
        assert rounded >= price


@given(st.decimals(min_value=Decimal("0"), max_value=Decimal("1000"), places=9))
def test_round_quantity_never_exceeds(qty: Decimal) -> None:
    rounded = BTC.round_quantity(qty)
    assert rounded <= qty
    assert qty - rounded < BTC.lot_size
    assert rounded % BTC.lot_size == 0


@pytest.mark.parametrize(
    ("order", "rule"),
    [
        (limit("100.001", "1"), "tick_size"),
        (limit("100", "0.000001"), "lot_size"),
        (limit("100", "0.01"), "min_notional"),
        (limit("100", "10000"), "max_quantity"),
        (limit("100", "-1"), "quantity"),
        (
            OrderRequest(BTC.symbol, Side.BUY, OrderType.MARKET, Decimal(1), Decimal(1)),
            "price",
        ),
        (limit("100", "1", reduce_only=True), "reduce_only"),
        (
            OrderRequest(
                BTC.symbol,
                Side.BUY,
                OrderType.MARKET,
                Decimal(1),
                time_in_force=TimeInForce.POST_ONLY,
            ),
            "time_in_force",
        ),
    ],
)
def test_check_order_names_the_rule(order: OrderRequest, rule: str) -> None:
    with pytest.raises(InvalidOrderError) as info:
        BTC.check_order(order)
    assert info.value.rule == rule
    assert rule in str(info.value) and "BTC/USDT" in str(info.value)


def test_prepare_order_rounds_then_checks() -> None:
    prepared = BTC.prepare_order(limit("100.019", "1.0000099"))
    assert prepared.price == Decimal("100.01")
    assert prepared.quantity == Decimal("1.00000")
    with pytest.raises(InvalidOrderError, match="min_notional"):
        BTC.prepare_order(limit("100", "0.0100009"))


def test_structs_encode_decimals_as_strings() -> None:
    encoded = msgspec.json.encode(limit("100.5", "2"))
    assert b'"100.5"' in encoded
    decoded = msgspec.json.decode(encoded, type=OrderRequest)
    assert decoded.price == Decimal("100.5")


@pytest.mark.parametrize(
    ("value", "text"), [("9000.00", "9000"), ("0.0100", "0.01"), ("1E+3", "1000"), ("0", "0")]
)
def test_plain_decimal(value: str, text: str) -> None:
    from lotusx.core.types import plain

    assert str(plain(Decimal(value))) == text
