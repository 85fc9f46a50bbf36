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
        dispatcher.utter_message(text=message["text"], buttons=list(message["buttons"]))


def latest_intent(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name") or "")
