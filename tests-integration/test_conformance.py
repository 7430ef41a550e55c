"""Every connector in this repository through the conformance kit, against its simulated venue."""

from typing import ClassVar

from lotusx.core.testing import ConformanceSuite


class TestBinance(ConformanceSuite):
    exchange = "binance"


class TestOkx(ConformanceSuite):
    exchange = "okx"
    rest_book_sequence = False  # OKX's market/books carries no seqId
    trading_wallet = "trading"
    transfer_out: ClassVar[tuple[str, str]] = ("trading", "funding")


class TestBybit(ConformanceSuite):
    exchange = "bybit"
    # A unified account trades spot and derivatives from one wallet; funds leave it for FUND.
    transfer_out: ClassVar[tuple[str, str]] = ("unified", "funding")


class TestCoinbase(ConformanceSuite):
    exchange = "coinbase"
    # /product_book carries no update id; sequence_num numbers a connection's messages.
    rest_book_sequence = False
    stream_book_sequence = False
    # Portfolios, not wallets: funds leave the default portfolio for another one, by name.
    transfer_out: ClassVar[tuple[str, str]] = ("spot", "sub:Portfolio 3")


class TestKraken(ConformanceSuite):
    exchange = "kraken"
    # Depth answers carry no update id, and the v2 book has none (checksums instead).
    rest_book_sequence = False
    stream_book_sequence = False
    # Kraken's last margin level has no upper bound.
    last_bracket_unbounded = True
    # Kraken withdraws only to keys registered on the account: the simulated account's USD key.
    withdrawal_address = "CH93 0076 2011 6238 5295 7"
    withdrawal_network = None
