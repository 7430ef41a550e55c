"""Connector discovery through the ``lotusx.connectors`` entry-point group."""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from typing import Any

from lotusx.core.connector import Connector
from lotusx.core.errors import ConfigurationError

__all__ = ["available", "connect", "load"]

GROUP = "lotusx.connectors"


def available() -> dict[str, EntryPoint]:
    """Installed connectors by name."""
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def load(name: str) -> type[Connector]:
    """The connector class registered as ``name``."""
    found = available()
    ep = found.get(name)
    if ep is None:
        installed = ", ".join(sorted(found)) or "none"
        raise ConfigurationError(
            f"unknown exchange {name!r}; installed connectors: {installed} "
            f'(pip install "lotusx[{name}]")'
        )
    cls = ep.load()
    if not (isinstance(cls, type) and issubclass(cls, Connector)):
        raise ConfigurationError(f"entry point {name!r} ({ep.value}) is not a Connector class")
    return cls


def connect(name: str, **config: Any) -> Connector:
    """A configured, not yet opened connector: ``async with connect("binance") as ex: ...``."""
    return load(name)(**config)
