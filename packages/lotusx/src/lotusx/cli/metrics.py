"""``lotusx metrics --port P``: serve LotusX's Prometheus registry until Ctrl-C.

Metrics are per process, so this only exposes what this process measures. To watch a live
command, give it ``--metrics-port`` instead (``lotusx demo`` serves on 9464 by default); in your
own application call `lotusx.core.observability.serve_metrics`.
"""

from __future__ import annotations

import argparse

from lotusx.cli.options import listen_port
from lotusx.cli.runtime import StopSignal, run, start_metrics

__all__ = ["add_parser", "run_metrics"]


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "metrics",
        help="serve the Prometheus registry (live commands take --metrics-port)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--port", type=listen_port, default=9464, help="port (default 9464)")
    p.add_argument("--addr", default="127.0.0.1", help="address (default 127.0.0.1)")
    p.set_defaults(handler=run_metrics)


def run_metrics(args: argparse.Namespace) -> int:
    return run(lambda: _serve(args))


async def _serve(args: argparse.Namespace) -> int:
    with StopSignal() as stop:
        url = start_metrics(args.port, args.addr)
        print(f"lotusx metrics: serving {url} (this process only; Ctrl-C stops)", flush=True)
        await stop.event.wait()
    print("lotusx metrics: stopped", flush=True)
    return 0
