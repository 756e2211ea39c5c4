"""A throwaway PostgreSQL for the tests, and `--engine postgresql` to run suites on it.

    .venv/bin/python -m pytest -q --engine postgresql tests/test_storage.py

The server is started once per session (`initdb` and `pg_ctl` into a temporary folder, on
127.0.0.1 and a free port, fsync off; removed at the end), from Debian's binaries
(`/usr/lib/postgresql/*/bin`, the `postgresql` package) or whatever `initdb` is on PATH;
PostgreSQL refuses to run as root, so as root it runs as the `postgres` user the package
creates. Without the binaries the tests that need it are skipped, saying so.

With `--engine postgresql` every `Database(path)` a test opens becomes a fresh PostgreSQL
database of its own (one per path, so a test that reopens a file reopens the same database),
and so does the `DATABASE_URL` of a bot started as a process (tests/fakes/process.py).
Tests that are about SQLite itself (its files, `PRAGMA`s, backups, upgrades from files of old
versions) are marked `sqlite_only` and skipped there.
"""

from __future__ import annotations

import asyncio
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from storage import db as storage_db

ENGINES = ("sqlite", "postgresql")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--engine",
        choices=ENGINES,
        default=os.environ.get("PARTYBOT_TEST_ENGINE", "sqlite"),
        help="the database engine the tests' Database(...) opens (default: sqlite)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only(reason): about SQLite itself; skipped with --engine postgresql"
    )
    config.addinivalue_line(
        "markers",
        "postgres_phase: always on PostgreSQL and slow; run only with --engine postgresql"
        " (.ci/run's PostgreSQL phase), skipped in the SQLite run",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--engine") != "postgresql":
        for item in items:
            if item.get_closest_marker("postgres_phase") is not None:
                item.add_marker(pytest.mark.skip(reason="runs with --engine postgresql"))
        return
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None:
            reason = marker.args[0] if marker.args else "about SQLite itself"
            item.add_marker(pytest.mark.skip(reason=f"sqlite only: {reason}"))


def binaries() -> Path | None:
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(folder, "initdb").exists():
            return Path(folder)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One PostgreSQL cluster in a temporary folder; `url(name)` for a database in it."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="partybot-pg-"))
        self.port = _free_port()
        self._names = itertools.count(1)
        self._migrated = False
        # PostgreSQL will not run as root: then as the user Debian's package made for it.
        self._as: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as, *args], check=True, capture_output=True, text=True)

    def start(self) -> None:
        data = self.folder / "data"
        self._run(
            str(self.bin / "initdb"), "-D", str(data), "-U", "partybot", "--auth=trust",
            "-E", "UTF8", "--no-locale", "--no-sync",
        )  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -k {self.folder}"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            " -c max_connections=300"
        )
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(data), "-o", options,
            "-l", str(self.folder / "log"), "-w", "start",
        )  # fmt: skip

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate",
                      "stop")  # fmt: skip
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://partybot@127.0.0.1:{self.port}/{database}"

    async def new_database(self, *, migrated: bool = False) -> str:
        """The URL of a new database: empty, or `migrated` to the latest schema (a copy of
        one migrated once, which is ten times faster than migrating each)."""

        if migrated:
            await self._migrate_template()
        name = f"test{next(self._names)}"
        await self._create(name, "latest" if migrated else "template0")
        return self.url(name)

    async def _migrate_template(self) -> None:
        if not self._migrated:
            await self._create("latest", "template0")
            await (await storage_db.Database(self.url("latest")).open()).close()
            self._migrated = True

    def new_database_now(self, *, migrated: bool = False) -> str:
        """The same without an event loop (by `createdb`), for a synchronous caller."""
        if migrated and not self._migrated:
            # The caller's thread may be inside a running loop: the template in a thread.
            with ThreadPoolExecutor(1) as pool:
                pool.submit(asyncio.run, self._migrate_template()).result()
        name = f"test{next(self._names)}"
        subprocess.run(
            [str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
             "partybot", "-T", "latest" if migrated else "template0", name],
            check=True, capture_output=True,
        )  # fmt: skip
        return self.url(name)

    async def _create(self, name: str, template: str) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.url())
        try:
            await conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
        finally:
            await conn.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    bin_dir = binaries()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    server = Server(bin_dir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def postgres_url(postgres_server: Server) -> str:
    """A new, empty PostgreSQL database for this test."""
    return await postgres_server.new_database()


@pytest.fixture(autouse=True)
def _engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.config.getoption("--engine") != "postgresql":
        return
    server: Server = request.getfixturevalue("postgres_server")
    urls: dict[Path, str] = {}  # this test's SQLite paths and the databases standing in
    original_init = storage_db.Database.__init__
    original_open = storage_db.Database.open

    def init(self: storage_db.Database, target: Path | str) -> None:
        original_init(self, target)
        if self.url is None:
            self._stand_in = self.path.resolve()

    async def open_(self: storage_db.Database, *, migrate: bool = True) -> storage_db.Database:
        stand_in = getattr(self, "_stand_in", None)
        if stand_in is not None and self.url is None:
            if stand_in not in urls:
                urls[stand_in] = await server.new_database(migrated=migrate)
            self.url = urls[stand_in]
        return await original_open(self, migrate=migrate)

    monkeypatch.setattr(storage_db.Database, "__init__", init)
    monkeypatch.setattr(storage_db.Database, "open", open_)

    # The bot as a process: the same stand-in, through its DATABASE_URL.
    from tests.fakes.process import BotProcess

    original_start = BotProcess.start

    async def start(self: BotProcess) -> None:
        url = self.env.get("DATABASE_URL", "")
        if url.startswith("sqlite:///"):
            stand_in = (self.data / url.removeprefix("sqlite:///")).resolve()
            if stand_in not in urls:
                urls[stand_in] = await server.new_database(migrated=True)
            self.env |= {"DATABASE_URL": urls[stand_in], "DATA_DIR": str(self.data)}
        await original_start(self)

    monkeypatch.setattr(BotProcess, "start", start)

    # `partybot …` run by tests/test_cli.partybot: the same, created at once (the call is
    # synchronous, so by `createdb`).
    from tests import test_cli

    original_environment = test_cli.environment

    def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
        env = original_environment(tmp_path, **extra)
        url = env["DATABASE_URL"]
        if url.startswith("sqlite:///"):
            stand_in = (tmp_path / url.removeprefix("sqlite:///")).resolve()
            if stand_in not in urls:
                urls[stand_in] = server.new_database_now(migrated=True)
            env |= {"DATABASE_URL": urls[stand_in], "DATA_DIR": str(stand_in.parent)}
        return env

    monkeypatch.setattr(test_cli, "environment", environment)
