"""`WsApiClient` against a real local WebSocket server: replies by id, failures by meaning."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import WSMsgType, web

from lotusx.core.errors import NetworkError, RequestNotSent, RequestTimeout
from lotusx.core.observability import WS_REQUESTS
from lotusx.core.ratelimit import Quota, RateLimiter, WindowKind
from lotusx.core.transport.ws import Frame, Heartbeat, HeartbeatKind, WsConnection
from lotusx.core.transport.wsapi import WsApiClient

from .conftest import serve


class ToyApi:
    """Logs in with a shared secret; replies carry the request's ``id``."""

    heartbeat = Heartbeat(HeartbeatKind.CLIENT_MESSAGE, interval=0.05, message='{"op":"ping"}')

    def __init__(self) -> None:
        self.logins = 0

    async def on_connect(self, connection: WsConnection) -> None:
        await connection.send(json.dumps({"op": "login", "key": "k"}))
        reply = json.loads(await connection.receive(1.0))
        if not reply.get("ok"):
            raise RuntimeError("login refused")
        self.logins += 1

    def reply_id(self, frame: Frame) -> str | None:
        message = json.loads(frame)
        rid = message.get("id")
        return None if rid is None else str(rid)


class Server:
    """Answers ``{"id", "op": "echo", "value"}`` requests; a script makes it misbehave."""

    def __init__(self) -> None:
        self.received: list[dict[str, object]] = []
        self.pings = 0
        self.connections = 0
        self.sockets: list[web.WebSocketResponse] = []

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.connections += 1
        self.sockets.append(ws)
        held: list[dict[str, object]] = []
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            if data.get("op") == "login":
                await ws.send_str(json.dumps({"op": "login", "ok": data.get("key") == "k"}))
                continue
            if data.get("op") == "ping":
                self.pings += 1
                await ws.send_str('{"op":"pong"}')
                continue
            self.received.append(data)
            if data.get("silent"):
                continue  # the venue acts, the reply never comes
            if data.get("drop"):
                await ws.close()  # the venue acts, then the connection goes
                break
            if data.get("hold"):
                held.append(data)  # answered after the next request, out of order
                continue
            await ws.send_str(json.dumps({"op": "push", "note": "not a reply"}))
            await ws.send_str(json.dumps({"id": data["id"], "result": data["value"]}))
            for old in held:
                await ws.send_str(json.dumps({"id": old["id"], "result": old["value"]}))
            held.clear()
        return ws


@pytest.fixture
async def venue() -> AsyncIterator[tuple[Server, str]]:
    server = Server()
    async with serve(lambda app: app.router.add_get("/ws", server.handle)) as base:
        yield server, base.replace("http", "ws") + "/ws"


def _message(rid: str, value: str, **flags: bool) -> str:
    return json.dumps({"id": rid, "op": "echo", "value": value, **flags})


async def _client(url: str, **options: object) -> WsApiClient:
    client = WsApiClient("toy", url, ToyApi(), backoff_base=0.01, backoff_max=0.05, **options)  # type: ignore[arg-type]
    await client.start(wait=2.0)
    return client


async def test_replies_reach_their_requests_by_id(venue: tuple[Server, str]) -> None:
    server, url = venue
    client = await _client(url)
    try:
        first_id, second_id = client.next_id(), client.next_id()
        assert first_id != second_id
        first = asyncio.create_task(
            client.request("echo", first_id, _message(first_id, "one", hold=True))
        )
        await asyncio.sleep(0.05)
        second = await client.request("echo", second_id, _message(second_id, "two"))
        assert json.loads(second)["result"] == "two"
        assert json.loads(await first)["result"] == "one"
        assert [m["value"] for m in server.received] == ["one", "two"]
    finally:
        await client.close()


async def test_a_silent_venue_is_a_timeout_a_dropped_socket_a_network_error(
    venue: tuple[Server, str],
) -> None:
    server, url = venue
    client = await _client(url, timeout=0.2)
    try:
        rid = client.next_id()
        with pytest.raises(RequestTimeout):
            await client.request("echo", rid, _message(rid, "x", silent=True))
        rid = client.next_id()
        with pytest.raises(NetworkError, match="connection lost before the reply") as lost:
            await client.request("echo", rid, _message(rid, "y", drop=True))
        assert not isinstance(lost.value, RequestNotSent | RequestTimeout)
        assert [m["value"] for m in server.received] == ["x", "y"], "both reached the venue"
    finally:
        await client.close()


async def test_not_connected_is_not_sent_and_the_client_reconnects(
    venue: tuple[Server, str],
) -> None:
    server, url = venue
    client = await _client(url)
    try:
        outcomes = WS_REQUESTS.labels("toy", "echo", "not_sent")
        before = outcomes._value.get()
        await server.sockets[0].close()
        while client.ready:  # noqa: ASYNC110 - waits for the client to see the close
            await asyncio.sleep(0.005)
        rid = client.next_id()
        with pytest.raises(RequestNotSent):
            await client.request("echo", rid, _message(rid, "lost"))
        assert outcomes._value.get() == before + 1
        await client.start(wait=2.0)  # already running: waits for the reconnection
        assert client.reconnects >= 1 and server.connections == 2
        assert client.protocol.logins == 2  # type: ignore[attr-defined]
        rid = client.next_id()
        assert json.loads(await client.request("echo", rid, _message(rid, "back")))["result"] == (
            "back"
        )
        assert [m["value"] for m in server.received] == ["back"]
    finally:
        await client.close()


async def test_requests_wait_for_rate_limit_capacity(venue: tuple[Server, str]) -> None:
    _, url = venue
    limiter = RateLimiter("toy", [Quota("orders", 2, 300, WindowKind.FIXED)])
    client = await _client(url, limiter=limiter)
    try:
        loop = asyncio.get_running_loop()
        started = loop.time()
        for n in range(3):
            rid = client.next_id()
            await client.request("echo", rid, _message(rid, str(n)), costs={"orders": 1})
        assert loop.time() - started >= 0.05, "the third request waited for the next window"
    finally:
        await client.close()


async def test_heartbeat_messages_keep_the_socket_and_a_refused_login_never_readies(
    venue: tuple[Server, str],
) -> None:
    server, url = venue
    client = await _client(url)
    try:
        await asyncio.sleep(0.2)
        assert server.pings >= 2
    finally:
        await client.close()

    class WrongKey(ToyApi):
        async def on_connect(self, connection: WsConnection) -> None:
            await connection.send(json.dumps({"op": "login", "key": "bad"}))
            if not json.loads(await connection.receive(1.0)).get("ok"):
                raise RuntimeError("login refused")

    refused = WsApiClient("toy", url, WrongKey(), backoff_base=0.01, backoff_max=0.02)
    try:
        with pytest.raises(RequestNotSent, match="not ready"):
            await refused.start(wait=0.2)
        assert not refused.ready
    finally:
        await refused.close()
