"""staff_totp.secret wide enough for a sealed secret (``v1:`` + base64url of nonce, ciphertext and tag: 83 chars)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 22:45:00.000000

Only the width changes here. Existing plaintext secrets are sealed by the application the first time it reads
them (``domain.adapters.staff_totp``): this migration has no ``secret_key`` to seal with (env.py reads no settings).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_totp", schema=None) as batch_op:
        batch_op.alter_column("secret", existing_type=sa.String(length=64), type_=sa.String(length=128))


def downgrade() -> None:
    # The code before 0028 cannot open a sealed secret (and it does not fit 64 characters): those second factors
    # are turned off, as `chatshop staff totp-reset` would; their owners sign in with the password and enrol again.
    op.execute(sa.text("DELETE FROM staff_totp WHERE secret LIKE 'v1:%'"))
    with op.batch_alter_table("staff_totp", schema=None) as batch_op:
        batch_op.alter_column("secret", existing_type=sa.String(length=128), type_=sa.String(length=64))
