"""The audit trail: append and read. Nothing here commits."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.models import AuditEvent


def record(
    session: Session,
    action: str,
    *,
    org_id: str | None,
    worker_id: uuid.UUID | None = None,
    worker_email: str | None = None,
    handover_id: uuid.UUID | None = None,
    handover_reference: str | None = None,
    detail: str | None = None,
) -> None:
    session.add(
        AuditEvent(
            at=dt.datetime.now(dt.UTC),
            org_id=org_id,
            worker_id=worker_id,
            worker_email=worker_email,
            action=action,
            handover_id=handover_id,
            handover_reference=handover_reference,
            detail=detail,
        )
    )


def of_org(session: Session, org_id: str, limit: int = 500) -> list[AuditEvent]:
    query = (
        select(AuditEvent)
        .where(AuditEvent.org_id == org_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def purge_older_than(session: Session, cutoff: dt.datetime) -> int:
    result = session.execute(delete(AuditEvent).where(AuditEvent.at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
