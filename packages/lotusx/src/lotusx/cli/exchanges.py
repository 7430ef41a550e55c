"""``lotusx exchanges``: installed connectors and their capability matrix."""

from __future__ import annotations

import argparse

from lotusx.cli.render import capability_matrix, emulation_notes, make_console
from lotusx.cli.runtime import CliError
from lotusx.cli.venues import installed, simulated
from lotusx.core import registry
from lotusx.core.connector import Connector
from lotusx.core.errors import LotusXError

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "exchanges",
        help="installed connectors and their capability matrix",
        description="List the installed connectors and which capabilities each one supports.",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    names = installed()
    if not names:
        raise CliError(
            'no connectors are installed; install one, e.g. python -m pip install "lotusx[binance]"'
        )
    matrix: dict[str, type[Connector]] = {}
    broken: list[str] = []
    for name in names:
        try:
            matrix[name] = registry.load(name)
        except (LotusXError, ImportError) as exc:
            broken.append(f"{name}: {exc}")
    console = make_console()
    if matrix:
        console.print(capability_matrix(console, matrix))
        for note in emulation_notes(matrix):
            console.print(note)
        transports = ", ".join(
            f"{name} {'+'.join(sorted(t.value for t in cls.order_transports))}"
            for name, cls in matrix.items()
        )
        console.print(f"order transports (order_transport=...): {transports}")
    sims = simulated()
    console.print(f"installed connectors: {', '.join(names)}")
    console.print(f"with a simulated venue (lotusx demo, --sim): {', '.join(sims) or 'none'}")
    for line in broken:
        console.print(f"cannot load connector {line}", style="red")
    return 1 if broken else 0
