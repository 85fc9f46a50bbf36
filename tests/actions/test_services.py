"""Services actions with a real gateway state and a hand-made tracker."""

from __future__ import annotations

import anyio
from fastapi.testclient import TestClient
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import OUTBOX
from actions.handover import ActionSubmitHandover
from actions.services import ActionLanguageSupport
from api.repositories import handovers
from api.sessions import ChatSession


def tracker_for(session: ChatSession, intent: str, **slots: object) -> Tracker:
    latest = {"text": f"/{intent}", "intent": {"name": intent}}
    return Tracker(session.sender_id, slots, latest, [], False, None, {}, "action_listen")


def test_language_support_answers_for_the_language_she_named(session: ChatSession) -> None:
    session.wanted_language = "ur"
    dispatcher = CollectingDispatcher()
    anyio.run(ActionLanguageSupport().run, dispatcher, tracker_for(session, "ask_language_support"), {})
    assert all(set(m["custom"]) == {OUTBOX} for m in dispatcher.messages), "Rasa carries only indexes"
    said = " ".join(m["text"] for m in session.outbox.values())
    assert "staff who speak Urdu" in said and "say “Urdu” and ask for an interpreter" in said


def test_without_a_named_language_it_is_the_one_she_writes_in(session: ChatSession) -> None:
    session.language = "pl"
    anyio.run(ActionLanguageSupport().run, CollectingDispatcher(), tracker_for(session, "ask_language_support"), {})
    no_staff, interpreters = [m["text"] for m in session.outbox.values()][:2]
    assert "Polski" in no_staff, "in her language, the language's own name"
    assert "Polish" in interpreters, "the English name she says to the helpline"


def test_a_handover_tells_the_service_the_language_she_needs(client: TestClient, session: ChatSession) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    session.wanted_language = "pt"
    session.answers["contact_detail"] = "07700 900123"
    tracker = tracker_for(session, "affirm", handover_service="harbour", contact_method="phone", handover_consent="yes")
    anyio.run(ActionSubmitHandover().run, CollectingDispatcher(), tracker, {})
    with runtime.database.unit_of_work() as db:
        contact = handovers.contact_of(handovers.of_org(db, "harbour")[0], runtime.cipher)
    assert contact["language"] == "pt"
