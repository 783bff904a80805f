"""staff console: staff passwords (argon2 hashes, the console's language) and sign-in sessions

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 16:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def _id() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True)


def _staff_id() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("staff_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "staff_passwords",
        _id(),
        _staff_id(),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("locale", sa.String(8), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_passwords"),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_members.id"], name="fk_staff_passwords_staff_id_staff_members", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_staff_passwords_staff_id", "staff_passwords", ["staff_id"], unique=True)
    op.create_table(
        "staff_sessions",
        _id(),
        sa.Column("token_hash", sa.String(64), nullable=False),
        _staff_id(),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_sessions"),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_members.id"], name="fk_staff_sessions_staff_id_staff_members", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("token_hash", name="uq_staff_sessions_token_hash"),
    )
    op.create_index("ix_staff_sessions_staff_id", "staff_sessions", ["staff_id"])
    op.create_index("ix_staff_sessions_expires_at", "staff_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_table("staff_sessions")
    op.drop_table("staff_passwords")
