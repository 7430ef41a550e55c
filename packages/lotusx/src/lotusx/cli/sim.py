"""``lotusx sim``: run simulated venues standalone (delegates to `lotusx.sim.server.serve`)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

from lotusx.cli.options import port
from lotusx.cli.runtime import CliError, StopSignal, run
from lotusx.sim import Venue
from lotusx.sim.server import serve

__all__ = ["add_parser", "run_sim"]


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "sim",
        help="run simulated exchange venues on loopback",
        description=(
            "Run simulated venues speaking each exchange's wire protocol and print their URLs "
            "and API credentials; point a connector at them with urls=... . Venues with several "
            "hosts (e.g. binance spot and futures) use consecutive ports. Ctrl-C stops."
        ),
    )
    p.add_argument(
        "--venue",
        action="append",
        choices=Venue.available(),
        required=True,
        help="venue to run (repeatable)",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument(
        "--port",
        type=port,
        default=8080,
        help="first port; further hosts use the next ones (default 8080; 0: any)",
    )
    p.add_argument("--seed", type=int, default=7, help="market simulation seed (default 7)")
    p.add_argument("--api-key", help="API key of the main account (default: random)")
    p.add_argument("--secret", help="API secret of the main account (default: random)")
    p.add_argument("--passphrase", help="passphrase, for venues that use one (default: random)")
    p.set_defaults(handler=run_sim)


def run_sim(args: argparse.Namespace) -> int:
    return run(lambda: _serve(args))


async def _serve(args: argparse.Namespace) -> int:
    venues: list[str] = list(dict.fromkeys(args.venue))
    with StopSignal() as stop:
        server = asyncio.create_task(
            serve(
                venues,
                args.host,
                args.port,
                args.seed,
                args.api_key,
                args.secret,
                args.passphrase,
                out=sys.stdout,
            )
        )
        stopper = asyncio.create_task(stop.event.wait())
        await asyncio.wait({server, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        if server.done():  # serve only returns by failing (e.g. the port is taken)
            try:
                server.result()
            except OSError as exc:
                raise CliError(
                    f"cannot start {', '.join(venues)} on {args.host}:{args.port}: "
                    f"{exc.strerror or exc}"
                ) from None
            return 1
        server.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server
    print("lotusx sim: stopped", flush=True)
    return 0
