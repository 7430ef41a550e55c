"""`nox -s bench`: LotusX beside ccxt, measured in one run on this machine; prints ratios."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import book_engine
from harness import Report


def main() -> None:
    import ccxt

    print(
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cpus, "
        f"ccxt {ccxt.__version__}"
    )
    report = Report()
    report.header()
    book_engine.run(report)


if __name__ == "__main__":
    main()
