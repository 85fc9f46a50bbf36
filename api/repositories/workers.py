"""Every query on support workers. Callers pass a session from Database.unit_of_work(); nothing here commits."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Worker


def create(session: Session, *, org_id: str, email: str, role: str, password_hash: str, totp_sealed: str) -> Worker:
    worker = Worker(
        org_id=org_id,
        email=email,
        role=role,
        password_hash=password_hash,
        totp_sealed=totp_sealed,
        totp_last_step=0,
        disabled=False,
        created_at=dt.datetime.now(dt.UTC),
    )
    session.add(worker)
    session.flush()
    return worker


def by_email(session: Session, email: str) -> Worker | None:
    return session.scalar(select(Worker).where(Worker.email == email))


def by_id(session: Session, worker_id: uuid.UUID) -> Worker | None:
    return session.get(Worker, worker_id)


def of_org(session: Session, org_id: str) -> list[Worker]:
    return list(session.scalars(select(Worker).where(Worker.org_id == org_id).order_by(Worker.email)))


def in_org(session: Session, org_id: str, worker_id: uuid.UUID) -> Worker | None:
    return session.scalar(select(Worker).where(Worker.id == worker_id, Worker.org_id == org_id))
