"""Support-worker portal: handover status, notes, workers, sessions, login failures, audit, organisations.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handovers") as batch:
        batch.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="new"))
        batch.add_column(sa.Column("outcome", sa.String(32), nullable=True))
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_handovers_status", ["status"])
        batch.create_index("ix_handovers_closed_at", ["closed_at"])
    op.create_table(
        "workers",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False, index=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("totp_sealed", sa.Text(), nullable=False),
        sa.Column("totp_last_step", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "handover_notes",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "handover_id", sa.Uuid(), sa.ForeignKey("handovers.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        sa.Column("worker_id", sa.Uuid(), sa.ForeignKey("workers.id", ondelete="SET NULL"), nullable=True),
        sa.Column("text_sealed", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "portal_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("worker_id", sa.Uuid(), sa.ForeignKey("workers.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(80), nullable=False, index=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("org_id", sa.String(64), nullable=True, index=True),
        sa.Column("worker_id", sa.Uuid(), nullable=True),
        sa.Column("worker_email", sa.String(254), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("handover_id", sa.Uuid(), nullable=True),
        sa.Column("handover_reference", sa.String(16), nullable=True),
        sa.Column("detail", sa.String(64), nullable=True),
    )
    op.create_table(
        "organisations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("notice_webhook_url", sa.String(500), nullable=True),
        sa.Column("notice_email", sa.String(254), nullable=True),
    )


def downgrade() -> None:
    for table in ("organisations", "audit_events", "login_failures", "portal_sessions", "handover_notes", "workers"):
        op.drop_table(table)
    with op.batch_alter_table("handovers") as batch:
        batch.drop_index("ix_handovers_closed_at")
        batch.drop_index("ix_handovers_status")
        batch.drop_column("closed_at")
        batch.drop_column("outcome")
        batch.drop_column("status")
