"""Database engine and the one place where sessions commit.

SQLite under var/ by default; PostgreSQL when DATABASE_URL says so. The schema is owned by Alembic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import DateTime, Dialect, Engine, TypeDecorator, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from api.core.files import private_file, sqlite_path

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
# How long a write waits for a lock or a pooled connection before it fails: well inside the turn's wait for Rasa
# (RASA_TIMEOUT_SECONDS, 5 s by default), so that a stuck database makes the handover fail in time for her to
# be told it was not sent, instead of a timeout that leaves her not knowing.
WAIT_SECONDS = 2


class Base(DeclarativeBase):
    pass


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Moments in UTC, always read back timezone-aware: SQLite keeps no offset and returns naive values, PostgreSQL
    returns them in the session's zone. Mended here once, so no caller has to guess which database it is on."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        return None if value is None else _utc(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        return None if value is None else _utc(value)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if path is not None:
            private_file(path)
        engine = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # Deleted rows (a purged handover, a note) are overwritten with zeros, not left in free pages, and
            # the WAL is cut back after each checkpoint instead of keeping old pages around.
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.execute("PRAGMA journal_size_limit=0")
            cursor.execute(f"PRAGMA busy_timeout={WAIT_SECONDS * 1000}")
            cursor.execute("PRAGMA foreign_keys=ON")  # notes go with their handover, as in PostgreSQL
            cursor.close()

        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_timeout=WAIT_SECONDS,
        connect_args={"connect_timeout": WAIT_SECONDS, "options": f"-c lock_timeout={WAIT_SECONDS * 1000}"},
    )


class SchemaNotReady(RuntimeError):
    """The database is not at the code's schema revision: someone must run the migrate step first."""


def _alembic(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Bring the schema to the newest revision (idempotent). Only the migrate step calls it (`make migrate`,
    `python -m api.cli migrate`, and api/stack.py before it starts a gateway): replicas never migrate, so two of
    them starting together on PostgreSQL cannot race."""
    command.upgrade(_alembic(url), "head")


def require_migrated(engine: Engine) -> None:
    """Raise SchemaNotReady, with one line that says what to do, unless the database is at the newest revision."""
    head = ScriptDirectory.from_config(_alembic()).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current != head:
        raise SchemaNotReady(
            f"the database is at schema revision {current or 'none (empty)'} but this code needs {head}: "
            "run the migrate step first (make migrate, or python -m api.cli migrate)"
        )


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """Commit once at the end, roll back on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
