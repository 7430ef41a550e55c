"""Process plumbing shared by the commands: logging, stop signals, metrics, running async code."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TextIO

import structlog

from lotusx.core.observability import serve_metrics

__all__ = [
    "CliError",
    "StopSignal",
    "configure_logging",
    "run",
    "start_metrics",
]


class CliError(Exception):
    """A user-facing failure: printed as ``lotusx: error: <message>``, exit code ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def configure_logging(verbosity: int, stream: TextIO | None = None) -> None:
    """Library logs go to stderr (stdout carries the command's output); warnings by default."""
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(stream or sys.stderr),
        cache_logger_on_first_use=False,
    )


class StopSignal:
    """Set on SIGINT/SIGTERM (Ctrl-C) so long-running commands can shut down cleanly."""

    def __init__(self) -> None:
        self.event = asyncio.Event()
        self.signal_name: str | None = None
        self._installed: list[signal.Signals] = []

    def install(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            # Not available on Windows event loops: KeyboardInterrupt is handled by `run`.
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self._on_signal, sig)
                self._installed.append(sig)

    def uninstall(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in self._installed:
            loop.remove_signal_handler(sig)
        self._installed.clear()

    def _on_signal(self, sig: signal.Signals) -> None:
        self.signal_name = sig.name
        self.event.set()

    async def wait(self, timeout: float | None = None) -> bool:
        """Wait until a stop signal or ``timeout`` seconds; True when a signal arrived."""
        try:
            await asyncio.wait_for(self.event.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def __enter__(self) -> StopSignal:
        self.install()
        return self

    def __exit__(self, *exc: object) -> None:
        self.uninstall()


def _free_port(addr: str) -> int:
    with socket.socket() as sock:
        sock.bind((addr, 0))
        port: int = sock.getsockname()[1]
        return port


def start_metrics(
    port: int | None, addr: str = "127.0.0.1", *, fallback: bool = False
) -> str | None:
    """Serve LotusX's Prometheus registry; the scrape URL, or None when ``port`` is 0/None.

    With ``fallback`` (the port is a default, not the user's choice), a busy port is replaced
    by a free one instead of failing.
    """
    if not port:
        return None
    try:
        serve_metrics(port, addr)
    except OSError as exc:
        if fallback:
            other = _free_port(addr)
            print(f"lotusx: port {port} is busy; serving metrics on {other}", file=sys.stderr)
            return start_metrics(other, addr)
        raise CliError(
            f"cannot serve metrics on {addr}:{port} ({exc.strerror or exc}); "
            "choose another --metrics-port or 0 to disable"
        ) from None
    return f"http://{addr}:{port}/metrics"


def run(factory: Callable[[], Coroutine[Any, Any, int]]) -> int:
    """Run a command's coroutine. Ctrl-C is the normal way to stop a live command: where the
    loop cannot handle SIGINT itself (Windows) the KeyboardInterrupt also ends it quietly, 0."""
    try:
        return asyncio.run(factory())
    except KeyboardInterrupt:
        return 0
