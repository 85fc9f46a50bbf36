"""The handover form's actions with a real gateway state and a hand-made tracker: her answers stay in the gateway's
session, Rasa's slots only say one was given, and what she chose to share is what is stored."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import GIVEN, OUTBOX
from actions.handover import (
    ActionAskHandoverConsent,
    ActionCancelHandover,
    ActionSubmitHandover,
    ValidateHandoverForm,
)
from api.repositories import handovers
from api.review import CONTACT_ONLY_PAYLOAD, REVIEW_PAYLOAD
from api.sessions import ChatSession


def tracker_for(session: ChatSession, **slots: Any) -> Tracker:
    latest = {"text": "/inform", "intent": {"name": "inform"}}
    return Tracker(session.sender_id, slots, latest, [], False, None, {"name": "handover_form"}, "action_listen")


def test_a_typed_number_stays_in_the_gateway_and_rasa_gets_given(session: ChatSession) -> None:
    session.typed = "07700 900123"
    tracker = tracker_for(session, contact_method="phone")
    slots = ValidateHandoverForm().validate_contact_detail("/inform", CollectingDispatcher(), tracker, {})
    assert slots == {"contact_detail": GIVEN}
    assert session.answers["contact_detail"] == "07700 900123"


def test_an_invalid_number_is_refused_and_nothing_kept(session: ChatSession) -> None:
    session.typed = "not a number"
    tracker = tracker_for(session, contact_method="phone")
    slots = ValidateHandoverForm().validate_contact_detail("/inform", CollectingDispatcher(), tracker, {})
    assert slots == {"contact_detail": None} and "contact_detail" not in session.answers


def test_the_consent_message_goes_through_the_outbox_with_the_count_and_choices(session: ChatSession) -> None:
    session.answers["contact_detail"] = "07700 900123"
    dispatcher = CollectingDispatcher()
    tracker = tracker_for(session, handover_service="harbour", contact_method="phone")
    anyio.run(ActionAskHandoverConsent().run, dispatcher, tracker, {})
    assert dispatcher.messages[0]["custom"] == {OUTBOX: 0}, "Rasa carries only the index"
    assert "07700 900123" not in str(dispatcher.messages), "her number never goes to Rasa"
    consent = session.outbox[0]
    assert "07700 900123" in consent["text"] and "Your messages that will be shared: 0." in consent["text"]
    payloads = [b["payload"] for b in consent["buttons"]]
    assert payloads == ["/affirm", "/deny", CONTACT_ONLY_PAYLOAD, REVIEW_PAYLOAD]


@pytest.mark.parametrize(("share", "expected_turns"), [(True, 1), (False, 0)])
def test_what_she_chose_to_share_is_what_is_stored(
    client: TestClient, session: ChatSession, share: bool, expected_turns: int
) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    session.transcript = session.transcript[:1]
    session.answers["contact_detail"] = "07700 900123"
    session.share_transcript = share
    tracker = tracker_for(session, handover_service="harbour", contact_method="phone", handover_consent="yes")
    anyio.run(ActionSubmitHandover().run, CollectingDispatcher(), tracker, {})
    with runtime.database.unit_of_work() as db:
        newest = handovers.of_org(db, "harbour")[0]
        transcript = handovers.transcript_of(newest, runtime.cipher)
        contact = handovers.contact_of(newest, runtime.cipher)
    assert len(transcript) == expected_turns and contact["detail"] == "07700 900123"
    assert session.answers == {} and session.share_transcript, "the form's state is reset after submitting"


def test_a_conversation_the_gateway_does_not_hold_is_answered_through_rasa(client: TestClient) -> None:
    """Bare Rasa (the bench's baseline) has no gateway session and none of her words there: text goes as is."""
    dispatcher = CollectingDispatcher()
    stranger = Tracker("not-a-session", {}, {"text": "/cancel"}, [], False, None, {}, "action_listen")
    anyio.run(ActionCancelHandover().run, dispatcher, stranger, {})
    assert dispatcher.messages and "Nothing has been sent" in str(dispatcher.messages[0]["text"])
