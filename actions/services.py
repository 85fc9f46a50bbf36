"""Services from the directory for what the victim described, independent services first."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import StatefulAction
from api.content.directory import NEEDS


def need_from_intent(intent: str) -> str | None:
    need = intent.removeprefix("need_")
    return need if need in NEEDS else None


class ActionShowServices(StatefulAction, Action):
    def name(self) -> str:
        return "action_show_services"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        turn = self.turn(dispatcher, tracker)
        need = need_from_intent(turn.latest_intent())
        turn.say(*turn.content.services_messages(turn.language, need))
        return [SlotSet("need", need)] if need else []


class ActionLanguageSupport(StatefulAction, Action):
    """Someone who speaks her language: the gateway noted which one she named (session.wanted_language), or
    it is the language she writes in."""

    def name(self) -> str:
        return "action_language_support"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        turn = self.turn(dispatcher, tracker)
        session = turn.session
        wanted = (session.wanted_language if session else None) or turn.language
        turn.say(*turn.content.language_support_messages(turn.language, wanted))
        return []
