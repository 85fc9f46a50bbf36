"""'Delete this chat': the action only asks; the gateway erases once the turn is over, tracker included."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import StatefulAction


class ActionDeleteChat(StatefulAction, Action):
    def name(self) -> str:
        return "action_delete_chat"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        turn = self.turn(dispatcher, tracker)
        session = turn.session
        if session is not None:
            session.erase_requested = True
        turn.say(turn.content.message(turn.language, "chat_deleted"))
        return []
