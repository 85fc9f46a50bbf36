"""One turn of a conversation, whatever the channel: redact, ask Rasa's NLU, drive Rasa, record, erase.

The only path from a victim's words to Rasa, so redaction cannot be skipped by a new route. Rasa never holds
her words: her (redacted) text goes only to Rasa's NLU parse, which keeps nothing, and the dialogue is driven
with a payload the gateway composes (`/intent`, or a button's payload it offered). The handover form's answers
and the actions' messages stay in the gateway's session (api/sessions.py, actions/common.py).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import anyio

from actions.common import OUTBOX
from api.content.renderer import Button, Message
from api.core.logging import pseudonym
from api.pipeline.danger_model import Reading, several_sentences
from api.pipeline.language import mentioned_language, named_language
from api.pipeline.normalise import clean
from api.rasa_client import DANGER, Parsed, RasaUnavailable
from api.review import (
    CONTACT_ONLY_PAYLOAD,
    GATEWAY_BUTTONS,
    REVIEW_PAYLOAD,
    her_message_count,
    review_intro,
    review_labels,
    shared_turns,
)
from api.runtime import Runtime
from api.sessions import ChatSession, Turn

log = logging.getLogger(__name__)

# The key of a domain response's custom JSON that names it (bot/domain/*.yml); form questions start ASK_PREFIX.
RESPONSE = "response"
ASK_PREFIX = "utter_ask_"
STATUS_ONLY_PAYLOAD = "/ask_safe_to_report"
ANSWER_PAYLOAD = "/inform"
DANGER_PAYLOAD = "/" + DANGER
DELETE_PAYLOAD = "/delete_chat"
LANGUAGE_SUPPORT_PAYLOAD = "/ask_language_support"
CHANGE_LANGUAGE = "change_language"
# Form fields answered in her own words, and the intents that still win while she is answering one.
FREE_TEXT_ANSWERS = frozenset({"handover_service", "contact_method", "contact_detail", "safe_times", "nickname"})
ALWAYS_HEARD = frozenset({DANGER, "delete_chat"})
# Typed "cancel" or "skip" still work while a question is open, when NLU is sure of them: typed cancel words
# scored 0.64-0.99 on this model, a name with a code in it ("Ana qz62...") 0.31.
CONTROLS = frozenset({"cancel", "skip"})
CONTROL_CONFIDENCE = 0.6

# "/intent" or '/intent{"entity":"value"}', as Rasa's buttons send them.
# A payload: /intent, or /intent with at most two entities mapping names to plain strings (no escapes, no control
# characters), short enough that no payload can carry a message. The schema serves this same pattern.
_ENTITY = r'"[a-z_]{1,32}": ?"[^"\\\x00-\x1f]{0,48}"'
PAYLOAD_PATTERN = re.compile(rf"^/[a-z][a-z_]{{0,63}}(\{{(?:{_ENTITY}(?:, ?{_ENTITY})?)?\}})?$")


class BadInput(ValueError):
    """A message the gateway refuses, with a reason safe to show (it never repeats the text)."""


class NotOffered(BadInput):
    """A well-formed payload that this conversation did not offer: right shape, wrong moment."""


@dataclass(frozen=True)
class Inbound:
    """One inbound turn: the payload Rasa gets (empty until NLU names it), what the transcript shows, and what
    she typed (redacted), which the handover form reads from the session."""

    payload: str
    shown: str
    shown_en: str | None = None
    switched_from: str | None = None
    typed: str | None = None
    nlu_text: str = ""
    # Her words before redaction, for the gateway's danger model only: read in memory during this turn, never
    # stored, logged or sent to Rasa. Redaction must never hide danger ("the agent says the van comes at 2am to
    # move us" can read as a status statement and be removed whole).
    unredacted: str = field(default="", repr=False)


@dataclass(frozen=True)
class Reply:
    messages: list[Message]
    ended: bool = False
    # The first message is the 999 guidance: every channel keeps it first (before a language notice or a
    # channel's own prefix), because in danger the first thing she reads is 999.
    danger: bool = False


def check_payload(payload: str) -> str:
    match = PAYLOAD_PATTERN.fullmatch(payload)
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


def _as_messages(
    replies: list[dict[str, Any]], take: Callable[[int], Message | None], render: Callable[[str, str], Message]
) -> list[Message]:
    """Rasa's REST output as her messages: a domain response is only its name (and the service slot it needs),
    rendered here from the catalogs; an action's message is only its number in the outbox. Anything else Rasa
    sends (a text from a story, an image) is not ours and is dropped."""
    messages: list[Message] = []
    for reply in replies:
        custom = reply.get("custom")
        if not isinstance(custom, dict):
            continue
        number, response = custom.get(OUTBOX), custom.get(RESPONSE)
        if isinstance(number, int):
            posted = take(number)
            if posted is not None:
                messages.append(posted)
        elif isinstance(response, str):
            messages.append(render(response, str(custom.get("handover_service") or "")))
    return messages


def _offered(messages: list[Message]) -> dict[str, str]:
    return {b["payload"]: b["title"] for m in messages for b in m["buttons"]}


def _offered_buttons(session: ChatSession) -> list[Button]:
    return [{"title": title, "payload": payload} for payload, title in session.offered.items()]


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

    def accepted_payload(self, session: ChatSession, payload: str) -> str:
        """A payload Rasa may receive: one of the buttons the gateway offered (or a fixed menu's), or a bare
        intent of the domain. Anything else could carry her own characters into Rasa's tracker, so it is
        refused, whatever it holds."""
        check_payload(payload)
        if payload in session.offered or payload in session.options or payload in self.runtime.content.responses.titles:
            return payload
        if payload[1:] in self.runtime.intents:
            return payload
        raise NotOffered("that button is not offered in this conversation")

    def review_message(self, session: ChatSession) -> Message:
        """What the service will see, as one message (for clients without the web chat's review panel), with
        the consent buttons again. Not part of the transcript: it is about it."""
        catalog = self.runtime.content.catalog
        labels = review_labels(catalog, session.language)
        lines = [review_intro(catalog, session)]
        lines += [f"{labels['you' if t.role == 'user' else 'assistant']}: {t.text}" for t in shared_turns(session)]
        if not her_message_count(session):
            lines.append(labels["none"])
        buttons = [b for b in _offered_buttons(session) if b["payload"] != REVIEW_PAYLOAD]
        return {"text": "\n".join(lines), "buttons": buttons}

    def _button_title(self, session: ChatSession, payload: str) -> tuple[str, str | None]:
        """What the victim saw on the button she pressed, and its English, for the transcript."""
        content = self.runtime.content
        language, source = session.language, content.catalog.source_language
        key = content.responses.titles.get(payload) or GATEWAY_BUTTONS.get(payload)
        if key:
            english = content.catalog.text(source, key) if language != source else None
            return content.catalog.text(language, key), english
        # Buttons built at run time: a service's name or a language's own name, the same in every language.
        title = session.offered.get(payload)
        return (title, title if language != source else None) if title else (payload, None)

    async def reply(self, session: ChatSession, *, text: str | None = None, payload: str | None = None) -> Reply:
        """One turn, for every channel: check what she sent, prepare it, ask Rasa, compose and record the reply."""
        self.check_input(text, payload)
        async with session.lock:
            session.last_seen = time.monotonic()
            began = time.perf_counter()
            if len(session.transcript) >= self.runtime.settings.max_transcript_turns and payload != DELETE_PAYLOAD:
                # A bound on what one conversation holds in memory; she is still told how to get help now.
                return Reply(messages=_for_her(self.runtime.content.safe_fallback(session.language)), danger=True)
            # check_input let through exactly one of the two.
            turn = await self._inbound_text(session, text) if text is not None else self._pressed(session, str(payload))
            if isinstance(turn, Reply):
                return turn
            session.transcript.append(Turn.now("user", turn.shown, turn.shown_en))
            messages, rasa, danger = await self._drive_rasa(session, turn)
            self._log_turn(session, turn, rasa, began)
            messages = self._compose(session, turn, messages, danger)
            if session.erase_requested:
                await self._erase_locked(session)
                return Reply(messages=_for_her(messages), ended=True)
            session.transcript.extend(Turn.now("bot", m["text"], m.get("text_en")) for m in messages)
            session.offered = _offered(messages)
            return Reply(messages=_for_her(messages), danger=danger)

    def check_input(self, text: str | None, payload: str | None) -> None:
        """The rules for what any channel may send: text she typed or a payload she pressed, never both, and text
        no longer than MAX_MESSAGE_CHARS (a channel that cannot refuse a message cuts it first: `fit`)."""
        if (text is None) == (payload is None):
            raise BadInput("send either text or payload")
        limit = self.runtime.settings.max_message_chars
        if text is not None and len(text) > limit:
            raise BadInput(f"the message is too long: at most {limit} characters")

    def fit(self, text: str) -> str:
        """Her text cut to the length the web chat refuses beyond, for SMS, which cannot be refused: a text
        sent back unanswered would leave her with nothing."""
        return text[: self.runtime.settings.max_message_chars]

    def _pressed(self, session: ChatSession, payload: str) -> Inbound | Reply:
        """A button she pressed (or its number on SMS), if this conversation offered it."""
        self.accepted_payload(session, payload)
        # A statement continues only into the very next typed message: after a button, her next words (a phone
        # number the form asked for) are read on their own.
        session.status_pending = False
        if payload == REVIEW_PAYLOAD:
            return Reply(messages=[self.review_message(session)])
        shown, shown_en = self._button_title(session, payload)
        if payload == CONTACT_ONLY_PAYLOAD:
            # She consents to sending how to contact her, and nothing of the conversation.
            session.share_transcript = False
            return Inbound("/affirm", shown, shown_en)
        return Inbound(payload, shown, shown_en)

    def _compose(self, session: ChatSession, turn: Inbound, messages: list[Message], danger: bool) -> list[Message]:
        """Rasa's messages in the order she reads them: in danger the 999 guidance stays first, before what an
        action said late and before the note that her language changed."""
        late = session.take_late()
        if not messages and not late:
            messages = [self.runtime.content.message(session.language, "utter_main_menu")]
        # What an action said after its turn gave up on Rasa comes now: after the 999 guidance, never before.
        at = 1 if danger and messages else 0
        messages[at:at] = late
        if turn.switched_from and session.language != turn.switched_from:
            messages.insert(at, self._switch_notice(session.language, turn.switched_from))
        return messages

    def _log_turn(self, session: ChatSession, turn: Inbound, rasa: str, began: float) -> None:
        """Only the shape of the turn: never her words, her number or the session's id (a keyed pseudonym)."""
        log.info(
            "chat.turn",
            extra={
                "session": pseudonym(self.runtime.settings.internal_secret.get_secret_value(), session.id),
                "channel": session.channel,
                "language": session.language,
                "kind": "text" if turn.typed is not None else "button",
                "switched_language": turn.switched_from is not None,
                "translated": turn.typed is not None and turn.shown_en is not None,
                "rasa": rasa,
                "ms": round((time.perf_counter() - began) * 1000, 1),
            },
        )

    async def _inbound_text(self, session: ChatSession, text: str) -> Inbound:
        """Her text, redacted (and translated where a model is installed); the payload is settled later."""
        named = named_language(text, self.runtime.language_names)
        # Her name, a number or safe times, typed where the form asked for them, say nothing of her language.
        answering = session.expecting in FREE_TEXT_ANSWERS
        detected = None if named or answering else self.runtime.languages.detect(text)
        switched_from = None
        if detected and detected.language != session.language:
            switched_from, session.language = session.language, detected.language
        language = session.language
        redaction = self.runtime.redactor.redact(
            text, self.marker(language), language, previous_removed=session.status_pending
        )
        # A next message that continues a removed statement goes too; only this flag is kept, never the words.
        session.status_pending = redaction.ends_removed
        shown = redaction.text
        shown_en = await self._to_english(shown, language)
        if named:
            return Inbound(f'/choose_language{{"language":"{named}"}}', shown, shown_en, switched_from, shown)
        return Inbound(
            "", shown, shown_en, switched_from, shown, nlu_text=self._for_nlu(shown_en or shown), unredacted=clean(text)
        )

    async def _drive_rasa(self, session: ChatSession, turn: Inbound) -> tuple[list[Message], str, bool]:
        """One turn in Rasa: NLU for her words (which it does not keep), then the payload that drives it.

        Also says whether the reply leads with the 999 guidance (danger, or the safe fallback, which does)."""
        expecting, session.typed, session.expecting = session.expecting, turn.typed, None
        payload = turn.payload
        try:
            payload = payload or await self._payload_for(turn, expecting, session.language)
            if payload == LANGUAGE_SUPPORT_PAYLOAD:
                session.wanted_language = self._wanted_language(session, turn)
            await self.runtime.failpoints.reach("reply.before_rasa")
            raw = await self.runtime.rasa.send(session.sender_id, payload)
            await self.runtime.failpoints.reach("reply.after_rasa")
            messages = _as_messages(raw, session.take, partial(self._render, session))
            return messages, "ok", payload == DANGER_PAYLOAD and bool(messages)
        except RasaUnavailable:
            if payload == DELETE_PAYLOAD:
                # Erasing never waits on Rasa: the gateway forgets her now (and Rasa's tracker when it can).
                session.erase_requested = True
                return [self.runtime.content.message(session.language, "chat_deleted")], "unavailable", False
            return self.runtime.content.safe_fallback(session.language), "unavailable", True
        finally:
            session.typed = None

    def _render(self, session: ChatSession, response: str, service_id: str) -> Message:
        """A domain response Rasa named, in the conversation's language (with its English twin), rendered once."""
        if response.startswith(ASK_PREFIX):
            # A form question (utter_ask_<slot>): what she types next answers it.
            session.expecting = response[len(ASK_PREFIX) :]
        content = self.runtime.content
        service = content.directory.get(service_id)
        values = {"service_name": service.name} if service is not None else {}
        try:
            return content.message(session.language, response, None, **values)
        except KeyError:
            log.error("conversation: no catalog message for response", extra={"response": response})
            return content.safe_fallback(session.language)[0]

    def _wanted_language(self, session: ChatSession, turn: Inbound) -> str:
        """The language she asked a person to speak: the one she named, else the one she writes in. Only the
        code is kept, in the gateway's session; Rasa never sees it."""
        source = self.runtime.content.catalog.source_language
        named = mentioned_language(turn.typed or "", self.runtime.language_names, source)
        return named or session.language

    async def _payload_for(self, turn: Inbound, expecting: str | None, language: str) -> str:
        reading = self._danger_reading(turn.unredacted)
        if reading is not None and reading.danger:
            return DANGER_PAYLOAD
        nlu_text = turn.nlu_text
        if not any(c.isalnum() for c in nlu_text):
            # She told us only about her status, which was removed: answer what she most likely fears
            # (is it safe to report?) rather than let NLU guess from nothing.
            return STATUS_ONLY_PAYLOAD
        parsed = await self._intent(nlu_text)
        if parsed.intent == DANGER and reading is not None and reading.contradicts_danger:
            # The danger model reads danger better than Rasa's intent classifier, and puts it far behind another
            # intent ("urdu me baat kro plz"): Rasa's next answer is taken instead.
            parsed = parsed.instead()
        if expecting in FREE_TEXT_ANSWERS and not self._heard_over_an_answer(parsed):
            # She is answering the question just asked (her name, a number, safe times), and a name is not
            # "cancel": typed text is her answer unless it is danger, "delete this chat", or a confident
            # cancel or skip (the buttons beside the question do those too).
            return ANSWER_PAYLOAD
        if parsed.intent == CHANGE_LANGUAGE and (asked := self._asked_language(turn, language)):
            return f'/choose_language{{"language":"{asked}"}}'
        return "/" + parsed.intent

    def _asked_language(self, turn: Inbound, language: str) -> str | None:
        """The language she asks the chat to write in, when she names one we have ("can you write in English?",
        "po angielsku prosze", "bangla porte pari na, english e likhen"): the first she names that is not the one
        the chat is in. Without a name, the language menu is shown instead."""
        asked = mentioned_language(turn.typed or "", self.runtime.language_names, language)
        return asked if asked and asked != language and self.runtime.content.catalog.has(asked) else None

    @staticmethod
    def _heard_over_an_answer(parsed: Parsed) -> bool:
        if parsed.intent in ALWAYS_HEARD:
            return not parsed.guessed
        return parsed.intent in CONTROLS and parsed.confidence >= CONTROL_CONFIDENCE

    def _danger_reading(self, unredacted: str) -> Reading | None:
        """The dedicated danger model (api/pipeline/danger_model.py) on her words before redaction: the message,
        and each sentence when there are several ("three lines about her job, then: tonight he strangled me and
        he is downstairs"). None without the model: Rasa's danger then stands alone."""
        danger_model = self.runtime.danger
        if danger_model is None or not unredacted.strip():
            return None
        return danger_model.read(unredacted, several_sentences(unredacted, self.runtime.redactor.sentences))

    async def _intent(self, nlu_text: str) -> Parsed:
        """Rasa's intent for the (redacted) message, read whole. Sentence by sentence is the danger model's job:
        Rasa's top intent on a lone sentence ("he was angry.") is danger far too often, and on the validation
        split reading each sentence with Rasa too raised false danger on long messages from 0.15 to 0.37 for one
        danger message in 147 (bench/danger_sentences.py)."""
        return await self.runtime.rasa.parse(nlu_text)

    def _for_nlu(self, text: str) -> str:
        """Her words for NLU only: without the marker (its wording, "removed", must not steer NLU), and never
        starting with "/", which Rasa would read as a payload and log."""
        for marker in self.runtime.redactor.markers:
            text = text.replace(marker, " ")
        return " ".join(text.split()).strip(" ,;").lstrip("/ ")

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
        """Erase idle sessions and their trackers. (Trackers left by an earlier run go in a job of their own.)"""
        idle = self.runtime.sessions.take_idle()
        for session in idle:
            await anyio.to_thread.run_sync(self.runtime.trackers.erase, session.sender_id)
        return len(idle)
