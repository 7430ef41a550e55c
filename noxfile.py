"""Developer and CI sessions: ``nox -s lint typecheck tests`` is what `.ci/run` runs.

Sessions install the workspace packages in editable mode into their own virtualenv with uv
(falling back to virtualenv/pip), resolving no newer than ``[tool.uv] exclude-newer``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import nox

ROOT = Path(__file__).parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
EXCLUDE_NEWER = PYPROJECT["tool"]["uv"]["exclude-newer"]
GROUPS = PYPROJECT["dependency-groups"]

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["lint", "typecheck", "tests"]  # soak and bench run on demand
nox.options.reuse_existing_virtualenvs = True

# Dependencies first: core, the simulator, the connectors, then the meta-distribution.
_ORDER = {"lotusx-core": 0, "lotusx-sim": 1, "lotusx": 3}
PACKAGES = sorted(
    (str(p.parent.relative_to(ROOT)) for p in ROOT.glob("packages/*/pyproject.toml")),
    key=lambda path: (_ORDER.get(Path(path).name, 2), path),
)


def _install(session: nox.Session, *extra: str) -> None:
    editable = [arg for pkg in PACKAGES for arg in ("-e", pkg)]
    session.install(*editable, *extra, env={"UV_EXCLUDE_NEWER": EXCLUDE_NEWER})


@nox.session
def lint(session: nox.Session) -> None:
    """ruff lint and format check."""
    session.install(*GROUPS["lint"], env={"UV_EXCLUDE_NEWER": EXCLUDE_NEWER})
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over every package's sources."""
    _install(session, *GROUPS["typecheck"], *GROUPS["test"])
    session.run("mypy", *(f"{pkg}/src" for pkg in PACKAGES))


@nox.session
def tests(session: nox.Session) -> None:
    """Every package's unit tests and the integration suite, against the simulator."""
    _install(session, *GROUPS["test"])
    session.run("pytest", *session.posargs)


@nox.session
def integration(session: nox.Session) -> None:
    """End-to-end tests only (testnet ones run when LOTUSX_*_TESTNET_* keys are set)."""
    _install(session, *GROUPS["test"])
    session.run("pytest", "tests-integration", *session.posargs)


@nox.session
def conformance(session: nox.Session) -> None:
    """The connector conformance kit for every installed connector."""
    _install(session, *GROUPS["test"])
    session.run("pytest", "tests-integration/test_conformance.py", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Side-by-side benchmarks with ccxt (installed here only, never a product dependency)."""
    _install(session, *GROUPS["bench"])
    session.run("python", "bench/run.py", *session.posargs)


@nox.session
def soak(session: nox.Session) -> None:
    """Minutes of streaming and trading under random faults; not in CI (`-- --duration 300`)."""
    _install(session, *GROUPS["test"])
    session.run("python", "tests-integration/soak.py", *(session.posargs or ["--duration", "120"]))
