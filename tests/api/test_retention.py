"""Handovers are purged after the retention period; idle Rasa trackers after the idle period."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from api.core.crypto import Cipher, load_or_create_key
from api.core.db import Database, migrate
from api.models import AuditEvent, Handover, HandoverNote
from api.repositories import handovers
from api.retention import purge_all, purge_handovers
from tests.helpers import make_settings, run_cli
from tests.support.portal import World


def test_purge_removes_old_handovers_and_idle_trackers(tmp_path: Path) -> None:
    # An operator's SQL tracker store (the embedded default keeps Rasa's trackers in memory).
    tracker_url = f"sqlite:///{tmp_path / 'rasa-tracker.db'}"
    settings = make_settings(
        tmp_path, handover_retention_days=30, session_idle_minutes=30, rasa_tracker_url=tracker_url
    )
    migrate(settings.effective_database_url)
    database = Database(settings.effective_database_url)
    cipher = Cipher(load_or_create_key(tmp_path / "secret.key"))
    with database.unit_of_work() as session:
        old = handovers.create(
            session, cipher, service_id="harbour", need=None, language="en", contact={}, transcript=[]
        )
        old.created_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
        recent = handovers.create(
            session, cipher, service_id="harbour", need=None, language="en", contact={}, transcript=[]
        ).reference
    tracker = create_engine(tracker_url)
    with tracker.begin() as connection:
        connection.execute(
            text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, timestamp REAL, data TEXT)")
        )
        now = dt.datetime.now(dt.UTC).timestamp()
        connection.execute(
            text("INSERT INTO events (sender_id, timestamp, data) VALUES ('idle', :t, 'x')"), {"t": now - 3600}
        )
        connection.execute(text("INSERT INTO events (sender_id, timestamp, data) VALUES ('live', :t, 'x')"), {"t": now})
    assert purge_all(settings) == (1, 1)
    with database.unit_of_work() as session:
        assert handovers.count(session) == 1
        assert session.query(Handover).one().reference == recent
    with tracker.connect() as connection:
        assert [r[0] for r in connection.execute(text("SELECT sender_id FROM events"))] == ["live"]
    database.dispose()
    tracker.dispose()


def test_make_purge_command(tmp_path: Path) -> None:
    """As `make purge` runs it: the migrate step, then the purge."""
    secret = "x9" * 24 + "abcdefgh"
    assert run_cli(tmp_path, secret, "migrate").returncode == 0
    result = run_cli(tmp_path, secret, "purge")
    assert result.returncode == 0, result.stderr
    assert "purged 0 handover(s)" in result.stdout


def test_closed_handovers_go_sooner_than_open_ones_and_every_purge_is_audited(portal_world: World) -> None:
    world = portal_world
    runtime = world.runtime
    world.add_person("ana")
    csrf = world.sign_in("ana")
    ids = {name: world.add_handover() for name in ("open_recent", "open_old", "closed_recent", "closed_old")}
    headers = {"X-CSRF-Token": csrf}
    for name in ("closed_recent", "closed_old"):
        body = {"status": "closed", "outcome": "supported"}
        assert world.client.post(f"/api/portal/handovers/{ids[name]}/status", json=body, headers=headers).is_success
    note = world.client.post(f"/api/portal/handovers/{ids['closed_old']}/notes", json={"text": "done"}, headers=headers)
    assert note.status_code == 201
    now = dt.datetime.now(dt.UTC)
    with runtime.database.unit_of_work() as session:
        for name, days in (("open_old", runtime.settings.handover_retention_days + 1), ("closed_old", 0)):
            handover = session.get(Handover, uuid.UUID(ids[name]))
            assert handover is not None
            handover.created_at = now - dt.timedelta(days=days)
            if handover.closed_at:
                handover.closed_at = now - dt.timedelta(days=runtime.settings.closed_handover_retention_days + 1)
    assert purge_handovers(runtime.settings, runtime.database) == 2
    with runtime.database.unit_of_work() as session:
        mine = [uuid.UUID(i) for i in ids.values()]
        left = {str(h.id) for h in session.scalars(select(Handover).where(Handover.id.in_(mine)))}
        assert left == {ids["open_recent"], ids["closed_recent"]}
        notes = select(func.count()).select_from(HandoverNote).where(HandoverNote.handover_id.in_(mine))
        assert session.scalar(notes) == 0
        purged = select(AuditEvent).where(AuditEvent.action == "purge", AuditEvent.handover_id.in_(mine))
        assert {(str(e.handover_id), e.detail, e.org_id) for e in session.scalars(purged)} == {
            (ids["open_old"], "new", "harbour"),
            (ids["closed_old"], "closed", "harbour"),
        }
