"""Handovers: the only table. What a victim consented to share with one service.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handovers",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("reference", sa.String(16), nullable=False),
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("need", sa.String(32), nullable=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("contact", sa.JSON(), nullable=False),
        sa.Column("transcript", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_handovers_reference", "handovers", ["reference"], unique=True)
    op.create_index("ix_handovers_service_id", "handovers", ["service_id"])
    op.create_index("ix_handovers_created_at", "handovers", ["created_at"])


def downgrade() -> None:
    op.drop_table("handovers")
