"""Request parameters of either API: form-encoded or JSON, with Kraken's argument errors."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qsl

import msgspec

DECIMAL_RE = re.compile(r"^[+]?[0-9]*\.?[0-9]+$")


def plain(value: Any) -> str:
    """A JSON value as text; floats without exponent (5e-05 -> "0.00005")."""
    if isinstance(value, float):
        return f"{Decimal(repr(value)):f}"
    return str(value)


def plain_decimals(value: Any, *, text: bool = False) -> Any:
    """``value`` with every Decimal written out in plain digits (``0.0000001``, never
    ``1E-7``): as a JSON number (msgspec would print the exponent form), or as a string."""
    if isinstance(value, Decimal):
        digits = f"{value:f}"
        return digits if text else msgspec.Raw(digits.encode())
    if isinstance(value, dict):
        return {k: plain_decimals(v, text=text) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_decimals(v, text=text) for v in value]
    return value


def parse_body(raw: str, content_type: str) -> dict[str, Any] | None:
    """Form or JSON body as a dict; None when it is neither."""
    if not raw:
        return {}
    if "json" in content_type:
        try:
            parsed = json.loads(raw)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None
    return dict(parse_qsl(raw, keep_blank_values=True))


class Params:
    """Named arguments; `fail(name)` builds the exception a bad or missing one raises."""

    def __init__(self, values: Mapping[str, Any], fail: Callable[[str], Exception]) -> None:
        self.values = dict(values)
        self.fail = fail

    def opt(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        return plain(value)

    def req(self, name: str) -> str:
        value = self.opt(name)
        if value is None:
            raise self.fail(name)
        return value

    def decimal(self, name: str, required: bool = True) -> Decimal | None:
        raw = self.opt(name)
        if raw is None:
            if required:
                raise self.fail(name)
            return None
        if not DECIMAL_RE.match(raw):
            raise self.fail(name)
        try:
            return Decimal(raw)
        except InvalidOperation:
            raise self.fail(name) from None

    def integer(self, name: str, default: int | None = None) -> int | None:
        raw = self.opt(name)
        if raw is None:
            return default
        if not raw.lstrip("-").isdigit():
            raise self.fail(name)
        return int(raw)

    def flag(self, name: str) -> bool:
        raw = self.opt(name)
        if raw is None:
            return False
        if raw.lower() not in ("true", "false"):
            raise self.fail(name)
        return raw.lower() == "true"

    def listed(self, name: str) -> list[str]:
        value = self.values.get(name)
        if value is None or value == "":
            return []
        if isinstance(value, list):
            return [str(v) for v in value]
        return [v for v in str(value).split(",") if v]
