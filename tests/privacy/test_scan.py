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

import httpx
import pytest
import yaml

from api.core.config import ROOT
from api.repositories import handovers
from tests.conversations.chat import ChatClient
from tests.privacy.rates import redactor
from tests.support.inprocess import Gateway

pytestmark = pytest.mark.stack
REFERENCE = re.compile(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}")


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
    tracker = json.loads(gateway.tracker(session.sender_id))
    tracker_view = [str(e.get("text") or "") for e in tracker["events"] if e.get("event") == "user"]
    tracker_view += [str(v) for v in (tracker.get("slots") or {}).values() if v is not None]
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
