"""'Delete this chat', with a fake state: the action only marks the session; the gateway erases after the turn."""

from __future__ import annotations

import anyio
from rasa_sdk.executor import CollectingDispatcher

from actions.privacy import ActionDeleteChat
from tests.actions.fakes import FakeState, tracker_for


def test_deleting_marks_her_session_and_tells_her_in_her_language(state: FakeState) -> None:
    session = state.start("uk")
    anyio.run(ActionDeleteChat(state).run, CollectingDispatcher(), tracker_for(session.sender_id, "delete_chat"), {})
    assert session.erase_requested
    assert session.outbox[0]["text"] == state.content.message("uk", "chat_deleted")["text"]


def test_a_conversation_the_gateway_does_not_hold_gets_the_text_through_rasa(state: FakeState) -> None:
    """Bare Rasa (the bench's baseline): no session, so none of her words in one, and the text goes as is."""
    dispatcher = CollectingDispatcher()
    anyio.run(ActionDeleteChat(state).run, dispatcher, tracker_for("not-a-session", "delete_chat"), {})
    assert [m["text"] for m in dispatcher.messages] == [state.content.message("en", "chat_deleted")["text"]]
