"""The handover store on SQLite and on PostgreSQL, migrated by Alembic."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import inspect

from api.core.crypto import Cipher
from api.core.db import Database, migrate
from api.repositories import handovers
from api.repositories.handovers import REFERENCE_ALPHABET

CIPHER = Cipher(Fernet.generate_key())


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'store.db'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    migrate(url)
    migrate(url)  # idempotent
    db = Database(url)
    yield db
    with db.unit_of_work() as session:
        handovers.purge_older_than(session, dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    db.dispose()


def test_schema_holds_only_what_a_handover_may_hold(database: Database) -> None:
    columns = {c["name"] for c in inspect(database.engine).get_columns("handovers")}
    expected = {
        "id",
        "reference",
        "service_id",
        "need",
        "language",
        "contact_sealed",
        "transcript_sealed",
        "created_at",
    }
    assert columns == expected


def test_create_and_read_back(database: Database) -> None:
    transcript = [{"role": "user", "text": "he hits me", "text_en": None, "at": "2026-11-29T10:00:00+00:00"}]
    contact = {
        "method": "phone",
        "detail": "07700 900123",
        "safe_times": "after 10am",
        "leave_message": "no",
        "nickname": "Sam",
    }
    with database.unit_of_work() as session:
        created = handovers.create(
            session,
            CIPHER,
            service_id="harbour",
            need="domestic_abuse",
            language="en",
            contact=contact,
            transcript=transcript,
        )
        reference = created.reference
    assert len(reference) == 9 and reference[4] == "-"
    assert set(reference.replace("-", "")) <= set(REFERENCE_ALPHABET)
    with database.unit_of_work() as session:
        stored = handovers.by_reference(session, reference)
        assert stored is not None
        assert stored.service_id == "harbour"
        assert handovers.contact_of(stored, CIPHER) == contact
        assert handovers.transcript_of(stored, CIPHER) == transcript
        assert "07700" not in stored.contact_sealed and "hits" not in stored.transcript_sealed, "encrypted at rest"
        assert handovers.count(session) == 1


def test_a_failed_unit_of_work_stores_nothing(database: Database) -> None:
    with pytest.raises(RuntimeError), database.unit_of_work() as session:
        handovers.create(session, CIPHER, service_id="harbour", need=None, language="en", contact={}, transcript=[])
        raise RuntimeError("boom")
    with database.unit_of_work() as session:
        assert handovers.count(session) == 0


def test_purge_removes_only_older_handovers(database: Database) -> None:
    with database.unit_of_work() as session:
        handovers.create(session, CIPHER, service_id="harbour", need=None, language="en", contact={}, transcript=[])
    with database.unit_of_work() as session:
        assert handovers.purge_older_than(session, dt.datetime.now(dt.UTC) - dt.timedelta(days=30)) == 0
        assert handovers.purge_older_than(session, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)) == 1
        assert handovers.count(session) == 0
