from collections.abc import AsyncIterator, Mapping
from typing import ClassVar

import pytest

from lotusx.core.capabilities import Capability, CapabilityGroup
from lotusx.core.connector import Connector
from lotusx.core.errors import (
    ConfigurationError,
    ExchangeError,
    IpBanned,
    NotSupportedError,
    RateLimitExceeded,
)
from lotusx.core.registry import connect, load
from lotusx.core.transport.errors import ErrorTable
from lotusx.core.transport.rest import RestClient
from lotusx.core.transport.signing import Credentials
from lotusx.core.types import OrderBook, SymbolLike, Ticker


class Toy(Connector):
    name = "toy"
    mainnet_urls: ClassVar[Mapping[str, str]] = {"rest": "http://127.0.0.1:1"}

    def _build_rest(self) -> RestClient:
        table = ErrorTable(self.name, {}, lambda body: None)
        return RestClient(self.name, self.urls, errors=table)

    async def get_ticker(self, symbol: SymbolLike) -> Ticker:
        raise AssertionError("not called")

    def stream_orderbook(self, symbol: SymbolLike, depth: int = 20) -> AsyncIterator[OrderBook]:
        raise AssertionError("not called")


def test_capabilities_are_the_overridden_methods() -> None:
    assert Toy.capabilities == {Capability.GET_TICKER, Capability.STREAM_ORDERBOOK}
    assert Toy.supports(Capability.GET_TICKER)
    assert not Toy.supports(Capability.PLACE_ORDER)
    assert Capability.PLACE_ORDER.group is CapabilityGroup.TRADING
    assert Capability.STREAM_FILLS.group is CapabilityGroup.STREAMS


async def test_unsupported_call_names_exchange_and_capability() -> None:
    toy = Toy()
    with pytest.raises(NotSupportedError) as info:
        await toy.withdraw("BTC", 1, "addr")  # type: ignore[arg-type]
    assert info.value.exchange == "toy"
    assert info.value.capability == "withdraw"
    assert "toy does not support withdraw" in str(info.value)
    with pytest.raises(NotSupportedError, match="stream_trades"):
        toy.stream_trades("BTC/USDT")


def test_exchange_error_carries_context() -> None:
    err = ExchangeError(
        "Invalid symbol.",
        exchange="binance",
        endpoint="spot.depth",
        http_status=400,
        code="-1121",
        raw=b'{"code":-1121,"msg":"Invalid symbol."}',
    )
    text = str(err)
    for part in ("binance", "spot.depth", "400", "-1121", "Invalid symbol."):
        assert part in text
    assert "-1121" in repr(err) and err.raw is not None and "msg" in err.raw


def test_error_table_status_fallbacks() -> None:
    table = ErrorTable("x", {"-1003": RateLimitExceeded}, lambda body: ("-1003", "too many"))
    banned = table.for_response(418, b"{}", "ep", "120")
    assert isinstance(banned, IpBanned) and banned.retry_after == 120.0
    limited = table.for_response(429, b"{}", "ep", "3")
    assert type(limited) is RateLimitExceeded and limited.retry_after == 3.0
    unreadable = ErrorTable("x", {}, lambda body: None).for_response(503, b"<html>", "ep")
    assert unreadable.http_status == 503 and "html" in unreadable.exchange_message


def test_secrets_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    creds = Credentials("AKIAKEY123", "supersecret", "phrase")
    assert "supersecret" not in repr(creds) and "phrase" not in str(creds)
    monkeypatch.setenv("LOTUSX_TOY_API_KEY", "k" * 10)
    monkeypatch.setenv("LOTUSX_TOY_SECRET", "s3cr3t-value")
    toy = Toy()
    assert toy.credentials is not None and toy.credentials.secret == "s3cr3t-value"
    assert "s3cr3t" not in repr(toy) and "s3cr3t" not in repr(toy.credentials)


def test_half_credentials_rejected() -> None:
    with pytest.raises(ConfigurationError, match="together"):
        Toy(api_key="k")


def test_unknown_url_key_rejected() -> None:
    with pytest.raises(ConfigurationError, match="unknown URL keys"):
        Toy(urls={"nope": "http://x"})


def test_unknown_exchange_lists_installed() -> None:
    with pytest.raises(ConfigurationError, match="unknown exchange 'nope'; installed connectors"):
        load("nope")
    with pytest.raises(ConfigurationError):
        connect("nope")


def test_wire_check_names_the_exchange_and_the_unknown_value() -> None:
    from lotusx.core.wire import WireCheck

    check = WireCheck("okx")
    assert check.lookup({"live": 1}, "live", "order state") == 1
    with pytest.raises(ExchangeError, match="unknown order state 'paused'") as caught:
        check.lookup({"live": 1}, "paused", "order state")
    assert caught.value.exchange == "okx" and caught.value.endpoint == "decode"
