"""The audit trail: append and read. Nothing here commits."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.models import AuditEvent, Handover, Worker

DETAIL_CHARS = 64


def record(
    session: Session,
    action: str,
    *,
    worker: Worker | None = None,
    handover: Handover | None = None,
    org_id: str | None = None,
    detail: str | None = None,
) -> None:
    """The organisation is the worker's, else the handover's, else the one given (e.g. by the CLI). The detail is
    a code or an account's email, cut to the column's width."""
    session.add(
        AuditEvent(
            at=dt.datetime.now(dt.UTC),
            org_id=worker.org_id if worker else handover.service_id if handover else org_id,
            worker_id=worker.id if worker else None,
            worker_email=worker.email if worker else None,
            action=action,
            handover_id=handover.id if handover else None,
            handover_reference=handover.reference if handover else None,
            detail=detail[:DETAIL_CHARS] if detail else None,
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
