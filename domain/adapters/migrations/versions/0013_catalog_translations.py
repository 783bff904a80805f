"""catalog translations: products and categories carry names (and descriptions) per locale

``translations`` is a JSON object keyed by locale (``{"zh_Hans": {"name": …, "description": …}}``); existing
rows get ``{}`` (no translation: the default text is shown). Search keeps using ``products.search_text``,
which the catalog handler now fills with every language's names.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 15:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")


def upgrade() -> None:
    for table in ("categories", "products"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("translations", _JSON, nullable=False, server_default=sa.text("'{}'")))


def downgrade() -> None:
    for table in ("products", "categories"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("translations")
