"""coupon redemptions numbered per customer, unique while not voided

A shared code (WELCOME10) used to be row-locked at every checkout to count a customer's uses; each live
redemption now carries which of the customer's allowed uses it is, and a partial unique index keeps two
checkouts from taking the same one, so the coupon row is only touched by one conditional UPDATE.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 14:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("coupon_redemptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("use_number", sa.Integer(), nullable=True))
    # Live redemptions of limited coupons are numbered in the order they were made.
    op.execute(
        sa.text(
            "UPDATE coupon_redemptions SET use_number = ("
            " SELECT count(*) FROM coupon_redemptions AS earlier"
            " WHERE earlier.coupon_id = coupon_redemptions.coupon_id"
            " AND earlier.customer_id = coupon_redemptions.customer_id"
            " AND earlier.voided = :no AND earlier.id <= coupon_redemptions.id)"
            " WHERE voided = :no"
            " AND coupon_id IN (SELECT id FROM coupons WHERE per_customer_limit IS NOT NULL)"
        ).bindparams(no=False)
    )
    op.create_index(
        "uq_coupon_redemptions_use",
        "coupon_redemptions",
        ["coupon_id", "customer_id", "use_number"],
        unique=True,
        postgresql_where=sa.text("NOT voided"),
        sqlite_where=sa.text("voided = 0"),
    )


def downgrade() -> None:
    op.drop_index("uq_coupon_redemptions_use", table_name="coupon_redemptions")
    with op.batch_alter_table("coupon_redemptions", schema=None) as batch_op:
        batch_op.drop_column("use_number")
