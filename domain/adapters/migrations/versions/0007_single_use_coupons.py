"""single-use campaign coupons: coupons issued to one customer, personal codes on deliveries

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("coupons", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True)
        )
        batch_op.create_foreign_key("fk_coupons_customer_id_customers", "customers", ["customer_id"], ["id"])
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("single_use_coupons", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("campaign_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("coupon_code", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campaign_deliveries", schema=None) as batch_op:
        batch_op.drop_column("coupon_code")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("single_use_coupons")
    with op.batch_alter_table("coupons", schema=None) as batch_op:
        batch_op.drop_constraint("fk_coupons_customer_id_customers", type_="foreignkey")
        batch_op.drop_column("customer_id")
