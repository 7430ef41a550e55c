"""Bybit's WebSocket protocol: subscribe messages and their acknowledgements."""

from __future__ import annotations

import msgspec

from lotusx.connectors.bybit.streams import PublicProtocol


def test_a_subscribe_acknowledgement_confirms_the_topics_its_req_id_asked_for() -> None:
    protocol = PublicProtocol()
    (first,) = protocol.subscribe_messages(["orderbook.50.BTCUSDT", "publicTrade.BTCUSDT"])
    (second,) = protocol.subscribe_messages(["tickers.ETHUSDT"])
    first_id = msgspec.json.decode(first)["req_id"]
    second_id = msgspec.json.decode(second)["req_id"]
    assert first_id != second_id

    def ack(req_id: str, success: bool = True) -> bytes:
        return msgspec.json.encode(
            {"success": success, "ret_msg": "", "conn_id": "c", "req_id": req_id, "op": "subscribe"}
        )

    assert protocol.confirmed(ack(second_id)) == ["tickers.ETHUSDT"]
    assert protocol.confirmed(ack(first_id, success=False)) == []  # refused: nothing is live
    assert protocol.confirmed(ack("unknown")) == []
    pong = b'{"success":true,"ret_msg":"pong","conn_id":"c","req_id":"","op":"ping"}'
    assert protocol.confirmed(pong) == []
    # Unsubscribing asks nothing to be confirmed.
    (unsub,) = protocol.unsubscribe_messages(["tickers.ETHUSDT"])
    assert protocol.confirmed(ack(msgspec.json.decode(unsub)["req_id"])) == []
