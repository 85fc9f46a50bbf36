"""'Delete this chat': the action only asks; the gateway erases once the turn is over, tracker included."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import language_of, runtime, say


class ActionDeleteChat(Action):
    def name(self) -> str:
        return "action_delete_chat"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        session = runtime().session_of(tracker.sender_id)
        if session is not None:
            session.erase_requested = True
        say(dispatcher, tracker, runtime().content.message(language_of(tracker), "chat_deleted"))
        return []
