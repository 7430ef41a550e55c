"""Finding connectors and opening them, against real endpoints or an embedded simulated venue."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from lotusx.cli.runtime import CliError
from lotusx.core import registry
from lotusx.core.connector import Connector
from lotusx.core.errors import LotusXError
from lotusx.sim import Venue

__all__ = ["Session", "installed", "open_session", "require_installed", "simulated"]


@dataclass(frozen=True, slots=True)
class Session:
    """An open connector and, with ``--sim``, the venue it talks to."""

    name: str
    connector: Connector
    venue: Venue | None

    @property
    def where(self) -> str:
        if self.venue is not None:
            return f"simulated venue at {self.venue.rest_url}"
        return "testnet" if self.connector.testnet else "mainnet"


def installed() -> list[str]:
    """Names of the installed connectors (``lotusx.connectors`` entry points)."""
    return sorted(registry.available())


def simulated() -> list[str]:
    """Installed connectors that the simulator can stand in for."""
    return sorted(set(installed()) & set(Venue.available()))


def require_installed(name: str) -> None:
    found = installed()
    if not found:
        raise CliError(
            'no connectors are installed; install one, e.g. python -m pip install "lotusx[binance]"'
        )
    if name not in found:
        raise CliError(
            f"unknown exchange {name!r}; installed connectors: {', '.join(found)} "
            f'(python -m pip install "lotusx[{name}]")'
        )


async def _open(connector: Connector) -> None:
    """``connector.open()``, closing what it opened when it fails part way (e.g. no network)."""
    try:
        await connector.open()
    except BaseException:
        with contextlib.suppress(Exception):
            await connector.close()
        raise


@asynccontextmanager
async def open_session(
    name: str, *, sim: bool = False, testnet: bool = False, seed: int = 7
) -> AsyncIterator[Session]:
    """Open connector ``name``; with ``sim``, against a venue started in this process."""
    require_installed(name)
    if sim and testnet:
        raise CliError("--sim and --testnet cannot be combined", code=2)
    if sim and name not in Venue.available():
        raise CliError(
            f"the simulator has no {name!r} venue; simulated: {', '.join(Venue.available())}"
        )
    async with AsyncExitStack() as stack:
        venue: Venue | None = None
        try:
            if sim:
                venue = await stack.enter_async_context(Venue.start(name, port=0, seed=seed))
                connector = registry.connect(
                    name,
                    api_key=venue.api_key,
                    secret=venue.secret,
                    passphrase=venue.passphrase,
                    urls=venue.urls,
                )
            else:
                connector = registry.connect(name, testnet=testnet)
            await _open(connector)
            stack.push_async_callback(connector.close)
        except LotusXError as exc:
            raise CliError(f"{name}: {exc}") from None
        except OSError as exc:
            raise CliError(f"{name}: cannot connect: {exc}") from None
        yield Session(name, connector, venue)
