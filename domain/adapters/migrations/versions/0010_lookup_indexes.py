"""indexes for look-ups by provider ids, campaign and customer

Provider webhooks find payments and refunds by the provider's ids, campaign reports sum orders by
campaign, and a customer's analytics are read by customer: each was a full scan.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 13:30:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_payments_provider_payment_id", "payments", "provider_payment_id"),
    ("ix_refunds_provider_refund_id", "refunds", "provider_refund_id"),
    ("ix_orders_campaign_id", "orders", "campaign_id"),
    ("ix_analytics_events_customer_id", "analytics_events", "customer_id"),
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [column])


def downgrade() -> None:
    for name, table, _column in INDEXES:
        op.drop_index(name, table_name=table)
