"""One turn of a conversation, whatever the channel: redact, forward to Rasa, record, erase when asked.

The only path from a victim's words to Rasa, so redaction cannot be skipped by a new route.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass
from typing import Any

import anyio

from api.content.renderer import Button, Message
from api.core.logging import pseudonym
from api.pipeline.language import named_language
from api.rasa_client import RasaUnavailable
from api.runtime import Runtime
from api.sessions import ChatSession, Turn

log = logging.getLogger(__name__)

STATUS_ONLY_PAYLOAD = "/ask_safe_to_report"

# "/intent" or '/intent{"entity":"value"}', as Rasa's buttons send them.
PAYLOAD_PATTERN = re.compile(r"^/[a-z][a-z_]{0,63}(\{.{0,200}\})?$")


class BadInput(ValueError):
    """A message the gateway refuses, with a reason safe to show (it never repeats the text)."""


@dataclass(frozen=True)
class Reply:
    messages: list[Message]
    ended: bool = False


def check_payload(payload: str) -> str:
    match = PAYLOAD_PATTERN.match(payload)
    if not match:
        raise BadInput('payload must look like /intent or /intent{"entity": "value"}')
    if match.group(1):
        try:
            entities = json.loads(match.group(1))
        except ValueError:
            raise BadInput("the entities of a payload must be a JSON object") from None
        if not isinstance(entities, dict) or not all(isinstance(v, str) for v in entities.values()):
            raise BadInput("the entities of a payload must map names to strings")
    return payload


def _as_messages(replies: list[dict[str, Any]]) -> list[Message]:
    """Rasa's REST output: each text (with its buttons), then, as a message of its own, the custom JSON that
    carries the text's English twin (see routes/nlg.py and actions/common.py)."""
    messages: list[Message] = []
    for reply in replies:
        text = reply.get("text")
        if isinstance(text, str) and text:
            buttons: list[Button] = [
                {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                for b in reply.get("buttons") or []
                if isinstance(b, dict)
            ]
            messages.append({"text": text, "buttons": buttons})
        custom = reply.get("custom")
        if messages and isinstance(custom, dict) and isinstance(custom.get("text_en"), str):
            messages[-1]["text_en"] = custom["text_en"]
    return messages


def _offered(messages: list[Message]) -> dict[str, str]:
    return {b["payload"]: b["title"] for m in messages for b in m["buttons"]}


def _for_her(messages: list[Message]) -> list[Message]:
    """What the victim is sent: her language only (the English twins are for the transcript)."""
    return [{"text": m["text"], "buttons": m["buttons"]} for m in messages]


class Conversation:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def start(self, language: str, channel: str = "web") -> tuple[ChatSession, list[Message]]:
        session = self.runtime.sessions.create(language, channel)
        welcome = self.runtime.content.message(language, "utter_welcome")
        session.transcript.append(Turn.now("bot", welcome["text"], welcome.get("text_en")))
        session.offered = _offered([welcome])
        return session, _for_her([welcome])

    def marker(self, language: str) -> str:
        return self.runtime.content.catalog.text(language, "redaction.marker")

    def _button_title(self, session: ChatSession, payload: str) -> tuple[str, str | None]:
        """What the victim saw on the button she pressed, and its English, for the transcript."""
        content = self.runtime.content
        language, source = session.language, content.catalog.source_language
        for menu in content.responses.menus.values():
            for button in menu:
                if button.payload == payload:
                    english = content.catalog.text(source, button.title) if language != source else None
                    return content.catalog.text(language, button.title), english
        # Buttons built at run time: a service's name or a language's own name, the same in every language.
        title = session.offered.get(payload)
        return (title, title if language != source else None) if title else (payload, None)

    async def reply(self, session: ChatSession, *, text: str | None = None, payload: str | None = None) -> Reply:
        async with session.lock:
            session.last_seen = time.monotonic()
            language = session.language
            switched_from = None
            shown_en = None
            if payload is not None:
                message = check_payload(payload)
                if self.runtime.redactor.is_status(message, language):
                    raise BadInput("a payload may not carry free text")
                shown, shown_en = self._button_title(session, payload)
            elif text is not None:
                named = named_language(text, self.runtime.language_names)
                detected = None if named else self.runtime.languages.detect(text)
                if detected and detected.language != language:
                    switched_from, session.language = language, detected.language
                    language = detected.language
                shown = self.runtime.redactor.redact(text, self.marker(language), language).text
                shown_en = await self._to_english(shown, language)
                # Rasa gets her words without the marker: its wording ("removed") must not steer NLU.
                message = f'/choose_language{{"language":"{named}"}}' if named else self._for_nlu(shown_en or shown)
                if not named and not any(c.isalnum() for c in message):
                    # She told us only about her status, which was removed: answer what she most likely fears
                    # (is it safe to report?) rather than let NLU guess from the marker's words.
                    message = STATUS_ONLY_PAYLOAD
            else:
                raise BadInput("send either text or payload")
            session.transcript.append(Turn.now("user", shown, shown_en))
            began = time.perf_counter()
            rasa = "ok"
            try:
                raw = await self.runtime.rasa.send(session.sender_id, message)
                messages = _as_messages(raw)
            except RasaUnavailable:
                rasa = "unavailable"
                messages = self.runtime.content.safe_fallback(session.language)
            log.info(
                "chat.turn",
                extra={
                    "session": pseudonym(self.runtime.settings.internal_secret.get_secret_value(), session.id),
                    "channel": session.channel,
                    "language": session.language,
                    "kind": "button" if payload is not None else "text",
                    "switched_language": switched_from is not None,
                    "translated": text is not None and shown_en is not None,
                    "rasa": rasa,
                    "ms": round((time.perf_counter() - began) * 1000, 1),
                },
            )
            if not messages:
                messages = [self.runtime.content.message(session.language, "utter_main_menu")]
            if switched_from and session.language != switched_from:
                messages.insert(0, self._switch_notice(session.language, switched_from))
            if session.erase_requested:
                await self._erase_locked(session)
                return Reply(messages=_for_her(messages), ended=True)
            session.transcript.extend(Turn.now("bot", m["text"], m.get("text_en")) for m in messages)
            session.offered = _offered(messages)
            return Reply(messages=_for_her(messages))

    def _for_nlu(self, text: str) -> str:
        for marker in self.runtime.redactor.markers:
            text = text.replace(marker, " ")
        return " ".join(text.split()).strip(" ,;")

    async def _to_english(self, redacted: str, language: str) -> str | None:
        """Machine translation for NLU and the support worker, where a package is installed; else None.

        The translation is redacted too: nothing MT writes may reintroduce a status the victim's words lost.
        """
        translator = self.runtime.translator
        if language not in translator.available():
            return None
        english = await anyio.to_thread.run_sync(translator.to_english, redacted, language)
        return self.runtime.redactor.redact(english).text if english and english.strip() else None

    def _switch_notice(self, language: str, previous: str) -> Message:
        """One line saying the language changed, with a button to go back."""
        catalog = self.runtime.content.catalog
        names = {
            "language_name": catalog.languages[language].native_name,
            "previous_language_name": catalog.languages[previous].native_name,
        }
        back: Button = {
            "title": catalog.render(language, "button.back_to_language", names),
            "payload": f'/choose_language{{"language":"{previous}"}}',
        }
        return self.runtime.content.bilingual(
            language, lambda lang: catalog.render(lang, "language_switched", names), [back]
        )

    async def erase(self, session: ChatSession) -> None:
        """Forget the session at once, then erase its tracker once any turn in flight has finished."""
        self.runtime.sessions.remove(session)
        async with session.lock:
            await self._erase_locked(session)

    async def _erase_locked(self, session: ChatSession) -> None:
        self.runtime.sessions.remove(session)
        await anyio.to_thread.run_sync(self.runtime.trackers.erase, session.sender_id)

    async def purge_idle(self) -> int:
        """Erase idle sessions and any tracker idle for longer than the idle period (also after a restart)."""
        idle = self.runtime.sessions.take_idle()
        for session in idle:
            await anyio.to_thread.run_sync(self.runtime.trackers.erase, session.sender_id)
        seconds = self.runtime.settings.session_idle_minutes * 60
        await anyio.to_thread.run_sync(self.runtime.trackers.purge_idle, seconds)
        return len(idle)
