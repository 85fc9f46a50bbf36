"""What is persisted: only a handover the victim consented to. Nothing else about a conversation is stored."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import DateTime, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from api.core.db import Base


class Handover(Base):
    __tablename__ = "handovers"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    reference: Mapped[str] = mapped_column(String(16), unique=True, index=True)
    service_id: Mapped[str] = mapped_column(String(64), index=True)
    need: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    # Encrypted (api.core.crypto): the contact preference (method, detail, safe times, may they leave a
    # message, name) and the transcript turns, immigration status already removed: [{role, text, text_en, at}].
    contact_sealed: Mapped[str] = mapped_column(Text)
    transcript_sealed: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
