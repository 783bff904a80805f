"""catalog version: a counter raised by triggers on every catalog change, for the in-memory catalog

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-06 18:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0017"
branch_labels = None
depends_on = None

# Kept here rather than imported: a migration must not change when the application code does.
TABLES = ("categories", "products", "variants", "warehouses", "shipping_methods")
# An upsert, so that a table emptied by hand (TRUNCATE in tests) counts again from the next change.
BUMP = (
    "INSERT INTO catalog_version (id, version) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET version = catalog_version.version + 1"
)


def upgrade() -> None:
    op.create_table(
        "catalog_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_version")),
    )
    op.execute("INSERT INTO catalog_version (id, version) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION bump_catalog_version() RETURNS trigger AS $$ "
            f"BEGIN {BUMP}; RETURN NULL; END $$ LANGUAGE plpgsql"
        )
        for table in TABLES:  # once per statement, however many rows it changed
            op.execute(
                f"CREATE TRIGGER {table}_catalog_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version()"
            )
        return
    for table in TABLES:  # SQLite has row triggers only, one per kind of change
        for change in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_catalog_version_{change.lower()} AFTER {change} ON {table} BEGIN {BUMP}; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_catalog_version ON {table}")
        op.execute("DROP FUNCTION IF EXISTS bump_catalog_version()")
    else:
        for table in TABLES:
            for change in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_catalog_version_{change}")
    op.drop_table("catalog_version")
