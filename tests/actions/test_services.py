"""Services actions with a real gateway state and a hand-made tracker."""

from __future__ import annotations

import anyio
import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import OUTBOX
from actions.handover import ActionSubmitHandover
from actions.services import ActionLanguageSupport, ActionShowServices
from api.repositories import handovers
from api.runtime import Runtime
from api.sessions import ChatSession
from tests.actions.fakes import FakeState
from tests.actions.fakes import tracker_for as fake_tracker


def tracker_for(session: ChatSession, intent: str, **slots: object) -> Tracker:
    latest = {"text": f"/{intent}", "intent": {"name": intent}}
    return Tracker(session.sender_id, slots, latest, [], False, None, {}, "action_listen")


def test_language_support_answers_for_the_language_she_named(runtime: Runtime, session: ChatSession) -> None:
    session.wanted_language = "ur"
    dispatcher = CollectingDispatcher()
    anyio.run(ActionLanguageSupport(runtime).run, dispatcher, tracker_for(session, "ask_language_support"), {})
    assert all(set(m["custom"]) == {OUTBOX} for m in dispatcher.messages), "Rasa carries only indexes"
    said = " ".join(m["text"] for m in session.outbox.values())
    assert "staff who speak Urdu" in said and "say “Urdu” and ask for an interpreter" in said


def test_without_a_named_language_it_is_the_one_she_writes_in(runtime: Runtime, session: ChatSession) -> None:
    session.language = "pl"
    anyio.run(
        ActionLanguageSupport(runtime).run, CollectingDispatcher(), tracker_for(session, "ask_language_support"), {}
    )
    no_staff, interpreters = [m["text"] for m in session.outbox.values()][:2]
    assert "Polski" in no_staff, "in her language, the language's own name"
    assert "Polish" in interpreters, "the English name she says to the helpline"


def test_a_handover_tells_the_service_the_language_she_needs(runtime: Runtime, session: ChatSession) -> None:
    session.wanted_language = "pt"
    session.answers["contact_detail"] = "07700 900123"
    tracker = tracker_for(session, "affirm", handover_service="harbour", contact_method="phone", handover_consent="yes")
    anyio.run(ActionSubmitHandover(runtime).run, CollectingDispatcher(), tracker, {})
    with runtime.database.unit_of_work() as db:
        contact = handovers.contact_of(handovers.of_org(db, "harbour")[0], runtime.cipher)
    assert contact["language"] == "pt"


@pytest.mark.parametrize("need", ["domestic_abuse", "forced_marriage"])
def test_a_need_shows_its_services_and_is_remembered(state: FakeState, need: str) -> None:
    session = state.start("vi")
    tracker = fake_tracker(session.sender_id, f"need_{need}")
    events = anyio.run(ActionShowServices(state).run, CollectingDispatcher(), tracker, {})
    assert events == [SlotSet("need", need)]
    expected = [m["text"] for m in state.content.services_messages("vi", need)]
    assert expected and [m["text"] for m in session.outbox.values()] == expected


def test_an_intent_that_is_no_need_shows_every_service_and_sets_nothing(state: FakeState) -> None:
    session = state.start("en")
    events = anyio.run(
        ActionShowServices(state).run, CollectingDispatcher(), fake_tracker(session.sender_id, "greet"), {}
    )
    assert events == []
    expected = [m["text"] for m in state.content.services_messages("en", None)]
    assert [m["text"] for m in session.outbox.values()] == expected
