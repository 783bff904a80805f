"""What every table module shares: the one ``metadata`` (with its naming convention), the mapper registry,
and the column types and helpers (aware UTC datetimes, JSON, enums as strings, id and foreign-key columns).

Table modules import from here, never from ``orm`` (which imports them), so there is no import cycle."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Enum, ForeignKey, Integer, MetaData
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import registry
from sqlalchemy.types import TypeDecorator

from domain.model.staff import Role

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)
# JSONB on PostgreSQL (comparable, indexable), JSON text on SQLite.
JSONType = JSON().with_variant(JSONB(), "postgresql")
mapper_registry = registry(metadata=metadata)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite would otherwise hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; the domain works in aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class RoleType(TypeDecorator[Role]):
    """Staff roles stored as their integer rank, so "at least approver" is a plain comparison."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: Role | int | None, dialect: Dialect) -> int | None:
        return None if value is None else int(value)

    def process_result_value(self, value: int | None, dialect: Dialect) -> Role | None:
        return None if value is None else Role(value)


def _enum(cls: Any, name: str) -> Enum:
    # Stored as VARCHAR + CHECK-free so adding a state later needs no type migration on PostgreSQL.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )


def _pk() -> Column[Any]:
    return Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)


def _fk(name: str, target: str, nullable: bool = False, index: bool = True, ondelete: str | None = None) -> Column[Any]:
    return Column(
        name,
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey(target, ondelete=ondelete),
        nullable=nullable,
        index=index,
    )
