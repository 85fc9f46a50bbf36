"""What every custom action needs: the gateway's state, passed in, and one turn's view of it.

The gateway builds each action once with its state (`actions.registry.executor_for`), so an action reaches the
conversation through what it was given, never through a module global, and a test can hand it a fake state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from api.content.renderer import Content, Message
from api.sessions import ChatSession


class ConversationState(Protocol):
    """The gateway's view of a conversation: her session (her words, her language) and the content to answer with.

    Handover submission needs more (the database, the cipher, the limits): `actions.handover.HandoverState`.
    """

    @property
    def content(self) -> Content: ...

    def session_of(self, sender_id: str) -> ChatSession | None: ...

    def language_of(self, sender_id: str) -> str: ...


OUTBOX = "outbox"
# The value of a free-text slot in Rasa: an answer was given (what it was stays in the gateway).
GIVEN = "given"


class StatefulAction:
    """Mixed into rasa-sdk's Action and FormValidationAction: built with the state it may use.

    rasa-sdk registers instances as well as classes, and these are registered as instances.
    """

    def __init__(self, state: ConversationState) -> None:
        self.state = state

    def turn(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Turn:
        return Turn(self.state, dispatcher, tracker)


@dataclass
class Turn:
    """One action call: the tracker Rasa sent, the dispatcher it reads back, and her session in the gateway."""

    state: ConversationState
    dispatcher: CollectingDispatcher
    tracker: Tracker

    @property
    def content(self) -> Content:
        return self.state.content

    @property
    def session(self) -> ChatSession | None:
        return self.state.session_of(self.tracker.sender_id)

    @property
    def language(self) -> str:
        return self.state.language_of(self.tracker.sender_id)

    def slot(self, name: str) -> Any:
        return self.tracker.get_slot(name)

    def say(self, *messages: Message, asking: str | None = None) -> None:
        """An action's messages stay in the gateway's session; Rasa carries only their number in its outbox.

        Some of them hold her own words (the consent message repeats her number and name), and none of her words
        may reach Rasa's tracker. The gateway puts the messages back in order after the turn (api/conversation.py).
        `asking` names the form field a question asks for, so that what she types next is taken as her answer.
        """
        session = self.session
        if session is None:
            # Not a conversation of the gateway's (bare Rasa, as bench/conversations.py drives it as its baseline,
            # or one erased while the action ran): the gateway holds none of her words for it, so the text goes as
            # is.
            for message in messages:
                english = {"text_en": message["text_en"]} if "text_en" in message else None
                self.dispatcher.utter_message(
                    text=message["text"], buttons=list(message["buttons"]), json_message=english
                )
            return
        if asking:
            session.expecting = asking
        for message in messages:
            self.dispatcher.utter_message(json_message={OUTBOX: session.post(message)})

    def her_words(self, slot: str, slot_value: object) -> str:
        """What she typed this turn (redacted, untranslated), for the field the form asked; a button's value
        otherwise.

        Rasa only ever sees an intent payload, so a phone number, a name or safe times come from the gateway's
        session, as she wrote them. Her text answers only the question asked (Rasa's requested_slot): when the form
        re-opens with fields already filled, what she typed then ("try again") is no one's answer.
        """
        session = self.session
        if session is not None and session.typed is not None and self.slot("requested_slot") == slot:
            return session.typed
        value = str(slot_value or "")
        return "" if value.startswith("/") else value  # a payload's own text is not an answer

    def still_given(self, slot: str, value: object) -> bool:
        """A free-text answer she gave before, still held in the gateway (the form re-opened after a failed send)."""
        return value == GIVEN and self.answer_of(slot) is not None

    def answer_of(self, slot: str) -> str | None:
        """A free-text form answer she gave, from the gateway's session (Rasa's slot only says one was given)."""
        session = self.session
        return session.answers.get(slot) if session is not None else None

    def keep_answer(self, slot: str, value: str) -> str:
        """Keep a free-text answer in the gateway's session; the slot Rasa records is only GIVEN."""
        session = self.session
        if session is not None:
            session.answers[slot] = value
        return GIVEN

    def latest_intent(self) -> str:
        return str((self.tracker.latest_message.get("intent") or {}).get("name") or "")
