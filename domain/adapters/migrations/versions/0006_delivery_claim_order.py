"""campaign deliveries: the claim index ends with id, so claims read rows in (not_before, id) order unsorted

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 09:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_campaign_deliveries_claim", table_name="campaign_deliveries")
    op.create_index("ix_campaign_deliveries_claim", "campaign_deliveries", ["state", "not_before", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_campaign_deliveries_claim", table_name="campaign_deliveries")
    op.create_index("ix_campaign_deliveries_claim", "campaign_deliveries", ["state", "not_before"], unique=False)
