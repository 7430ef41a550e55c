"""Request parameters (query string or JSON object) with Bybit's validation errors."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from lotusx.sim.dialects.bybit.errors import BybitError, bad_symbol, param
from lotusx.sim.market import MarketSpec

DECIMAL_RE = re.compile(r"^[0-9]+(\.[0-9]+)?$")
CATEGORIES = ("spot", "linear", "inverse", "option")


class Params:
    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = {k: v for k, v in values.items() if v is not None}

    def opt(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def req(self, name: str) -> str:
        value = self.opt(name)
        if value is None:
            raise param(f"{name} is required")
        return value

    def decimal(self, name: str, required: bool = False) -> Decimal | None:
        raw = self.req(name) if required else self.opt(name)
        if raw is None:
            return None
        if not DECIMAL_RE.match(raw):
            raise param(f"{name} invalid")
        return Decimal(raw)

    def req_decimal(self, name: str) -> Decimal:
        value = self.decimal(name, required=True)
        assert value is not None
        return value

    def integer(self, name: str, default: int | None = None) -> int | None:
        raw = self.opt(name)
        if raw is None:
            return default
        if not raw.isdigit():
            raise param(f"{name} invalid")
        return int(raw)

    def limit(self, default: int, maximum: int) -> int:
        value = self.integer("limit", default)
        assert value is not None
        if not 1 <= value <= maximum:
            raise param("limit invalid")
        return value

    def boolean(self, name: str) -> bool:
        raw = self.opt(name)
        if raw is None:
            return False
        if raw not in ("true", "false", "1", "0"):
            raise param(f"{name} invalid")
        return raw in ("true", "1")

    def category(self, allowed: tuple[str, ...] = ("spot", "linear")) -> str:
        raw = self.opt("category")
        if raw is None:
            raise param("category is required")
        if raw not in CATEGORIES:
            raise param("category invalid")
        if raw not in allowed:
            raise BybitError(10001, f"params error: category {raw} not supported")
        return raw

    def symbol(self, specs: Mapping[str, MarketSpec], category: str) -> MarketSpec:
        raw = self.req("symbol")
        spec = specs.get(raw)
        if spec is None:
            raise bad_symbol(category)
        return spec

    def opt_symbol(self, specs: Mapping[str, MarketSpec], category: str) -> MarketSpec | None:
        return self.symbol(specs, category) if self.opt("symbol") is not None else None
