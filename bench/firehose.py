"""A WebSocket server that replays order-book diffs as fast as the client reads them.

Run as a separate process by `stream.Firehose` so that producing messages costs the measured
client nothing. Reads its plan (JSON) from stdin, prints its port, then serves every
connection alike, in the venue's dialect (Binance ``depthUpdate``; OKX ``books`` with
``seqId``/``prevSeqId`` and the CRC32 checksum; Bybit ``orderbook.N`` with ``u``/``seq``): on
the first book subscribe it acknowledges, sends the WebSocket snapshot where the venue has one
and ``warm`` events 5 ms apart (time for a Binance client to take its REST snapshot), pauses,
then sends ``count`` events back to back. Events carry consecutive update ids from
``first_id``, set or delete levels taken from the venue's own snapshot, so the book never
crosses and every client sees the same sequence. Pings get their pong.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

sys.path.insert(0, str(Path(__file__).parent))

from venues import MAPPINGS

from lotusx.core.book import L2Book, OkxChecksum
from lotusx.core.types import Symbol


def updates(plan: dict[str, Any]) -> list[tuple[int, list[list[str]], list[list[str]]]]:
    """(update id, bid levels, ask levels): set or delete levels of the snapshot's prices."""
    rng = random.Random(3)
    bids, asks = plan["bids"], plan["asks"]
    zero = "0." + "0" * (len(bids[0][1]) - 2)

    def pick(side: list[list[str]]) -> list[list[str]]:
        return [
            [side[rng.randrange(len(side))][0], zero if rng.random() < 0.3 else
             f"{rng.random() * 3:.8f}"]
            for _ in range(rng.randint(1, 5))
        ]  # fmt: skip

    return [
        (plan["first_id"] + i, pick(bids), pick(asks)) for i in range(plan["warm"] + plan["count"])
    ]


def script(plan: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """Every message for one subscription ``key`` (path, instId or topic), snapshot first
    where the venue sends one on the socket."""
    wiring = MAPPINGS[plan["exchange"]]
    frame, envelope = wiring.stream_frame, wiring.ws_envelope
    assert frame is not None and envelope is not None, wiring.firehose_skip
    native, dialect, moves = plan["native"], plan["dialect"], updates(plan)
    before = plan["first_id"] - 1
    if dialect == "binance":
        return [envelope(key, plan["stream"], frame(native, i, b, a)) for i, b, a in moves]
    if dialect == "bybit":
        first = envelope("snapshot", key, frame(native, before, plan["bids"], plan["asks"]))
        return [first] + [envelope("delta", key, frame(native, i, b, a)) for i, b, a in moves]
    # OKX: keep the book to checksum it after every update, as the venue does.
    decimals = max(len(lv[0].partition(".")[2]) for lv in plan["bids"] + plan["asks"])
    book, crc = L2Book(Symbol.parse(wiring.symbol), decimals), OkxChecksum()

    def levels(side: list[list[str]]) -> list[tuple[str, str]]:
        return [(p, q) for p, q in side]

    book.load(levels(plan["bids"]), levels(plan["asks"]), before)
    snap = {**frame(native, before, plan["bids"], plan["asks"]), "prevSeqId": -1}
    out = [envelope("snapshot", native, {**snap, "checksum": crc.compute(book)})]
    for i, b, a in moves:
        book.update(levels(b), levels(a), i)
        out.append(
            envelope("update", native, {**frame(native, i, b, a), "checksum": crc.compute(book)})
        )
    return out


def hello(dialect: str, path: str, text: str) -> tuple[list[str], str | None]:
    """(replies to one client message, the subscription key if it asks for the book)."""
    if dialect == "okx" and text == "ping":
        return ["pong"], None
    req = json.loads(text)
    if dialect == "binance":
        key = path if req.get("method") == "SUBSCRIBE" else None
        return [json.dumps({"result": None, "id": req.get("id")})], key
    if dialect == "okx":
        rid = {"id": req["id"]} if "id" in req else {}
        args = req.get("args") or []
        replies = [
            json.dumps({**rid, "event": req.get("op"), "arg": a, "connId": "hose"}) for a in args
        ]
        books = [
            a["instId"]
            for a in args
            if req.get("op") == "subscribe" and a.get("channel") == "books"
        ]
        return replies, books[0] if books else None
    op = req.get("op")  # bybit
    ack = {"success": True, "ret_msg": "pong" if op == "ping" else "", "conn_id": "hose",
           "req_id": req.get("req_id", ""), "op": op}  # fmt: skip
    topics = [t for t in req.get("args") or [] if op == "subscribe" and t.startswith("orderbook.")]
    return [json.dumps(ack)], topics[0] if topics else None


def text_frame(text: str) -> bytes:
    """An unmasked, final server-to-client text frame (RFC 6455 section 5.2)."""
    payload = text.encode()
    n = len(payload)
    if n < 126:
        head = bytes((0x81, n))
    elif n < 65_536:
        head = bytes((0x81, 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x81, 127)) + n.to_bytes(8, "big")
    return head + payload


async def serve(plan: dict[str, Any]) -> None:
    dialect = plan["dialect"]
    encoded: dict[str, tuple[list[str], bytes]] = {}

    def frames(key: str) -> tuple[list[str], bytes]:
        """(warm-up messages, the blast as raw WebSocket frames ready for one write)."""
        if dialect == "binance":
            key = "/stream" if key.startswith("/stream") else "/ws"
        if key not in encoded:
            texts = [json.dumps(m, separators=(",", ":")) for m in script(plan, key)]
            warm = len(texts) - plan["count"]  # the warm-up diffs and any snapshot
            encoded[key] = texts[:warm], b"".join(map(text_frame, texts[warm:]))
        return encoded[key]

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, compress=False)
        await ws.prepare(request)
        sender: asyncio.Task[None] | None = None

        async def send(out: tuple[list[str], bytes]) -> None:
            warm, blast = out
            for frame in warm:
                await ws.send_str(frame)
                await asyncio.sleep(0.005)
            await asyncio.sleep(1.0)
            # One write of pre-built frames: the producer costs nothing per message, so the
            # rate measured is the client's (the kernel and the transport buffer the rest).
            assert request.transport is not None
            request.transport.write(blast)

        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                continue
            replies, key = hello(dialect, request.path, msg.data)
            for reply in replies:
                await ws.send_str(reply)
            if key is not None and sender is None:
                sender = asyncio.create_task(send(frames(key)))
        if sender is not None:
            sender.cancel()
        return ws

    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(runner.addresses[0][1], flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until stdin closes
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(serve(json.loads(sys.stdin.readline())))
