"""Choosing the conversation's language. The choice lives in the gateway's session, where NLG reads it."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import language_of, runtime, say
from api.content.renderer import Button


def language_buttons() -> list[Button]:
    languages = runtime().content.catalog.languages.values()
    return [
        {"title": info.native_name, "payload": f'/choose_language{{"language":"{info.code}"}}'} for info in languages
    ]


class ActionShowLanguageMenu(Action):
    def name(self) -> str:
        return "action_show_language_menu"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        say(
            dispatcher,
            tracker,
            runtime().content.message(language_of(tracker), "language_menu", buttons=language_buttons()),
        )
        return []


class ActionSetLanguage(Action):
    def name(self) -> str:
        return "action_set_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        code = next(tracker.get_latest_entity_values("language"), None)
        session = runtime().session_of(tracker.sender_id)
        if code is None or not runtime().content.catalog.has(code):
            say(
                dispatcher,
                tracker,
                runtime().content.message(language_of(tracker), "language_menu", buttons=language_buttons()),
            )
            return []
        if session is not None:
            session.language = code
        say(dispatcher, tracker, runtime().content.message(code, "language_changed"))
        return []
