"""What every custom action needs: the gateway's runtime, the conversation's language, a way to speak."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from api.content.renderer import Message
from api.runtime import Runtime, current


def runtime() -> Runtime:
    return current()


def language_of(tracker: Tracker) -> str:
    return runtime().language_of(tracker.sender_id)


OUTBOX = "outbox"
# The value of a free-text slot in Rasa: an answer was given (what it was stays in the gateway).
GIVEN = "given"


def say(dispatcher: CollectingDispatcher, tracker: Tracker, *messages: Message, asking: str | None = None) -> None:
    """An action's messages stay in the gateway's session; Rasa carries only their number in its outbox.

    Some of them hold her own words (the consent message repeats her number and name), and none of her words
    may reach Rasa's tracker. The gateway puts the messages back in order after the turn (api/conversation.py).
    `asking` names the form field a question asks for, so that what she types next is taken as her answer.
    """
    session = runtime().session_of(tracker.sender_id)
    if session is None:
        # Not a conversation of the gateway's (bare Rasa, as bench/conversations.py drives it as its baseline, or
        # one erased while the action ran): the gateway holds none of her words for it, so the text goes as is.
        for message in messages:
            english = {"text_en": message["text_en"]} if "text_en" in message else None
            dispatcher.utter_message(text=message["text"], buttons=list(message["buttons"]), json_message=english)
        return
    if asking:
        session.expecting = asking
    for message in messages:
        dispatcher.utter_message(json_message={OUTBOX: session.post(message)})


def her_words(tracker: Tracker, slot: str, slot_value: object) -> str:
    """What she typed this turn (redacted, untranslated), for the field the form asked; a button's value otherwise.

    Rasa only ever sees an intent payload, so a phone number, a name or safe times come from the gateway's
    session, as she wrote them. Her text answers only the question asked (Rasa's requested_slot): when the form
    re-opens with fields already filled, what she typed then ("try again") is no one's answer.
    """
    session = runtime().session_of(tracker.sender_id)
    if session is not None and session.typed is not None and tracker.get_slot("requested_slot") == slot:
        return session.typed
    value = str(slot_value or "")
    return "" if value.startswith("/") else value  # a payload's own text is not an answer


def still_given(tracker: Tracker, slot: str, value: object) -> bool:
    """A free-text answer she gave before, still held in the gateway (the form re-opened after a failed send)."""
    return value == GIVEN and answer_of(tracker, slot) is not None


def answer_of(tracker: Tracker, slot: str) -> str | None:
    """A free-text form answer she gave, from the gateway's session (Rasa's slot only says one was given)."""
    session = runtime().session_of(tracker.sender_id)
    return session.answers.get(slot) if session is not None else None


def keep_answer(tracker: Tracker, slot: str, value: str) -> str:
    """Keep a free-text answer in the gateway's session; the slot Rasa records is only GIVEN."""
    session = runtime().session_of(tracker.sender_id)
    if session is not None:
        session.answers[slot] = value
    return GIVEN


def latest_intent(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name") or "")
