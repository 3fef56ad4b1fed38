"""pytest glue for the backend tests: ``async def test_*`` run under asyncio.run (no plugin
needed), and an ``app_factory`` fixture that builds apps and closes them after the test."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator
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
        asyncio.run(asyncio.wait_for(pyfuncitem.obj(**kwargs), 60))
        return True
    return None


@pytest.fixture
def app_factory(tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """``app_factory(**config_changes)``; also ``config=``, ``clock=``, ``answerer_obj=``."""
    apps: list[Any] = []

    from backend.app import create_app  # imported late: see pytest_configure

    def build(
        config: Any = None, clock: Any = None, answerer_obj: Any = None, **changes: Any
    ) -> Any:
        cfg = config if config is not None else make_config(tmp_path, **changes)
        app = create_app(cfg, clock=clock, answerer=answerer_obj)
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.state.backend.close()
