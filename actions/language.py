"""Choosing the conversation's language. The choice lives in the gateway's session, where replies are rendered."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import StatefulAction, Turn
from api.content.renderer import Button, Message


def language_buttons(turn: Turn) -> list[Button]:
    languages = turn.content.catalog.languages.values()
    return [
        {"title": info.native_name, "payload": f'/choose_language{{"language":"{info.code}"}}'} for info in languages
    ]


def language_menu(turn: Turn) -> Message:
    return turn.content.message(turn.language, "language_menu", buttons=language_buttons(turn))


class ActionShowLanguageMenu(StatefulAction, Action):
    def name(self) -> str:
        return "action_show_language_menu"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        turn = self.turn(dispatcher, tracker)
        turn.say(language_menu(turn))
        return []


class ActionSetLanguage(StatefulAction, Action):
    def name(self) -> str:
        return "action_set_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        turn = self.turn(dispatcher, tracker)
        code = next(tracker.get_latest_entity_values("language"), None)
        if code is None or not turn.content.catalog.has(code):
            turn.say(language_menu(turn))
            return []
        session = turn.session
        if session is not None:
            session.language = code
        turn.say(turn.content.message(code, "language_changed"))
        return []
