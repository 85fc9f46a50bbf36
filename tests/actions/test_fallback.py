"""Never a dead end, with a fake state: a rephrase first, and after two misunderstandings in a row, help anyway."""

from __future__ import annotations

import anyio
import pytest
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionHandleFallback
from tests.actions.fakes import FakeState, tracker_for


def user(intent: str) -> dict[str, object]:
    return {"event": "user", "parse_data": {"intent": {"name": intent}}}


def test_the_first_misunderstanding_asks_her_to_rephrase(state: FakeState) -> None:
    session = state.start("pl")
    tracker = tracker_for(session.sender_id, "nlu_fallback", events=[user("greet"), user("nlu_fallback")])
    events = anyio.run(ActionHandleFallback(state).run, CollectingDispatcher(), tracker, {})
    assert [m["text"] for m in session.outbox.values()] == [state.content.message("pl", "fallback_rephrase")["text"]]
    assert events == [FollowupAction("action_listen")], "listening next, so the fallback cannot loop"


@pytest.mark.parametrize("second", ["nlu_fallback", "out_of_scope"])
def test_two_in_a_row_get_the_services_anyway(state: FakeState, second: str) -> None:
    session = state.start("ro")
    tracker = tracker_for(session.sender_id, second, events=[user("nlu_fallback"), user(second)])
    anyio.run(ActionHandleFallback(state).run, CollectingDispatcher(), tracker, {})
    said = [m["text"] for m in session.outbox.values()]
    services = [m["text"] for m in state.content.services_messages("ro", None)]
    assert said == [state.content.message("ro", "fallback_twice")["text"], *services]
