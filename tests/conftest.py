from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from chatshop.bootstrap import Shop, build_shop
from chatshop.settings import Settings
from domain.adapters.db import create_engine
from domain.adapters.migrate import upgrade
from domain.adapters.orm import metadata
from tests.support.clock import FakeClock
from tests.support.services import postgres_url
from tests.support.shopdata import SmallShop

_migrated_pg: set[str] = set()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating each time would be slow)."""
    path = tmp_path_factory.mktemp("template") / "shop.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


async def reset_postgres(url: str) -> None:
    if url not in _migrated_pg:
        engine = create_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
        await asyncio.to_thread(upgrade, url)
        _migrated_pg.add(url)
    engine = create_engine(url)
    async with engine.begin() as conn:
        names = ", ".join(t.name for t in metadata.sorted_tables)
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "shop.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"
    url = postgres_url()
    await reset_postgres(url)
    return url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def shop(database_url: str, clock: FakeClock) -> AsyncIterator[Shop]:
    settings = Settings(database_url=database_url, _env_file=None)  # type: ignore[call-arg]
    built = build_shop(settings, clock=clock)
    yield built
    await built.close()


@pytest.fixture
async def small(shop: Shop) -> SmallShop:
    return await SmallShop(shop).build()
