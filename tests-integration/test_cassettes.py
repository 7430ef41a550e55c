"""Playback of Binance's documented example responses (vcrpy cassettes, no server involved).

The cassette holds the example bodies of Binance's API documentation (spot exchangeInfo with its
ETHBTC example and filters, the depth/trades/klines/premiumIndex examples; the futures
exchangeInfo example with its symbol set to BTCUSDT). Playing them through the connector proves
it decodes the documented shapes, independently of our simulator.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import vcr

from lotusx.core import connect
from lotusx.core.types import Side

CASSETTES = Path(__file__).parent / "cassettes"
URLS = {"spot_rest": "http://spot.binance.test", "futures_rest": "http://fapi.binance.test"}
playback = vcr.VCR(
    cassette_library_dir=str(CASSETTES),
    record_mode="none",  # never touch the network: a request not in the cassette fails
    match_on=("method", "scheme", "host", "port", "path"),
    serializer="json",
)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
async def test_documented_public_responses_decode() -> None:
    with playback.use_cassette("binance_documented_public.json", allow_playback_repeats=True):
        async with connect("binance", urls=URLS) as ex:
            instruments = await ex.load_instruments()
            eth_btc = await ex.instrument("ETH/BTC")
            assert eth_btc.native_id == "ETHBTC"
            assert eth_btc.tick_size == Decimal("0.000001")
            assert eth_btc.lot_size == Decimal("0.001")
            assert eth_btc.min_notional == Decimal("10")
            perp = await ex.instrument("BTC/USDT:USDT")
            assert perp.tick_size == Decimal("0.1")
            assert perp.min_notional == Decimal("100")
            assert len(instruments) == 2

            book = await ex.get_orderbook("ETH/BTC", depth=5)
            assert book.sequence == 1027024
            assert (book.bids[0].price, book.bids[0].quantity) == (Decimal("4"), Decimal("431"))
            assert book.asks[0].price == Decimal("4.000002")

            (trade,) = await ex.get_trades("ETH/BTC", limit=1)
            assert trade.trade_id == "28457"
            assert trade.price == Decimal("4.000001")
            assert trade.side is Side.SELL  # the buyer was the maker: the taker sold

            (candle,) = await ex.get_candles("ETH/BTC", "1m", limit=1)
            assert candle.open_time == 1499040000000
            assert (candle.open, candle.high, candle.low, candle.close) == (
                Decimal("0.01634790"),
                Decimal("0.80000000"),
                Decimal("0.01575800"),
                Decimal("0.01577100"),
            )

            mark = await ex.get_mark_price("BTC/USDT:USDT")
            assert mark.mark_price == Decimal("11793.63104562")
            assert mark.index_price == Decimal("11781.80495970")
            funding = await ex.get_funding_rate("BTC/USDT:USDT")
            assert funding.rate == Decimal("0.00038246")
            assert funding.next_funding_time == 1597392000000
