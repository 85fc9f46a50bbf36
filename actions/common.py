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


def say(dispatcher: CollectingDispatcher, *messages: Message) -> None:
    for message in messages:
        # The English twin travels as custom JSON, which Rasa hands back to the gateway after the text.
        english = {"text_en": message["text_en"]} if "text_en" in message else None
        dispatcher.utter_message(text=message["text"], buttons=list(message["buttons"]), json_message=english)


def her_words(tracker: Tracker, slot_value: object) -> str:
    """What she typed (redacted, untranslated) for a free-text answer.

    Rasa may have seen a machine translation; a phone number, a name or safe times must be kept as she wrote
    them, so they come from the gateway's record of her latest message when there is one.
    """
    session = runtime().session_of(tracker.sender_id)
    users = [turn for turn in session.transcript if turn.role == "user"] if session else []
    pressed = str(tracker.latest_message.get("text") or "").startswith("/")  # a button: Rasa saw its payload
    if users and users[-1].text_en is not None and not pressed:
        return users[-1].text
    return str(slot_value or "")


def latest_intent(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name") or "")
