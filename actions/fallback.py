"""Never a dead end: a rephrase prompt with the menu, and after two misunderstandings in a row, help anyway."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import language_of, runtime, say

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


def unsure_but_maybe_danger(tracker: Tracker) -> bool:
    ranking = [r.get("name") for r in tracker.latest_message.get("intent_ranking") or []]
    candidates = [name for name in ranking if name != "nlu_fallback"]
    return bool(candidates) and candidates[0] == "immediate_danger"


class ActionHandleFallback(Action):
    def name(self) -> str:
        return "action_handle_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        content = runtime().content
        language = language_of(tracker)
        if unsure_but_maybe_danger(tracker):
            # Safety first: a message the model was unsure about but thought most likely to be danger gets
            # the danger guidance, not a request to rephrase.
            say(dispatcher, content.message(language, "utter_danger"))
            return [FollowupAction("action_listen")]
        if misunderstood_in_a_row(tracker) >= 2:
            say(dispatcher, content.message(language, "fallback_twice", buttons=[]))
            say(dispatcher, *content.services_messages(language, None))
        else:
            say(dispatcher, content.message(language, "fallback_rephrase"))
        # Rasa's core fallback runs this action when no rule fits; listening next stops it from looping.
        return [FollowupAction("action_listen")]
