"""Query-string and JSON-body parameters with Coinbase's INVALID_ARGUMENT errors."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from multidict import MultiDictProxy

from lotusx.sim.dialects.coinbase.errors import invalid

DECIMAL_RE = re.compile(r"^[0-9]+(\.[0-9]+)?$")


def decimal(raw: Any, name: str) -> Decimal:
    """A positive-or-zero decimal sent as a JSON string (Coinbase sends and takes strings)."""
    if not isinstance(raw, str) or not DECIMAL_RE.match(raw):
        raise invalid(f"invalid {name}")
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise invalid(f"invalid {name}") from None


class Query:
    """A GET query; repeated keys (`product_ids=A&product_ids=B`) are lists."""

    def __init__(self, query: MultiDictProxy[str] | Mapping[str, str]) -> None:
        self.query = query

    def opt(self, name: str) -> str | None:
        value = self.query.get(name)
        return value if value else None

    def many(self, name: str) -> list[str]:
        if isinstance(self.query, MultiDictProxy):
            values = self.query.getall(name, [])
        else:
            values = [self.query[name]] if name in self.query else []
        out: list[str] = []
        for v in values:
            out.extend(x for x in v.split(",") if x)
        return out

    def integer(self, name: str, default: int, low: int = 0, high: int = 2**31) -> int:
        raw = self.opt(name)
        if raw is None:
            return default
        if not raw.lstrip("-").isdigit() or not low <= int(raw) <= high:
            raise invalid(f"invalid {name}")
        return int(raw)
