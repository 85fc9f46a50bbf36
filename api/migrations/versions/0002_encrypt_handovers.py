"""Handovers: contact details and transcript encrypted at rest.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain-text columns are dropped, not converted: no deployment has stored handovers before this revision.
    with op.batch_alter_table("handovers") as batch:
        batch.drop_column("contact")
        batch.drop_column("transcript")
        batch.add_column(sa.Column("contact_sealed", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("transcript_sealed", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("handovers") as batch:
        batch.drop_column("contact_sealed")
        batch.drop_column("transcript_sealed")
        batch.add_column(sa.Column("contact", sa.JSON(), nullable=False))
        batch.add_column(sa.Column("transcript", sa.JSON(), nullable=False))
