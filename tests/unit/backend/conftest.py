"""pytest glue for the backend tests: ``async def test_*`` run under asyncio.run (no plugin
needed), an ``app_factory`` fixture that builds apps and closes them after the test, and the
databases they run on.

``database`` is parametrised ``[sqlite]`` / ``[postgresql]``: a test (or a module, with
``pytestmark = pytest.mark.usefixtures("database")``) that asks for it runs on both, and
``app_factory`` then builds its apps on that database. PostgreSQL is one throwaway cluster for
the whole run (`devtools.postgres`), started when the first test needs it, with a fresh
database per test. Missing PostgreSQL binaries fail those tests with the install hint: CI
(``.ci/run``) installs them, so a skip would hide a broken setup."""

from __future__ import annotations

import asyncio
import inspect
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ._support import make_config


def pytest_configure(config: Any) -> None:
    # Importing the ChatKit SDK warns about its own widget classes; not ours to fix.
    config.addinivalue_line(
        "filterwarnings", "ignore:Direct usage of named widget classes:DeprecationWarning"
    )


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: Any) -> bool | None:
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        kwargs = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        factory = pyfuncitem.funcargs.get("app_factory")

        async def run() -> None:
            try:
                await asyncio.wait_for(pyfuncitem.obj(**kwargs), 60)
            finally:
                if factory is not None:
                    # In the test's loop, which PostgreSQL pools belong to.
                    await factory.aclose()

        asyncio.run(run())
        return True
    return None


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    from devtools.postgres import INSTALL_HINT, ThrowawayPostgres, available

    if not available():
        pytest.fail(f"PostgreSQL server binaries not found; {INSTALL_HINT}")
    with ThrowawayPostgres() as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: Any) -> Iterator[str | None]:
    """The test's ``Config.database_url``: None (SQLite in the data dir) or a fresh
    PostgreSQL database, dropped after the test."""
    if request.param == "sqlite":
        yield None
        return
    cluster = request.getfixturevalue("postgres")
    name = f"test_{next(_DATABASES)}"
    # Through asyncpg rather than `cluster.psql`: no client process per statement, which
    # halves the cost of a fresh database (~0.1 s, ~90 of them per run).
    _admin(cluster, f"CREATE DATABASE {name}")
    yield cluster.url(name)
    _admin(cluster, f"DROP DATABASE {name} WITH (FORCE)")


_DATABASES = itertools.count(1)


def _admin(cluster: Any, sql: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(cluster.url())
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


class AppFactory:
    """``app_factory(**config_changes)``; also ``config=``, ``clock=``, ``answerer_obj=``."""

    def __init__(self, tmp_path: Path, database_url: str | None) -> None:
        self.tmp_path = tmp_path
        self.database_url = database_url
        self.apps: list[Any] = []

    def config(self, **changes: Any) -> Any:
        """A `make_config` on this test's database."""
        return make_config(self.tmp_path, **{"database_url": self.database_url, **changes})

    def __call__(
        self, config: Any = None, clock: Any = None, answerer_obj: Any = None, **changes: Any
    ) -> Any:
        from backend.app import create_app  # imported late: see pytest_configure

        app = create_app(
            config if config is not None else self.config(**changes),
            clock=clock,
            answerer=answerer_obj,
        )
        self.apps.append(app)
        return app

    async def aclose(self) -> None:
        for app in self.apps:
            await app.state.backend.aclose()

    def close(self) -> None:
        for app in self.apps:
            app.state.backend.close()


@pytest.fixture
def app_factory(request: Any, tmp_path: Path) -> Iterator[AppFactory]:
    """Apps on the test's ``database`` when it asks for one (else SQLite), closed after it."""
    url = request.getfixturevalue("database") if "database" in request.fixturenames else None
    factory = AppFactory(tmp_path, url)
    yield factory
    factory.close()
