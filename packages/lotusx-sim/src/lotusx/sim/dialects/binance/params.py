"""Request parameters with Binance's validation errors."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TypeVar

from lotusx.sim.dialects.binance.errors import BinanceError, bad_symbol, mandatory
from lotusx.sim.market import MarketSpec

E = TypeVar("E", bound=StrEnum)
DECIMAL_RE = re.compile(r"^-?([0-9]{1,20})(\.[0-9]{1,20})?$")
INT_RE = re.compile(r"^-?[0-9]{1,20}$")
AUTH_PARAMS = frozenset({"signature", "timestamp", "recvWindow"})


class Params:
    """Query and body parameters merged (the query string wins on duplicates)."""

    def __init__(self, query: Iterable[tuple[str, str]], body: Iterable[tuple[str, str]]) -> None:
        self.values: dict[str, str] = {}
        for k, v in body:
            self.values[k] = v
        for k, v in query:
            self.values[k] = v
        self.read: set[str] = set(AUTH_PARAMS)

    def has(self, name: str) -> bool:
        return self.values.get(name, "") != ""

    def opt(self, name: str) -> str | None:
        self.read.add(name)
        value = self.values.get(name)
        return value if value not in (None, "") else None

    def req(self, name: str) -> str:
        value = self.opt(name)
        if value is None:
            raise mandatory(name)
        return value

    def decimal(self, name: str, required: bool = False) -> Decimal | None:
        raw = self.req(name) if required else self.opt(name)
        if raw is None:
            return None
        if not DECIMAL_RE.match(raw):
            raise BinanceError(
                -1100,
                f"Illegal characters found in parameter '{name}'; legal "
                "range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.",
            )
        try:
            return Decimal(raw)
        except InvalidOperation as exc:  # pragma: no cover - regex already guards
            raise mandatory(name) from exc

    def req_decimal(self, name: str) -> Decimal:
        value = self.decimal(name, required=True)
        assert value is not None
        return value

    def integer(self, name: str, default: int | None = None) -> int | None:
        raw = self.opt(name)
        if raw is None:
            return default
        if not INT_RE.match(raw):
            raise BinanceError(
                -1100,
                f"Illegal characters found in parameter '{name}'; legal "
                "range is '^[0-9]{1,20}$'.",
            )
        return int(raw)

    def boolean(self, name: str, default: bool = False) -> bool:
        raw = self.opt(name)
        if raw is None:
            return default
        if raw.lower() not in ("true", "false"):
            raise BinanceError(-1130, f"Data sent for parameter '{name}' is not valid.")
        return raw.lower() == "true"

    def choice(
        self, name: str, enum: type[E], code: int, msg: str, required: bool = True
    ) -> E | None:
        raw = self.req(name) if required else self.opt(name)
        if raw is None:
            return None
        try:
            return enum(raw)
        except ValueError:
            raise BinanceError(code, msg) from None

    def symbol(self, specs: dict[str, MarketSpec], required: bool = True) -> MarketSpec | None:
        raw = self.req("symbol") if required else self.opt("symbol")
        if raw is None:
            return None
        spec = specs.get(raw)
        if spec is None:
            raise bad_symbol()
        return spec

    def req_symbol(self, specs: dict[str, MarketSpec]) -> MarketSpec:
        spec = self.symbol(specs)
        assert spec is not None
        return spec

    def done(self) -> None:
        """Reject parameters the endpoint never read (-1104)."""
        sent = {k for k, v in self.values.items() if v != ""}
        unread = sent - self.read
        if unread:
            raise BinanceError(
                -1104,
                f"Not all sent parameters were read; read "
                f"'{len(sent) - len(unread)}' parameter(s) but was sent "
                f"'{len(sent)}'.",
            )
