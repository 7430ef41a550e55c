"""Helpers shared by the connectors' ``wire.py`` modules (payload shapes to LotusX types)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TypeVar

from lotusx.core.errors import ExchangeError

__all__ = ["WireCheck"]

V = TypeVar("V")


class WireCheck:
    """Errors for payloads that decoded but break an exchange's documented values."""

    __slots__ = ("exchange",)

    def __init__(self, exchange: str) -> None:
        self.exchange = exchange

    def unexpected(self, message: str) -> ExchangeError:
        """An `ExchangeError` naming the exchange, raised where a value makes no sense."""
        return ExchangeError(message, exchange=self.exchange, endpoint="decode")

    def positive(self, value: Decimal, what: str) -> Decimal:
        """``value`` if finite and above zero (an order's size, a limit price), else
        `unexpected` naming ``what``."""
        if value.is_finite() and value > 0:
            return value
        raise self.unexpected(f"{what} {value} is not a positive amount")

    def not_negative(self, value: Decimal, what: str) -> Decimal:
        """``value`` if finite and not below zero (a filled size), else `unexpected`."""
        if value.is_finite() and value >= 0:
            return value
        raise self.unexpected(f"{what} {value} is not a size")

    def lookup(self, table: Mapping[str, V], value: str, what: str) -> V:
        """``table[value]``, or `unexpected` naming ``what`` was not one of the known values."""
        found = table.get(value)
        if found is None:
            raise self.unexpected(f"unknown {what} {value!r}")
        return found
