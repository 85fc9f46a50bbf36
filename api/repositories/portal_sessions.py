"""Every query on portal sign-in sessions and failed sign-ins. Nothing here commits."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api.models import LoginFailure, PortalSession


def create(session: Session, *, token_hash: str, worker_id: uuid.UUID, csrf_token: str) -> PortalSession:
    now = dt.datetime.now(dt.UTC)
    row = PortalSession(
        token_hash=token_hash, worker_id=worker_id, csrf_token=csrf_token, created_at=now, last_seen_at=now
    )
    session.add(row)
    session.flush()
    return row


def by_token_hash(session: Session, token_hash: str) -> PortalSession | None:
    return session.get(PortalSession, token_hash)


def remove(session: Session, token_hash: str) -> None:
    session.execute(delete(PortalSession).where(PortalSession.token_hash == token_hash))


def remove_for_worker(session: Session, worker_id: uuid.UUID, keep: str | None = None) -> None:
    """Every session of the worker's, but the one whose token hash is `keep` (the one changing the password)."""
    query = delete(PortalSession).where(PortalSession.worker_id == worker_id)
    if keep is not None:
        query = query.where(PortalSession.token_hash != keep)
    session.execute(query)


def remove_expired(session: Session, idle_cutoff: dt.datetime, absolute_cutoff: dt.datetime) -> int:
    result = session.execute(
        delete(PortalSession).where(
            (PortalSession.last_seen_at < idle_cutoff) | (PortalSession.created_at < absolute_cutoff)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def record_failure(session: Session, key: str) -> int:
    failure = LoginFailure(key=key, at=dt.datetime.now(dt.UTC))
    session.add(failure)
    session.flush()
    return int(failure.id)


def remove_failures(session: Session, ids: list[int]) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.id.in_(ids)))


def failures_since(session: Session, key: str, since: dt.datetime) -> int:
    query = select(func.count()).select_from(LoginFailure).where(LoginFailure.key == key, LoginFailure.at >= since)
    return int(session.scalar(query) or 0)


def clear_failures(session: Session, key: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.key == key))


def remove_failures_before(session: Session, cutoff: dt.datetime) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.at < cutoff))
