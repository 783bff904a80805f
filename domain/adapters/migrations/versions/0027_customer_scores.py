"""customer scores: churn risk and expected value per customer, replaced by each scoring run

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 21:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_scores",
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False),
        sa.Column("churn_risk", sa.Float(), nullable=False),
        sa.Column("expected_value_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("model", sa.String(length=40), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_customer_scores_customer_id_customers", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("customer_id", name="pk_customer_scores"),
    )
    op.create_index("ix_customer_scores_risk_value", "customer_scores", ["churn_risk", "expected_value_minor"])


def downgrade() -> None:
    op.drop_index("ix_customer_scores_risk_value", table_name="customer_scores")
    op.drop_table("customer_scores")
