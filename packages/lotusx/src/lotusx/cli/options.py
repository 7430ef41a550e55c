"""argparse value types shared by the commands (bad values exit 2 with a usage message)."""

from __future__ import annotations

import argparse

from lotusx.core.errors import InvalidSymbolError
from lotusx.core.types import Symbol

__all__ = ["csv_list", "listen_port", "port", "positive_float", "positive_int", "symbol"]


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be greater than 0")
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be greater than 0")
    return value


def port(text: str) -> int:
    """A TCP port; 0 means "disabled" (metrics) or "ephemeral" (sim)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)")
    return value


def listen_port(text: str) -> int:
    """A TCP port to listen on, 1-65535."""
    value = port(text)
    if value == 0:
        raise argparse.ArgumentTypeError("the port must be 1-65535")
    return value


def csv_list(text: str) -> list[str]:
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        raise argparse.ArgumentTypeError("expected a comma-separated list of names")
    return items


def symbol(text: str) -> Symbol:
    try:
        return Symbol.parse(text)
    except InvalidSymbolError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
