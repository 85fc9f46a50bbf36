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


def record_repeated(session: Session, action: str, *, worker: Worker | None, within: dt.datetime) -> None:
    """Repeats of one event (a flood of refused sign-ins) fold into one row that counts them, moved to the latest
    time, so they cannot push real events ("viewed", "decrypted") out of sight."""
    org_id = worker.org_id if worker else None
    query = (
        select(AuditEvent)
        .where(
            AuditEvent.action == action,
            AuditEvent.org_id == org_id if org_id else AuditEvent.org_id.is_(None),
            AuditEvent.worker_id == worker.id if worker else AuditEvent.worker_id.is_(None),
            AuditEvent.at >= within,
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    latest = session.scalar(query)
    if latest is None:
        record(session, action, worker=worker, detail="1")
        return
    count = latest.detail or ""
    latest.detail = str(int(count) + 1 if count.isdigit() else 2)
    latest.at = dt.datetime.now(dt.UTC)


PAGE = 100


def of_org(session: Session, org_id: str, before: int | None = None, limit: int = PAGE) -> list[AuditEvent]:
    """A page of the organisation's trail, newest first; `before` is the id the previous page ended on."""
    query = select(AuditEvent).where(AuditEvent.org_id == org_id)
    if before is not None:
        query = query.where(AuditEvent.id < before)
    return list(session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))


def purge_older_than(session: Session, cutoff: dt.datetime) -> int:
    result = session.execute(delete(AuditEvent).where(AuditEvent.at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
