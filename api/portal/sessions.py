"""Portal sign-in sessions: a random cookie token (only its hash is stored), a CSRF token, idle and absolute
expiry. Kept in the database, so any gateway replica can serve any request and a restart signs nobody in."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.core.config import Settings
from api.models import PortalSession, Worker
from api.repositories import portal_sessions, workers

# Seconds between writes of last_seen_at: a page view does not have to be a database write.
TOUCH_INTERVAL = dt.timedelta(seconds=30)


def cookie_name(settings: Settings) -> str:
    """The __Host- prefix makes browsers refuse the cookie unless Secure, host-only and Path=/."""
    return "__Host-portal" if settings.portal_cookie_secure else "portal_session"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SignedIn:
    worker: Worker
    csrf_token: str
    # This session's own row: changing the password ends the others, not this one.
    token_hash: str = ""

    def csrf_ok(self, presented: str | None) -> bool:
        return presented is not None and hmac.compare_digest(presented.encode(), self.csrf_token.encode())


def start(session: Session, worker: Worker) -> tuple[str, str]:
    """A new session for the worker: (cookie token, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    portal_sessions.create(session, token_hash=_hash(token), worker_id=worker.id, csrf_token=csrf)
    return token, csrf


def _expired(row: PortalSession, settings: Settings, now: dt.datetime) -> bool:
    idle = now - row.last_seen_at > dt.timedelta(minutes=settings.portal_idle_minutes)
    return idle or now - row.created_at > dt.timedelta(hours=settings.portal_session_hours)


def resolve(session: Session, settings: Settings, token: str | None) -> SignedIn | None:
    """The signed-in worker, or None: no cookie, unknown token, expired, or the worker has been disabled."""
    if not token:
        return None
    row = portal_sessions.by_token_hash(session, _hash(token))
    if row is None:
        return None
    now = dt.datetime.now(dt.UTC)
    worker = workers.by_id(session, row.worker_id)
    if worker is None or worker.disabled or _expired(row, settings, now):
        portal_sessions.remove(session, row.token_hash)
        return None
    if now - row.last_seen_at > TOUCH_INTERVAL:
        row.last_seen_at = now
    return SignedIn(worker, row.csrf_token, row.token_hash)


def end(session: Session, token: str | None) -> None:
    if token:
        portal_sessions.remove(session, _hash(token))
