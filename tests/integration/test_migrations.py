"""The Alembic migrations build exactly the schema the ORM mapping describes, on both databases."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from domain.adapters.db import create_engine
from domain.adapters.orm import metadata


def _schema_differences(connection: Any) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": False})
    return compare_metadata(context, metadata)


async def test_migrating_to_head_gives_the_schema_the_orm_maps(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            differences = await conn.run_sync(_schema_differences)
    finally:
        await engine.dispose()
    assert differences == [], "write a migration for: " + repr(differences)
