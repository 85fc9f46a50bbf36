"""Every query on handovers. Callers pass a session from Database.unit_of_work(); nothing here commits."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api.core.crypto import Cipher
from api.models import Handover

# No 0/O, 1/I/L: references are read out over the phone.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    """e.g. 'HK7-42QP': 8 characters, about 40 bits, short enough to remember."""
    raw = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def create(
    session: Session,
    cipher: Cipher,
    *,
    service_id: str,
    need: str | None,
    language: str,
    contact: dict[str, str | None],
    transcript: list[dict[str, str | None]],
) -> Handover:
    while True:
        reference = new_reference()
        if session.scalar(select(Handover.id).where(Handover.reference == reference)) is None:
            break
    handover = Handover(
        reference=reference,
        service_id=service_id,
        need=need,
        language=language,
        contact_sealed=cipher.seal(contact),
        transcript_sealed=cipher.seal(transcript),
        created_at=dt.datetime.now(dt.UTC),
    )
    session.add(handover)
    session.flush()
    return handover


def contact_of(handover: Handover, cipher: Cipher) -> dict[str, str | None]:
    contact: dict[str, str | None] = cipher.open(handover.contact_sealed)
    return contact


def transcript_of(handover: Handover, cipher: Cipher) -> list[dict[str, str | None]]:
    transcript: list[dict[str, str | None]] = cipher.open(handover.transcript_sealed)
    return transcript


def by_reference(session: Session, reference: str) -> Handover | None:
    return session.scalar(select(Handover).where(Handover.reference == reference))


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Handover)) or 0)


def purge_older_than(session: Session, cutoff: dt.datetime) -> int:
    result = session.execute(delete(Handover).where(Handover.created_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
