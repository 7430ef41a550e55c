"""WS dialect without a network: channel keys, routing, login, and book checksums."""

from __future__ import annotations

import msgspec
import pytest

from lotusx.connectors.okx.streams import PrivateProtocol, PublicProtocol, book_delta, channel_key
from lotusx.connectors.okx.wire import BookWire, text_levels
from lotusx.core.book import BookSync, L2Book, OkxChecksum, PrevIdSequence, SyncResult
from lotusx.core.clock import Clock
from lotusx.core.errors import AuthenticationError
from lotusx.core.transport.signing import Credentials
from lotusx.core.types import Symbol


def test_channel_keys_are_canonical() -> None:
    key = channel_key("books", instId="BTC-USDT")
    assert key == '{"channel":"books","instId":"BTC-USDT"}'
    assert channel_key("orders", instType="ANY", instId="") == (
        '{"channel":"orders","instType":"ANY"}'
    )


def test_subscribe_and_route() -> None:
    protocol = PublicProtocol()
    key = channel_key("books", instId="BTC-USDT")
    (message,) = protocol.subscribe_messages([key])
    decoded = msgspec.json.decode(message)
    assert decoded["op"] == "subscribe"
    assert decoded["args"] == [{"channel": "books", "instId": "BTC-USDT"}]
    push = b'{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[]}'
    assert protocol.route(push) == (key, push)
    private = b'{"arg":{"channel":"orders","instType":"ANY","uid":"77"},"data":[{}]}'
    routed = protocol.route(private)
    assert routed is not None and routed[0] == channel_key("orders", instType="ANY")
    assert protocol.route(b"pong") is None
    assert protocol.route(b'{"event":"subscribe","arg":{"channel":"books"},"connId":"a"}') is None
    assert protocol.route(b'{"event":"error","code":"60012","msg":"Invalid request"}') is None
    assert protocol.unsubscribe_messages([]) == []


class FakeConnection:
    def __init__(self, replies: list[bytes]) -> None:
        self.sent: list[str] = []
        self.replies = replies

    async def send(self, message: str) -> None:
        self.sent.append(message)

    async def receive(self, timeout: float) -> bytes:
        return self.replies.pop(0)


async def test_login_waits_for_the_login_event() -> None:
    protocol = PrivateProtocol(Credentials("k", "s", "p"), Clock())
    ok = FakeConnection([b"pong", b'{"event":"login","code":"0","msg":"","connId":"1"}'])
    await protocol.on_connect(ok)
    (login,) = ok.sent
    args = msgspec.json.decode(login)["args"][0]
    assert msgspec.json.decode(login)["op"] == "login"
    assert set(args) == {"apiKey", "passphrase", "timestamp", "sign"}
    refused = FakeConnection([b'{"event":"error","code":"60009","msg":"Login failed."}'])
    with pytest.raises(AuthenticationError, match="Login failed"):
        await protocol.on_connect(refused)


def _book(bids: list[tuple[str, str]], asks: list[tuple[str, str]]) -> L2Book:
    book = L2Book(Symbol("BTC", "USDT"), 1)
    book.load(bids, asks, 1)
    return book


def test_checksum_on_the_documented_strings() -> None:
    # "3366.1:7:3366.8:9:3366:6:3368:8" → -1881014294 (OKX's documented value)
    book = _book([("3366.1", "7"), ("3366", "6")], [("3366.8", "9"), ("3368", "8")])
    assert OkxChecksum().compute(book) == -1881014294
    # one side shorter: its missing levels are skipped ("3366.1:7:3366.8:9:3368:8:3372:8")
    book = _book([("3366.1", "7")], [("3366.8", "9"), ("3368", "8"), ("3372", "8")])
    assert OkxChecksum().compute(book) == 831078360


def test_book_chain_and_checksum_drive_resyncs() -> None:
    sync = BookSync(L2Book(Symbol("BTC", "USDT"), 1), PrevIdSequence(), checksum=OkxChecksum())
    bids, asks = [["3366.1", "7", "0", "1"]], [["3366.8", "9", "0", "2"]]
    probe = _book(text_levels(bids), text_levels(asks))
    snap = BookWire(asks, bids, "1", 10, -1, OkxChecksum().compute(probe))
    assert sync.on_snapshot(text_levels(bids), text_levels(asks), 10, checksum=snap.checksum) is (
        SyncResult.APPLIED
    )
    new_bids = [["3366.5", "1", "0", "1"]]
    probe = _book([("3366.5", "1"), ("3366.1", "7")], text_levels(asks))
    update = BookWire([], new_bids, "2", 11, 10, OkxChecksum().compute(probe))
    assert sync.on_delta(book_delta(update)) is SyncResult.APPLIED
    heartbeat = BookWire([], [], "3", 11, 11, OkxChecksum().compute(probe))
    assert sync.on_delta(book_delta(heartbeat)) is SyncResult.APPLIED
    corrupt = BookWire([], [["3366.2", "1", "0", "1"]], "4", 12, 11, 12345)
    assert sync.on_delta(book_delta(corrupt)) is SyncResult.RESYNC
    assert sync.last_resync_reason == "checksum" and not sync.live
    assert sync.on_snapshot(text_levels(bids), text_levels(asks), 20) is SyncResult.APPLIED
    gap = BookWire([], new_bids, "5", 22, 21, None)
    assert sync.on_delta(book_delta(gap)) is SyncResult.RESYNC
    assert sync.last_resync_reason == "sequence_gap"


def test_pushes_routed_by_their_remembered_arg_text() -> None:
    protocol = PublicProtocol()
    pushes = {
        inst: b'{"arg":{"channel":"books","instId":"%s"},"action":"update","data":[{"n":%d}]}'
        % (inst.encode(), n)
        for n, inst in enumerate(["BTC-USDT", "ETH-USDT", "BTC-USDC"])
    }
    for _ in range(2):  # the second round is answered from the remembered arg text
        for inst, push in pushes.items():
            assert protocol.route(push) == (channel_key("books", instId=inst), push)
    assert len(protocol._keys) == 3
    # Events never enter the memo, and a remembered arg does not turn an event into data.
    assert protocol.route(b'{"event":"subscribe","arg":{"channel":"books"},"connId":"a"}') is None
    assert len(protocol._keys) == 3


def test_subscribe_acknowledgements_name_the_live_channel() -> None:
    protocol = PublicProtocol()
    ack = b'{"id":"1","event":"subscribe","arg":{"channel":"orders","instType":"ANY"},"connId":"a"}'
    assert protocol.confirmed(ack) == [channel_key("orders", instType="ANY")]
    push = b'{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[]}'
    assert protocol.confirmed(push) == []
    assert protocol.confirmed(b"pong") == []
    assert protocol.confirmed(b'{"event":"error","code":"60012","msg":"x"}') == []
