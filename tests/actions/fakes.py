"""A fake conversation state for actions: real content, sessions in a dict, and nothing else of the gateway
(no Rasa, no database, no runtime), so an action that reached for more than its state would fail here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker

from api.content.renderer import Content
from api.sessions import ChatSession


@dataclass
class FakeState:
    content: Content
    sessions: dict[str, ChatSession] = field(default_factory=dict)
    default_language: str = "en"

    def session_of(self, sender_id: str) -> ChatSession | None:
        return self.sessions.get(sender_id)

    def language_of(self, sender_id: str) -> str:
        session = self.sessions.get(sender_id)
        return session.language if session else self.default_language

    def start(self, language: str = "en", channel: str = "web") -> ChatSession:
        session = ChatSession(id=f"s{len(self.sessions)}", sender_id=f"sender-{len(self.sessions)}", language=language)
        session.channel = channel
        self.sessions[session.sender_id] = session
        return session


def tracker_for(
    sender_id: str,
    intent: str,
    entities: list[dict[str, Any]] | None = None,
    events: list[dict[str, Any]] | None = None,
) -> Tracker:
    latest = {"text": f"/{intent}", "intent": {"name": intent}, "entities": entities or []}
    return Tracker(sender_id, {}, latest, events or [], False, None, {}, "action_listen")
