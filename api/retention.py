"""How long anything lives: idle conversations (minutes) and handovers (days). Used by the gateway's
scheduled job and by `make purge`."""

from __future__ import annotations

import datetime as dt

from api.core.config import Settings
from api.core.db import Database, migrate
from api.rasa_client import tracker_eraser
from api.repositories import handovers


def purge_handovers(settings: Settings, database: Database) -> int:
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=settings.handover_retention_days)
    with database.unit_of_work() as session:
        return handovers.purge_older_than(session, cutoff)


def purge_all(settings: Settings) -> tuple[int, int]:
    """Handovers past retention, and Rasa trackers idle past the idle period (also after a restart)."""
    migrate(settings.effective_database_url)
    database = Database(settings.effective_database_url)
    trackers = tracker_eraser(settings.effective_rasa_tracker_url)
    try:
        return (
            purge_handovers(settings, database),
            trackers.purge_idle(settings.session_idle_minutes * 60),
        )
    finally:
        database.dispose()
        trackers.dispose()
