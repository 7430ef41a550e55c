"""`python -m lotusx.sim --venue binance --port 8080`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from lotusx.sim.dialect import available
from lotusx.sim.server import serve


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="lotusx.sim", description="Run simulated exchange venues.")
    p.add_argument(
        "--venue",
        action="append",
        choices=available(),
        required=True,
        help="venue to run (repeatable)",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080, help="first port; venues use consecutive")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--api-key")
    p.add_argument("--secret")
    p.add_argument("--passphrase")
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve(
                args.venue,
                args.host,
                args.port,
                args.seed,
                args.api_key,
                args.secret,
                args.passphrase,
            )
        )


if __name__ == "__main__":
    main()
