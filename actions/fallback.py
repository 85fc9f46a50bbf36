"""Never a dead end: a rephrase prompt with the menu, and after two misunderstandings in a row, help anyway.

(An unsure message whose likeliest intent is danger never gets here: the gateway acts on it as danger,
api/rasa_client.acted_intent.)"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import StatefulAction

NOT_UNDERSTOOD = {"nlu_fallback", "out_of_scope"}


def misunderstood_in_a_row(tracker: Tracker) -> int:
    """How many of the latest user messages, counting back from this one, were not understood."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent not in NOT_UNDERSTOOD:
            break
        count += 1
    return count


class ActionHandleFallback(StatefulAction, Action):
    def name(self) -> str:
        return "action_handle_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        turn = self.turn(dispatcher, tracker)
        content, language = turn.content, turn.language
        if misunderstood_in_a_row(tracker) >= 2:
            turn.say(content.message(language, "fallback_twice", buttons=[]))
            turn.say(*content.services_messages(language, None))
        else:
            turn.say(content.message(language, "fallback_rephrase"))
        # Rasa's core fallback runs this action when no rule fits; listening next stops it from looping.
        return [FollowupAction("action_listen")]
