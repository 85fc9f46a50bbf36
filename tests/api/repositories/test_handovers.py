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
        future = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
        handovers.remove(session, [h.id for h in handovers.past_retention(session, future, future)])
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
        "status",
        "outcome",
        "closed_at",
        "consent_key",
    }
    assert columns == expected


def test_one_consent_stores_one_handover_however_often_it_is_sent(database: Database) -> None:
    def submit(key: str) -> str:
        with database.unit_of_work() as session:
            return handovers.create(
                session,
                CIPHER,
                service_id="harbour",
                need=None,
                language="en",
                contact={},
                transcript=[],
                consent_key=key,
            ).reference

    first, again, other = submit("consent-a"), submit("consent-a"), submit("consent-b")
    assert first == again and other != first
    with database.unit_of_work() as session:
        assert handovers.count(session) == 2


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


def test_retention_picks_open_handovers_by_arrival_and_closed_ones_by_closing(database: Database) -> None:
    now = dt.datetime.now(dt.UTC)
    with database.unit_of_work() as session:
        open_old = handovers.create(
            session, CIPHER, service_id="harbour", need=None, language="en", contact={}, transcript=[]
        )
        open_old.created_at = now - dt.timedelta(days=31)
        closed_long_ago = handovers.create(
            session, CIPHER, service_id="harbour", need=None, language="en", contact={}, transcript=[]
        )
        handovers.set_status(closed_long_ago, "closed", "supported")
        closed_long_ago.closed_at = now - dt.timedelta(days=8)
        closed_today = handovers.create(
            session, CIPHER, service_id="harbour", need=None, language="en", contact={}, transcript=[]
        )
        handovers.set_status(closed_today, "closed", "supported")
        handovers.create(session, CIPHER, service_id="harbour", need=None, language="en", contact={}, transcript=[])
        expected = {open_old.id, closed_long_ago.id}
    with database.unit_of_work() as session:
        due = handovers.past_retention(session, now - dt.timedelta(days=30), now - dt.timedelta(days=7))
        assert {h.id for h in due} == expected
        assert handovers.remove(session, [h.id for h in due]) == 2
        assert handovers.count(session) == 2


def test_moments_come_back_aware_and_in_utc(database: Database) -> None:
    """SQLite keeps no offset; the column type gives every caller UTC-aware datetimes on both databases."""
    with database.unit_of_work() as session:
        handover = handovers.create(
            session, CIPHER, service_id="harbour", need=None, language="en", contact={}, transcript=[]
        )
        written = handover.created_at
        reference = handover.reference
    with database.unit_of_work() as session:
        read = handovers.by_reference(session, reference)
        assert read is not None
        assert read.created_at.tzinfo is dt.UTC and read.created_at == written
