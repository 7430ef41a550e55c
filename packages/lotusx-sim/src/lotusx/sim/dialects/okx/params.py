"""Request parameters (query string or JSON object) with OKX's validation errors."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from lotusx.sim.dialects.okx.errors import OkxError, empty, no_instrument, param
from lotusx.sim.dialects.okx.markets import Inst

DECIMAL_RE = re.compile(r"^[0-9]+(\.[0-9]+)?$")
INT_RE = re.compile(r"^[0-9]{1,20}$")


class Params:
    """One request's (or one batch item's) parameters; values are compared as strings."""

    def __init__(self, values: Mapping[str, Any], item_errors: bool = False) -> None:
        self.values = {k: v for k, v in values.items() if v is not None}
        self.item_errors = item_errors

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
            raise empty(name)
        return value

    def decimal(self, name: str, required: bool = False) -> Decimal | None:
        raw = self.req(name) if required else self.opt(name)
        if raw is None:
            return None
        if not DECIMAL_RE.match(raw):
            raise param(name)
        try:
            return Decimal(raw)
        except InvalidOperation:  # pragma: no cover - the regex guards
            raise param(name) from None

    def req_decimal(self, name: str) -> Decimal:
        value = self.decimal(name, required=True)
        assert value is not None
        return value

    def integer(self, name: str, default: int | None = None) -> int | None:
        raw = self.opt(name)
        if raw is None:
            return default
        if not INT_RE.match(raw):
            raise param(name)
        return int(raw)

    def limit(self, default: int, maximum: int) -> int:
        value = self.integer("limit", default)
        assert value is not None
        if value < 1:
            raise param("limit")
        return min(value, maximum)

    def boolean(self, name: str) -> bool:
        raw = self.opt(name)
        if raw is None:
            return False
        if raw not in ("true", "false"):
            raise param(name)
        return raw == "true"

    def choice(self, name: str, allowed: tuple[str, ...], default: str | None = None) -> str:
        raw = self.opt(name)
        if raw is None:
            if default is not None:
                return default
            raise empty(name)
        if raw not in allowed:
            raise param(name)
        return raw

    def inst(self, insts: Mapping[str, Inst], name: str = "instId") -> Inst:
        raw = self.req(name)
        found = insts.get(raw)
        if found is None:
            raise no_instrument()
        return found

    def opt_inst(self, insts: Mapping[str, Inst], name: str = "instId") -> Inst | None:
        return self.inst(insts, name) if self.opt(name) is not None else None

    def inst_type(self, allowed: tuple[str, ...] = ("SPOT", "SWAP"), required: bool = True) -> str:
        raw = self.opt("instType")
        if raw is None:
            if required:
                raise empty("instType")
            return ""
        if raw not in allowed:
            raise OkxError("51000", "Parameter instType error", 400)
        return raw
