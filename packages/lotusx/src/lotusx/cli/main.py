"""``lotusx``: argument parsing and dispatch to one module per command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version

from lotusx.cli import book, demo, exchanges, latency, metrics, sim
from lotusx.cli.runtime import CliError, configure_logging

__all__ = ["build_parser", "main"]

_COMMANDS = (demo, exchanges, book, latency, sim, metrics)


def _version() -> str:
    try:
        return version("lotusx")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lotusx",
        description="LotusX: one typed, fast, observable API over many crypto exchanges.",
        epilog="Start with `lotusx demo` (offline, against simulated venues).",
    )
    parser.add_argument("--version", action="version", version=f"lotusx {_version()}")
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="library logs on stderr: -v info, -vv debug (default: warnings)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in _COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except CliError as exc:
        print(f"lotusx: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
