"""What a support worker does with her organisation's handovers, shared by the portal's pages and its JSON API.

Every read is scoped to the worker's organisation in the query itself (repositories.handovers.in_org), so a
foreign id is indistinguishable from a missing one. Every view, decryption and change is audited.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from api.core.crypto import Cipher
from api.models import Handover, Worker
from api.pipeline.redaction import Redactor
from api.repositories import audit, handovers

OUTCOMES = ("supported", "referred_elsewhere", "could_not_contact", "declined_support", "duplicate")
MAX_NOTE_CHARS = 2000


class TransitionError(ValueError):
    """The handover cannot move to that status (e.g. it is already closed, or closing without an outcome)."""


@dataclass(frozen=True)
class Note:
    text: str
    author: str | None
    at: dt.datetime


@dataclass(frozen=True)
class Detail:
    handover: Handover
    contact: dict[str, Any]
    transcript: list[dict[str, Any]]
    notes: list[Note]


def parse_id(raw: str) -> uuid.UUID | None:
    """A malformed id is answered like any unknown one (404), never with a validation error that differs."""
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def queue(session: Session, worker: Worker) -> list[Handover]:
    return handovers.of_org(session, worker.org_id)


def find(session: Session, worker: Worker, raw_id: str) -> Handover | None:
    handover_id = parse_id(raw_id)
    return handovers.in_org(session, worker.org_id, handover_id) if handover_id else None


def detail(session: Session, cipher: Cipher, worker: Worker, raw_id: str) -> Detail | None:
    handover = find(session, worker, raw_id)
    if handover is None:
        return None
    audit.record(session, "view_handover", worker=worker, handover=handover)
    audit.record(session, "decrypt_contact", worker=worker, handover=handover)
    notes = [
        Note(handovers.note_text(n, cipher), author, n.created_at)
        for n, author in handovers.notes_of(session, handover)
    ]
    return Detail(handover, handovers.contact_of(handover, cipher), handovers.transcript_of(handover, cipher), notes)


def change_status(session: Session, worker: Worker, handover: Handover, status: str, outcome: str | None) -> None:
    if handover.status == "closed":
        raise TransitionError("this handover is already closed")
    if status == "accepted":
        if handover.status != "new":
            raise TransitionError("only a new handover can be accepted")
        outcome = None
    elif status == "closed":
        if outcome not in OUTCOMES:
            raise TransitionError(f"closing needs an outcome: one of {', '.join(OUTCOMES)}")
    else:
        raise TransitionError("status must be 'accepted' or 'closed'")
    handovers.set_status(handover, status, outcome)
    detail = status if outcome is None else f"{status}:{outcome}"
    audit.record(session, "status_change", worker=worker, handover=handover, detail=detail)


def add_note(
    session: Session, cipher: Cipher, redactor: Redactor, worker: Worker, handover: Handover, text: str
) -> None:
    """Notes pass through the same redaction as victims' messages: no immigration status is written down."""
    text = text.strip()
    if not text or len(text) > MAX_NOTE_CHARS:
        raise TransitionError(f"a note needs between 1 and {MAX_NOTE_CHARS} characters")
    redacted = redactor.redact(text, language=handover.language).text
    handovers.add_note(session, cipher, handover, worker.id, redacted)
    audit.record(session, "add_note", worker=worker, handover=handover)
