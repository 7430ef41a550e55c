"""The ``cli`` fixture: run the ``lotusx`` command line as a subprocess of this interpreter."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import structlog


class Cli:
    """``python -m lotusx.cli ARGS`` (no reliance on PATH), UTF-8, unbuffered, no LOTUSX_ keys."""

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "lotusx.cli", *args]

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LOTUSX_")}
        env["PYTHONIOENCODING"] = "utf-8"
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def run(self, *args: str, timeout: float = 20.0) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args),
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=self.env(),
            timeout=timeout,
            check=False,
        )

    def popen(self, *args: str, **kwargs: Any) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(*args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=self.env(),
            **kwargs,
        )

    @staticmethod
    def free_port() -> int:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
            return port


@pytest.fixture(scope="session")
def cli() -> Cli:
    return Cli()


@pytest.fixture(autouse=True)
def _restore_structlog() -> Iterator[None]:
    """``main()`` configures structlog for the process; undo that for other packages' tests."""
    saved = structlog.get_config()
    yield
    structlog.configure(**saved)
