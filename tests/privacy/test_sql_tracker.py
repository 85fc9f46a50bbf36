"""With RASA_TRACKER_URL naming a SQL database, Rasa keeps conversations there (bot/endpoints.sql.yml): rows that
hold no word she typed, deleted at once on "delete this chat"."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from api.stack import Stack, free_port
from tests.conversations.chat import ChatClient

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def sql_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, Path]]:
    var_dir = tmp_path_factory.mktemp("sql-tracker")
    database = var_dir / "rasa-tracker.db"
    with Stack(
        gateway_port=free_port(),
        rasa_port=free_port(),
        var_dir=var_dir,
        extra_env={"RASA_TRACKER_URL": f"sqlite:///{database}"},
    ) as stack:
        yield stack, database


def rows(database: Path) -> list[str]:
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        found = [str(r[0]) for r in connection.execute(text("SELECT data FROM events"))]
    engine.dispose()
    return found


def test_sql_trackers_hold_no_word_she_typed_and_are_erased(sql_stack: tuple[Stack, Path]) -> None:
    stack, database = sql_stack
    canary = f"qz{uuid.uuid4().hex[:10]}"
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as http:
        bot = ChatClient(http)
        bot.send(f"{canary} my husband hits me")
        held = rows(database)
        assert any('"event": "user"' in r or '"event":"user"' in r for r in held), "Rasa stored the conversation"
        assert not any(canary in r for r in held), "her words never reach Rasa's tracker"
        assert http.delete(f"/api/chat/sessions/{bot.session_id}").status_code == 204
    assert rows(database) == [], "erased at once"
    assert database.stat().st_mode & 0o777 == 0o600
