"""The handover form's actions with a real gateway state and a hand-made tracker: her answers stay in the gateway's
session, Rasa's slots only say one was given, and what she chose to share is what is stored."""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
import sqlalchemy.exc
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import GIVEN, OUTBOX
from actions.handover import (
    ActionAskHandoverConsent,
    ActionCancelHandover,
    ActionSubmitHandover,
    ValidateHandoverForm,
)
from api.core.ratelimit import SlidingWindow
from api.repositories import handovers
from api.review import CONTACT_ONLY_PAYLOAD, REVIEW_PAYLOAD
from api.runtime import Runtime
from api.sessions import ChatSession

SUBMITTING = {"handover_service": "harbour", "contact_method": "phone", "handover_consent": "yes"}


def tracker_for(session: ChatSession, **slots: Any) -> Tracker:
    latest = {"text": "/inform", "intent": {"name": "inform"}}
    return Tracker(session.sender_id, slots, latest, [], False, None, {"name": "handover_form"}, "action_listen")


def asked(session: ChatSession, slot: str, **slots: Any) -> Tracker:
    """The tracker of a turn that answers the form's question for `slot`."""
    return tracker_for(session, requested_slot=slot, **slots)


def stored(runtime: Runtime) -> int:
    with runtime.database.unit_of_work() as db:
        return handovers.count(db)


def consented(runtime: Runtime, session: ChatSession) -> Tracker:
    """She has answered everything and the consent question has been asked (so this consent has its key)."""
    session.answers["contact_detail"] = "07700 900123"
    tracker = tracker_for(session, **SUBMITTING)
    anyio.run(ActionAskHandoverConsent(runtime).run, CollectingDispatcher(), tracker, {})
    return tracker


def test_a_typed_number_stays_in_the_gateway_and_rasa_gets_given(runtime: Runtime, session: ChatSession) -> None:
    session.typed = "07700 900123"
    tracker = asked(session, "contact_detail", contact_method="phone")
    slots = ValidateHandoverForm(runtime).validate_contact_detail("/inform", CollectingDispatcher(), tracker, {})
    assert slots == {"contact_detail": GIVEN}
    assert session.answers["contact_detail"] == "07700 900123"


def test_an_invalid_number_is_refused_and_nothing_kept(runtime: Runtime, session: ChatSession) -> None:
    session.typed = "not a number"
    tracker = asked(session, "contact_detail", contact_method="phone")
    slots = ValidateHandoverForm(runtime).validate_contact_detail("/inform", CollectingDispatcher(), tracker, {})
    assert slots == {"contact_detail": None} and "contact_detail" not in session.answers


def test_the_consent_message_goes_through_the_outbox_with_the_count_and_choices(
    runtime: Runtime, session: ChatSession
) -> None:
    session.answers["contact_detail"] = "07700 900123"
    dispatcher = CollectingDispatcher()
    tracker = tracker_for(session, handover_service="harbour", contact_method="phone")
    anyio.run(ActionAskHandoverConsent(runtime).run, dispatcher, tracker, {})
    assert dispatcher.messages[0]["custom"] == {OUTBOX: 0}, "Rasa carries only the index"
    assert "07700 900123" not in str(dispatcher.messages), "her number never goes to Rasa"
    consent = next(iter(session.outbox.values()))
    assert "07700 900123" in consent["text"] and "Your messages that will be shared: 0." in consent["text"]
    payloads = [b["payload"] for b in consent["buttons"]]
    assert payloads == ["/affirm", "/deny", CONTACT_ONLY_PAYLOAD, REVIEW_PAYLOAD]


@pytest.mark.parametrize(("share", "expected_turns"), [(True, 1), (False, 0)])
def test_what_she_chose_to_share_is_what_is_stored(
    runtime: Runtime, session: ChatSession, share: bool, expected_turns: int
) -> None:
    session.transcript = session.transcript[:1]
    session.answers["contact_detail"] = "07700 900123"
    session.share_transcript = share
    tracker = tracker_for(session, **SUBMITTING)
    anyio.run(ActionSubmitHandover(runtime).run, CollectingDispatcher(), tracker, {})
    with runtime.database.unit_of_work() as db:
        newest = handovers.of_org(db, "harbour")[0]
        transcript = handovers.transcript_of(newest, runtime.cipher)
        contact = handovers.contact_of(newest, runtime.cipher)
    assert len(transcript) == expected_turns and contact["detail"] == "07700 900123"
    assert session.answers == {} and session.share_transcript, "the form's state is reset after submitting"


def test_a_conversation_the_gateway_does_not_hold_is_answered_through_rasa(runtime: Runtime) -> None:
    """Bare Rasa (the bench's baseline) has no gateway session and none of her words there: text goes as is."""
    dispatcher = CollectingDispatcher()
    stranger = Tracker("not-a-session", {}, {"text": "/cancel"}, [], False, None, {}, "action_listen")
    anyio.run(ActionCancelHandover(runtime).run, dispatcher, stranger, {})
    assert dispatcher.messages and "Nothing has been sent" in str(dispatcher.messages[0]["text"])


def failing(error: BaseException) -> Any:
    @contextlib.contextmanager
    def unit_of_work() -> Iterator[None]:
        raise error
        yield

    return unit_of_work


@pytest.mark.parametrize(
    "error",
    [
        sqlalchemy.exc.OperationalError("INSERT", {}, Exception("database is locked")),
        sqlalchemy.exc.TimeoutError("QueuePool limit reached"),
        OSError(errno.ENOSPC, "No space left on device"),
    ],
    ids=["locked", "pool-exhausted", "disk-full"],
)
def test_a_failed_store_tells_her_it_was_not_sent_and_withdraws_only_her_consent(
    runtime: Runtime, session: ChatSession, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    tracker = consented(runtime, session)
    before = stored(runtime)
    monkeypatch.setattr(runtime.database, "unit_of_work", failing(error))
    events = anyio.run(ActionSubmitHandover(runtime).run, CollectingDispatcher(), tracker, {})
    monkeypatch.undo()
    told = list(session.outbox.values())[-1]
    assert "could not be sent to Harbour Support Services" in told["text"] and "03000 202 525" in told["text"]
    assert "999" in told["text"]
    assert [b["payload"] for b in told["buttons"]] == ["/request_handover", "/main_menu"]
    assert events == [SlotSet("handover_consent", None)], "only consent is withdrawn: trying again asks only that"
    assert session.answers["contact_detail"] == "07700 900123"
    assert stored(runtime) == before


def test_the_same_consent_arriving_twice_stores_one_handover(runtime: Runtime, session: ChatSession) -> None:
    """A retry after a timeout: the "yes" to one consent question arrives again and finds the first handover."""
    tracker = consented(runtime, session)
    before = stored(runtime)
    anyio.run(ActionSubmitHandover(runtime).run, CollectingDispatcher(), tracker, {})
    first = list(session.outbox.values())[-1]["text"]
    session.answers["contact_detail"] = "07700 900123"  # as Rasa's retry finds the form, not yet told it ended
    anyio.run(ActionSubmitHandover(runtime).run, CollectingDispatcher(), tracker, {})
    assert stored(runtime) == before + 1
    assert list(session.outbox.values())[-1]["text"] == first, "the same reference both times"


def test_each_consent_question_has_its_own_key(runtime: Runtime, session: ChatSession) -> None:
    consented(runtime, session)
    first = session.consent_key
    consented(runtime, session)
    assert first and session.consent_key and session.consent_key != first


@pytest.mark.parametrize(
    ("slot", "answer"), [("contact_detail", "07700 900123"), ("safe_times", "after 6"), ("nickname", "Sam")]
)
def test_an_answer_already_given_stays_when_the_form_reopens(
    runtime: Runtime, session: ChatSession, slot: str, answer: str
) -> None:
    """Trying again after a failed send: Rasa validates the filled fields, and "try again" answers none of them."""
    session.answers[slot] = answer
    session.typed = "try again"
    validate = getattr(ValidateHandoverForm(runtime), f"validate_{slot}")
    slots = validate(GIVEN, CollectingDispatcher(), tracker_for(session, contact_method="phone"), {})
    assert slots == {slot: GIVEN} and session.answers[slot] == answer


def test_typed_words_answer_only_the_field_that_was_asked(runtime: Runtime, session: ChatSession) -> None:
    session.typed = "try again"
    form = ValidateHandoverForm(runtime)
    reopened = form.validate_contact_method("phone", CollectingDispatcher(), tracker_for(session), {})
    answering = form.validate_contact_method("phone", CollectingDispatcher(), asked(session, "contact_method"), {})
    assert reopened == {"contact_method": "phone"} and answering == {"contact_method": None}


def test_a_conversation_that_has_sent_its_handovers_is_told_none_was_sent(
    runtime: Runtime, session: ChatSession
) -> None:
    session.handovers_sent = runtime.settings.handovers_per_session
    tracker = consented(runtime, session)
    before = stored(runtime)
    events = anyio.run(ActionSubmitHandover(runtime).run, CollectingDispatcher(), tracker, {})
    assert "could not be sent" in list(session.outbox.values())[-1]["text"]
    assert events == [SlotSet("handover_consent", None)] and stored(runtime) == before


def test_an_organisation_past_its_hourly_bound_gets_no_more_but_a_retry_still_finds_its_handover(
    runtime: Runtime, session: ChatSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.limits, "handovers", SlidingWindow(1, 3600))
    tracker = consented(runtime, session)
    before = stored(runtime)
    anyio.run(ActionSubmitHandover(runtime).run, CollectingDispatcher(), tracker, {})
    sent = list(session.outbox.values())[-1]["text"]
    session.answers["contact_detail"] = "07700 900123"
    anyio.run(ActionSubmitHandover(runtime).run, CollectingDispatcher(), tracker, {})
    assert list(session.outbox.values())[-1]["text"] == sent, "the same consent again: its reference, not a refusal"
    consented(runtime, session)  # a new consent question: a new handover, past the organisation's bound
    anyio.run(ActionSubmitHandover(runtime).run, CollectingDispatcher(), tracker, {})
    assert "could not be sent" in list(session.outbox.values())[-1]["text"]
    assert stored(runtime) == before + 1
