"""A WebSocket server that replays diff-depth events as fast as the client reads them.

Run as a separate process by `stream.Firehose` so that producing messages costs the measured
client nothing. Reads its plan (JSON) from stdin, prints its port, then serves every
connection alike: on the first subscribe it acknowledges, sends ``warm`` events 5 ms apart
(time for the client to take its REST snapshot), pauses, then sends ``count`` events back to
back. Events carry consecutive update ids from ``first_id``, set or delete levels taken from
the venue's own snapshot, so the book never crosses and every client sees the same sequence.
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


def events(plan: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    wiring = MAPPINGS[plan["exchange"]]
    assert wiring.stream_frame is not None, wiring.firehose_skip
    rng = random.Random(3)
    bids, asks = plan["bids"], plan["asks"]
    zero = "0." + "0" * (len(bids[0][1]) - 2)
    out = []
    for i in range(plan["warm"] + plan["count"]):

        def pick(side: list[list[str]]) -> list[list[str]]:
            return [
                [side[rng.randrange(len(side))][0], zero if rng.random() < 0.3 else
                 f"{rng.random() * 3:.8f}"]
                for _ in range(rng.randint(1, 5))
            ]  # fmt: skip

        event = wiring.stream_frame(plan["native"], plan["first_id"] + i, pick(bids), pick(asks))
        out.append((plan["stream"], event))
    return out


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
    wiring = MAPPINGS[plan["exchange"]]
    envelope = wiring.ws_envelope
    assert envelope is not None, wiring.firehose_skip
    script = events(plan)
    encoded: dict[bool, tuple[list[str], bytes]] = {}

    def frames(path: str) -> tuple[list[str], bytes]:
        """(warm-up messages, the blast as raw WebSocket frames ready for one write)."""
        combined = path.startswith("/stream")
        if combined not in encoded:
            texts = [json.dumps(envelope(path, s, e), separators=(",", ":")) for s, e in script]
            warm = plan["warm"]
            encoded[combined] = texts[:warm], b"".join(map(text_frame, texts[warm:]))
        return encoded[combined]

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
            req = json.loads(msg.data)
            await ws.send_str(json.dumps({"result": None, "id": req.get("id")}))
            if req.get("method") == "SUBSCRIBE" and sender is None:
                sender = asyncio.create_task(send(frames(request.path)))
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
