"""Wire ids: spot txids `OXXXXX-XXXXX-XXXXXX` / trade ids `TXXXXX-...`; futures UUIDs."""

from __future__ import annotations

import base64
import hashlib
import uuid

NS = uuid.UUID("6b1f0d2e-4c8a-4f7e-9a51-2d3c4b5a6f70")


def txid(prefix: str, label: str) -> str:
    raw = base64.b32encode(hashlib.sha256(label.encode()).digest()).decode()
    body = prefix + raw[:16]
    return f"{body[:6]}-{body[6:11]}-{body[11:17]}"


class Ids:
    """Engine ids to wire ids and back (only ids the venue handed out resolve back)."""

    def __init__(self) -> None:
        self._orders: dict[str, int] = {}

    def spot_order(self, order_id: int) -> str:
        wire = txid("O", f"order:{order_id}")
        self._orders[wire] = order_id
        return wire

    def futures_order(self, order_id: int) -> str:
        wire = str(uuid.uuid5(NS, f"order:{order_id}"))
        self._orders[wire] = order_id
        return wire

    def order_id(self, wire: str) -> int | None:
        return self._orders.get(wire)

    @staticmethod
    def spot_trade(symbol: str, trade_id: int, order_id: int) -> str:
        return txid("T", f"trade:{symbol}:{trade_id}:{order_id}")

    @staticmethod
    def futures_fill(symbol: str, trade_id: int, order_id: int) -> str:
        return str(uuid.uuid5(NS, f"fill:{symbol}:{trade_id}:{order_id}"))

    @staticmethod
    def public_trade(symbol: str, trade_id: int) -> str:
        return str(uuid.uuid5(NS, f"trade:{symbol}:{trade_id}"))
