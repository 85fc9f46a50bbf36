"""How long anything lives: idle conversations (minutes) and handovers (days). Used by the gateway's
scheduled job and by `make purge`."""

from __future__ import annotations

import datetime as dt

from api.core.config import Settings
from api.core.db import Database, require_migrated
from api.repositories import audit, handovers, portal_sessions


def purge_handovers(settings: Settings, database: Database) -> int:
    """Handovers past retention (open: since arrival; closed: since closing), each purge in the audit trail."""
    now = dt.datetime.now(dt.UTC)
    with database.unit_of_work() as session:
        expired = handovers.past_retention(
            session,
            open_cutoff=now - dt.timedelta(days=settings.handover_retention_days),
            closed_cutoff=now - dt.timedelta(days=settings.closed_handover_retention_days),
        )
        for handover in expired:
            audit.record(session, "purge", handover=handover, detail=handover.status)
        return handovers.remove(session, [h.id for h in expired])


def purge_portal_sessions(settings: Settings, database: Database) -> None:
    """What sign-in leaves behind: expired portal sessions and failed sign-ins older than the limit's window."""
    now = dt.datetime.now(dt.UTC)
    with database.unit_of_work() as session:
        portal_sessions.remove_expired(
            session,
            idle_cutoff=now - dt.timedelta(minutes=settings.portal_idle_minutes),
            absolute_cutoff=now - dt.timedelta(hours=settings.portal_session_hours),
        )
        portal_sessions.remove_failures_before(session, now - dt.timedelta(minutes=settings.login_window_minutes))


def purge_audit(settings: Settings, database: Database) -> int:
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=settings.audit_retention_days)
    with database.unit_of_work() as session:
        return audit.purge_older_than(session, cutoff)


def purge_all(settings: Settings) -> tuple[int, int]:
    """Handovers past retention, and Rasa trackers idle past the idle period (also after a restart)."""
    database = Database(settings.effective_database_url)
    from api.runtime import trackers_for

    trackers = trackers_for(settings)
    try:
        require_migrated(database.engine)
        purge_portal_sessions(settings, database)
        purge_audit(settings, database)
        return (
            purge_handovers(settings, database),
            trackers.purge_idle(settings.session_idle_minutes * 60),
        )
    finally:
        database.dispose()
        trackers.dispose()
