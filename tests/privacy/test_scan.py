"""The promise, checked store by store: in every language a victim volunteers her immigration status in
several ways and completes a handover; afterwards no status she typed is in the database (decrypted with the
application's own key), Rasa's tracker store, the gateway's session state, the logs, or the transcript the
support worker reads, while the abuse she described is still there.

The gateway runs in this process (uvicorn in a thread) so its memory can be inspected; Rasa is the real
server in its own process.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
import yaml
from sqlalchemy import create_engine, text

from api.core.config import ROOT, Settings
from api.main import create_app
from api.repositories import handovers
from api.stack import Stack, free_port
from tests.conversations.chat import ChatClient
from tests.helpers import make_settings
from tests.privacy.rates import redactor

pytestmark = pytest.mark.stack
REFERENCE = re.compile(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}")


@dataclass
class Gateway:
    app: Any
    url: str
    settings: Settings


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    var_dir = tmp_path_factory.mktemp("scan")
    port, rasa_port = free_port(), free_port()
    settings = make_settings(var_dir, rasa_url=f"http://127.0.0.1:{rasa_port}")
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    rasa = Stack(
        gateway_port=port,
        rasa_port=rasa_port,
        var_dir=var_dir,
        start_gateway=False,
        extra_env={"INTERNAL_SECRET": settings.internal_secret.get_secret_value()},
        log_dir=ROOT / "test-output" / "scan-logs",
    )
    with rasa:
        yield Gateway(app=app, url=f"http://127.0.0.1:{port}", settings=settings)
    server.should_exit = True
    thread.join(timeout=10)


def status_cases(language: str) -> tuple[list[dict[str, str]], list[str]]:
    data = yaml.safe_load((ROOT / "translations" / language / "status.yml").read_text(encoding="utf-8"))
    return data["recall"][:4], data["precision"][:2]


LANGUAGES = sorted(p.parent.name for p in (ROOT / "translations").glob("*/status.yml"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_store_keeps_the_status_she_typed(gateway: Gateway, language: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    recall, abuse = status_cases(language)
    with httpx.Client(base_url=gateway.url, timeout=30) as http:
        bot = ChatClient(http, language)
        for case in recall:
            bot.send(case["text"])
        for statement in abuse:
            bot.send(statement)
        bot.send(payload="/request_handover")
        bot.fill_handover_form()
        bot.send(payload="/affirm")
    runtime = gateway.app.state.runtime
    session = runtime.sessions.get(bot.session_id)
    found = REFERENCE.search(bot.text)
    assert found, f"the handover did not complete: {bot.text}"

    # What the support worker will read: the stored handover, decrypted with the application's key.
    with runtime.database.unit_of_work() as db:
        stored = handovers.by_reference(db, found.group(0))
        assert stored is not None
        transcript = handovers.transcript_of(stored, runtime.cipher)
        contact = handovers.contact_of(stored, runtime.cipher)
    worker_view = [t["text"] for t in transcript if t["role"] == "user"] + [str(v) for v in contact.values()]
    # The gateway's session state (in memory) and Rasa's tracker store (every event it holds for her).
    session_view = [t.text for t in session.transcript if t.role == "user"]
    engine = create_engine(gateway.settings.effective_rasa_tracker_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT data FROM events WHERE type_name = 'user'"))
        tracker_view = [str(json.loads(row[0]).get("text") or "") for row in rows]
    engine.dispose()
    # Every record's message, and the string fields our own structured records carry.
    log_view = [r.getMessage() for r in caplog.records] + [
        value
        for r in caplog.records
        if r.name.startswith("api")
        for value in vars(r).values()
        if isinstance(value, str)
    ]

    for name, store in (
        ("worker", worker_view),
        ("session", session_view),
        ("tracker", tracker_view),
        ("logs", log_view),
    ):
        joined = "\n".join(store)
        for case in recall:
            assert case["text"] not in joined, (name, case["text"])
            assert case["secret"].casefold() not in joined.casefold(), (name, case)
        if name != "logs":
            assert not [piece for piece in store if redactor().is_status(piece, language)], name
    said = "\n".join(worker_view)
    for statement in abuse:
        assert statement in said, f"the abuse she described must reach the support worker: {statement}"
