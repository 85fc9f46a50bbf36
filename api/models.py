"""What is persisted: handovers the victim consented to, and the support-worker portal around them.

Nothing else about a conversation is stored. Portal rows hold no victim content except notes, which are
encrypted like the handover itself.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from api.core.db import Base, UtcDateTime

HANDOVER_STATUSES = ("new", "accepted", "closed")
ROLES = ("worker", "admin")


class Handover(Base):
    __tablename__ = "handovers"

    # uuid4: 122 random bits, so an id seen in one organisation's portal says nothing about another's.
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    reference: Mapped[str] = mapped_column(String(16), unique=True, index=True)
    service_id: Mapped[str] = mapped_column(String(64), index=True)
    need: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    # Encrypted (api.core.crypto): the contact preference (method, detail, safe times, may they leave a
    # message, name) and the transcript turns, immigration status already removed: [{role, text, text_en, at}].
    contact_sealed: Mapped[str] = mapped_column(Text)
    transcript_sealed: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    outcome: Mapped[str | None] = mapped_column(String(32))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, index=True)
    # Random, one per consent question asked: the same "yes" sent twice (a retry after a timeout) stores once.
    consent_key: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)


class HandoverNote(Base):
    __tablename__ = "handover_notes"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    handover_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("handovers.id", ondelete="CASCADE"), index=True)
    worker_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("workers.id", ondelete="SET NULL"))
    # Redacted like everything a person types, then encrypted.
    text_sealed: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Worker(Base):
    __tablename__ = "workers"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    org_id: Mapped[str] = mapped_column(String(64), index=True)  # a directory service that accepts handovers
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id
    totp_sealed: Mapped[str] = mapped_column(Text)  # the TOTP secret, encrypted
    # The last TOTP time step accepted: a code is good once, never again (no replay within its window).
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class PortalSession(Base):
    __tablename__ = "portal_sessions"

    # SHA-256 of the cookie's token: a copy of the database does not let anyone sign in.
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    worker_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class LoginFailure(Base):
    """One failed sign-in, keyed by a keyed hash of the email or of the address (neither is stored)."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(80), index=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


class AuditEvent(Base):
    """Who did what, when; never the content (no names, contact details, transcript or note text)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    org_id: Mapped[str | None] = mapped_column(String(64), index=True)
    # Kept without a foreign key: the trail outlives the worker's account and the purged handover.
    worker_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    worker_email: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(32))
    handover_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    handover_reference: Mapped[str | None] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(String(64))  # a code such as the new status, never free text


class Organisation(Base):
    """Per-organisation portal settings. The organisation itself is a service in data/services.yml."""

    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Where "a new handover is waiting" is posted or mailed (no content); empty for none.
    notice_webhook_url: Mapped[str | None] = mapped_column(String(500))
    notice_email: Mapped[str | None] = mapped_column(String(254))
