"""Short-lived conversation state. Nothing here outlives the idle period, "delete this chat" or quick exit.

The session id is the browser's bearer secret; Rasa only ever sees a separate random sender id, so nothing in
Rasa's tracker store can be used to drive the web session.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from api.content.renderer import Message


def new_token() -> str:
    """A random identifier of 192 bits, URL-safe."""
    return secrets.token_urlsafe(24)


@dataclass
class Turn:
    role: str  # "user" or "bot"
    text: str  # redacted, in the conversation's language
    text_en: str | None
    at: str

    @classmethod
    def now(cls, role: str, text: str, text_en: str | None = None) -> Turn:
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        return cls(role=role, text=text, text_en=text_en, at=stamp)


@dataclass
class ChatSession:
    id: str
    sender_id: str
    language: str
    channel: str = "web"
    last_seen: float = field(default_factory=time.monotonic)
    transcript: list[Turn] = field(default_factory=list)
    erase_requested: bool = False
    # SMS: the payloads of the numbered options last offered ("Reply 1 for ...").
    options: list[str] = field(default_factory=list)
    # The buttons last shown (payload -> title), so the transcript records what she pressed in her words,
    # also for buttons built at run time (a service's name), not only the fixed menus.
    offered: dict[str, str] = field(default_factory=dict)
    # Her words never go to Rasa. During a turn, `typed` is what she typed (redacted, untranslated), for the
    # handover form's actions to read; `answers` keeps the form's free-text answers (Rasa's slots only say that
    # one was given); `outbox` holds the actions' rendered messages, which Rasa carries only as a number.
    typed: str | None = None
    answers: dict[str, str] = field(default_factory=dict)
    outbox: dict[int, Message] = field(default_factory=dict)
    posted: int = 0
    # The form field the assistant's last question asked for (Rasa's requested_slot), so that what she types
    # next is taken as her answer (a name is not "cancel"), unless it is danger or "delete this chat".
    expecting: str | None = None
    # The language she asked a person to speak with her in ("someone who speaks Portuguese"); a handover tells
    # the service, with the conversation's language when she never asked.
    wanted_language: str | None = None
    # Before consenting she may choose to send only how to contact her, not the conversation (api/review.py).
    share_transcript: bool = True
    # Random, new each time consent is asked, and kept until the next time: the handover it stores carries it, so
    # the same "yes" arriving again (Rasa retried, or she pressed it again after a timeout) stores once.
    consent_key: str | None = None
    # How many handovers this conversation has sent (HANDOVERS_PER_SESSION bounds it).
    handovers_sent: int = 0
    # Her last message ended on a removed status statement: a next one that continues it goes too. A flag only.
    status_pending: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    def post(self, message: Message) -> int:
        """Keep an action's message until a reply delivers it; its number is all that Rasa carries."""
        number, self.posted = self.posted, self.posted + 1
        self.outbox[number] = message
        return number

    def take(self, number: int) -> Message | None:
        return self.outbox.pop(number, None)

    def take_late(self) -> list[Message]:
        """Messages no reply has delivered: said after their turn gave up on Rasa ("sent, your reference is ...").

        Each message reaches her once: in its own turn's reply, or else at the top of her next one.
        """
        late = list(self.outbox.values())
        self.outbox.clear()
        return late


class MemorySessionStore:
    """In-process store for the embedded default (one gateway process)."""

    def __init__(self, idle_seconds: float) -> None:
        self.idle_seconds = idle_seconds
        self._by_id: dict[str, ChatSession] = {}
        self._by_sender: dict[str, ChatSession] = {}

    def create(self, language: str, channel: str = "web") -> ChatSession:
        session = ChatSession(id=new_token(), sender_id=new_token(), language=language, channel=channel)
        self._by_id[session.id] = session
        self._by_sender[session.sender_id] = session
        return session

    def _alive(self, session: ChatSession | None) -> ChatSession | None:
        if session is None or time.monotonic() - session.last_seen > self.idle_seconds:
            return None
        return session

    def get(self, session_id: str) -> ChatSession | None:
        return self._alive(self._by_id.get(session_id))

    def by_sender(self, sender_id: str) -> ChatSession | None:
        return self._alive(self._by_sender.get(sender_id))

    def remove(self, session: ChatSession) -> None:
        self._by_id.pop(session.id, None)
        self._by_sender.pop(session.sender_id, None)
        session.transcript.clear()
        session.answers.clear()
        session.outbox.clear()
        session.typed = None

    def take_idle(self) -> list[ChatSession]:
        """Remove and return the sessions idle for longer than the idle period."""
        cutoff = time.monotonic() - self.idle_seconds
        idle = [s for s in self._by_id.values() if s.last_seen < cutoff]
        for session in idle:
            self.remove(session)
        return idle
