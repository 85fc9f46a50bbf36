"""Handovers: one per consent. A retry of the same consent (after a timeout) finds the first instead of adding one.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handovers") as batch:
        batch.add_column(sa.Column("consent_key", sa.String(64), nullable=True))
        batch.create_index("ix_handovers_consent_key", ["consent_key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("handovers") as batch:
        batch.drop_index("ix_handovers_consent_key")
        batch.drop_column("consent_key")
