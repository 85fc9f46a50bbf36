"""Every query on handovers. Callers pass a session from Database.unit_of_work(); nothing here commits."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, load_only

from api.core.crypto import Cipher
from api.models import Handover, HandoverNote, Worker

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
    consent_key: str | None = None,
) -> Handover:
    """A new handover, or the one this consent already stored (so a retried submission never makes two)."""
    existing = by_consent_key(session, consent_key)
    if existing is not None:
        return existing
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
        consent_key=consent_key,
    )
    session.add(handover)
    session.flush()
    return handover


def by_consent_key(session: Session, consent_key: str | None) -> Handover | None:
    if consent_key is None:
        return None
    return session.scalar(select(Handover).where(Handover.consent_key == consent_key))


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


def of_org(session: Session, org_id: str) -> list[Handover]:
    """An organisation's queue, newest first. Every portal read goes through an org-scoped query."""
    query = select(Handover).where(Handover.service_id == org_id).order_by(Handover.created_at.desc())
    return list(session.scalars(query))


def in_org(session: Session, org_id: str, handover_id: uuid.UUID) -> Handover | None:
    """None both for a missing id and for another organisation's: the caller cannot tell them apart."""
    return session.scalar(select(Handover).where(Handover.id == handover_id, Handover.service_id == org_id))


def set_status(handover: Handover, status: str, outcome: str | None) -> None:
    handover.status = status
    handover.outcome = outcome
    handover.closed_at = dt.datetime.now(dt.UTC) if status == "closed" else None


def add_note(session: Session, cipher: Cipher, handover: Handover, worker_id: uuid.UUID, text: str) -> HandoverNote:
    note = HandoverNote(
        handover_id=handover.id, worker_id=worker_id, text_sealed=cipher.seal(text), created_at=dt.datetime.now(dt.UTC)
    )
    session.add(note)
    session.flush()
    return note


def notes_of(session: Session, handover: Handover) -> list[tuple[HandoverNote, str | None]]:
    """Each note with its author's email (None once the account is gone), in one query."""
    query = (
        select(HandoverNote, Worker.email)
        .outerjoin(Worker, Worker.id == HandoverNote.worker_id)
        .where(HandoverNote.handover_id == handover.id)
        .order_by(HandoverNote.created_at)
    )
    return [(note, email) for note, email in session.execute(query)]


def note_text(note: HandoverNote, cipher: Cipher) -> str:
    return str(cipher.open(note.text_sealed))


def past_retention(session: Session, open_cutoff: dt.datetime, closed_cutoff: dt.datetime) -> list[Handover]:
    """Open handovers that arrived before open_cutoff, and closed ones closed before closed_cutoff.

    Runs every minute: only what the purge and its audit need is loaded, never the sealed contact or transcript.
    """
    query = (
        select(Handover)
        .options(load_only(Handover.id, Handover.service_id, Handover.reference, Handover.status))
        .where(
            or_(
                Handover.created_at < open_cutoff,
                (Handover.status == "closed") & (Handover.closed_at < closed_cutoff),
            )
        )
    )
    return list(session.scalars(query))


def remove(session: Session, handover_ids: list[uuid.UUID]) -> int:
    """Notes go too (explicitly, not only by the foreign key's cascade)."""
    if not handover_ids:
        return 0
    session.execute(delete(HandoverNote).where(HandoverNote.handover_id.in_(handover_ids)))
    result = session.execute(delete(Handover).where(Handover.id.in_(handover_ids)))
    return int(getattr(result, "rowcount", 0) or 0)
