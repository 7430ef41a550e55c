"""Book rules: the documented v2 checksum, the Futures seq-gap rule, stream routing."""

from __future__ import annotations

import zlib

from lotusx.connectors.kraken.streams import (
    FuturesBookSequence,
    FuturesPublicProtocol,
    KrakenChecksum,
    SpotPublicProtocol,
    checksum_text,
)
from lotusx.core.book import BookSync, Delta, L2Book, MonotonicSequence, SyncResult
from lotusx.core.types import Symbol

# docs.kraken.com "Spot Websockets (v2) Book Checksum": the BTC/USD example book.
DOC_ASKS = [
    ("45285.2", "0.00100000"), ("45286.4", "1.54571953"), ("45286.6", "1.54571109"),
    ("45289.6", "1.54560911"), ("45290.2", "0.15890660"), ("45291.8", "1.54553491"),
    ("45294.7", "0.04454749"), ("45296.1", "0.35380000"), ("45297.5", "0.09945542"),
    ("45299.5", "0.18772827"),
]  # fmt: skip
DOC_BIDS = [
    ("45283.5", "0.10000000"), ("45283.4", "1.54582015"), ("45282.1", "0.10000000"),
    ("45281.0", "0.10000000"), ("45280.3", "1.54592586"), ("45279.0", "0.07990000"),
    ("45277.6", "0.03310103"), ("45277.5", "0.30000000"), ("45277.3", "1.54602737"),
    ("45276.6", "0.15445238"),
]  # fmt: skip
DOC_CHECKSUM = 3310070434
BTC = Symbol("BTC", "USD")


def test_documented_checksum_string_and_value() -> None:
    text = checksum_text(DOC_ASKS, DOC_BIDS)
    assert text.startswith("452852100000")  # the documented first ask
    assert zlib.crc32(text.encode()) & 0xFFFFFFFF == DOC_CHECKSUM


def test_checksum_over_a_synced_book_uses_only_the_top_ten() -> None:
    book = L2Book(BTC, 1, max_depth=25)
    sync = BookSync(book, MonotonicSequence(), checksum=KrakenChecksum())
    deeper_bids = [*DOC_BIDS, ("45200.0", "9.00000000")]
    deeper_asks = [*DOC_ASKS, ("45400.0", "9.00000000")]
    assert sync.on_snapshot(deeper_bids, deeper_asks, 1, checksum=DOC_CHECKSUM) is (
        SyncResult.APPLIED
    )
    assert sync.live


def test_checksum_mismatch_asks_for_a_resync() -> None:
    book = L2Book(BTC, 1, max_depth=10)
    sync = BookSync(book, MonotonicSequence(), checksum=KrakenChecksum())
    assert sync.on_snapshot(DOC_BIDS, DOC_ASKS, 1, checksum=DOC_CHECKSUM) is SyncResult.APPLIED
    delta = Delta(2, 2, [("45283.5", "0.2")], [], checksum=DOC_CHECKSUM)  # stale checksum
    assert sync.on_delta(delta) is SyncResult.RESYNC
    assert not sync.live


def test_futures_seq_must_be_contiguous() -> None:
    book = L2Book(Symbol("BTC", "USD", "USD"), 1)
    sync = BookSync(book, FuturesBookSequence())
    sync.on_snapshot([("100.0", "1")], [("101.0", "1")], 10)
    assert sync.on_delta(Delta(10, 10, [("100.0", "2")], [])) is SyncResult.SKIPPED
    assert sync.on_delta(Delta(11, 11, [("100.0", "2")], [])) is SyncResult.APPLIED
    assert sync.on_delta(Delta(12, 12, [], [("101.0", "0.0")])) is SyncResult.APPLIED
    assert book.best_ask is None
    assert sync.on_delta(Delta(14, 14, [("99.5", "1")], [])) is SyncResult.RESYNC  # 13 missing


def test_spot_routing_and_subscribe_messages() -> None:
    protocol = SpotPublicProtocol()
    protocol.depths["BTC/USD"] = 25
    [message] = protocol.subscribe_messages(["book:BTC/USD"])
    assert '"channel":"book"' in message and '"depth":25' in message
    assert '"symbol":["BTC/USD"]' in message
    frame = b'{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[]}]}'
    assert protocol.route(frame) == ("book:BTC/USD", frame)
    assert protocol.route(b'{"channel":"heartbeat"}') is None
    ack = (
        b'{"method":"subscribe","result":{"channel":"book","depth":25,"snapshot":true,'
        b'"symbol":"BTC/USD"},"success":true}'
    )
    assert protocol.confirmed(ack) == ["book:BTC/USD"]
    ohlc = b'{"channel":"ohlc","type":"update","data":[{"symbol":"BTC/USD","interval":5}]}'
    assert protocol.route(ohlc) == ("ohlc:BTC/USD:5", ohlc)


def test_futures_routing() -> None:
    protocol = FuturesPublicProtocol()
    [message] = protocol.subscribe_messages(["book:PF_XBTUSD"])
    assert message == '{"event":"subscribe","feed":"book","product_ids":["PF_XBTUSD"]}'
    snap = b'{"feed":"book_snapshot","product_id":"PF_XBTUSD","seq":1}'
    assert protocol.route(snap) == ("book:PF_XBTUSD", snap)
    fills = b'{"feed":"fills_snapshot","fills":[]}'
    assert protocol.route(fills) == ("fills", fills)
    ack = b'{"event":"subscribed","feed":"book","product_ids":["PF_XBTUSD"]}'
    assert protocol.confirmed(ack) == ["book:PF_XBTUSD"]
