"""The SMS channel: a victim texting from a basic phone, possibly watched.

Phone numbers are never stored or logged: a session is found by a keyed hash of the sender's number. Buttons
become numbered options; keywords (HELP, DELETE, language names, in every language) work on their own;
Twilio's opt-out words erase the session and get no reply. Twilio retries on timeouts, so a MessageSid is
answered once and its reply repeated.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from twilio.twiml.messaging_response import MessagingResponse

from api.content.renderer import Message
from api.conversation import Conversation, Reply
from api.core.files import read_yaml
from api.pipeline.normalise import keyword_form
from api.runtime import Runtime
from api.sessions import ChatSession
from api.sms.segments import split

log = logging.getLogger(__name__)

# Twilio's own opt-out and opt-in words: it blocks or unblocks the number itself.
OPT_OUT = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit"}
OPT_IN = {"start", "unstop"}
# MessageSids remembered at most (about 150 bytes each); past it the oldest are forgotten first.
MAX_SEEN = 200_000
PROTECTED = re.compile(r"\+?\d[\d \u2066\u2069-]{2,}\d|[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}|https?://\S+")


@dataclass(frozen=True)
class Keywords:
    # normalised word -> its language, or None when several languages list it ("madad" is Urdu and Punjabi):
    # such a word still works, in the conversation's language, and never switches it to a language she may not read.
    help: dict[str, str | None]
    delete: dict[str, str | None]
    delete_word: dict[str, str]  # language -> the word to tell people to send

    @classmethod
    def load(cls, translations: Path) -> Keywords:
        help_words: dict[str, str | None] = {}
        delete_words: dict[str, str | None] = {}
        first_delete: dict[str, str] = {}
        for path in sorted(translations.glob("*/keywords.yml")):
            language = path.parent.name
            data = read_yaml(path) or {}
            for words, table in ((data.get("help", []), help_words), (data.get("delete", []), delete_words)):
                for word in words:
                    key = keyword_form(str(word))
                    table[key] = language if table.get(key, language) == language else None
            if data.get("delete"):
                first_delete[language] = str(data["delete"][0]).upper()
        return cls(help=help_words, delete=delete_words, delete_word=first_delete)


@dataclass
class SmsChannel:
    runtime: Runtime
    keywords: Keywords
    sessions: dict[str, str] = field(default_factory=dict)  # phone pseudonym -> chat session id
    # MessageSid -> (when, sender's pseudonym, TwiML). A reply can hold her number (the consent summary), so a
    # sender's cached replies go when she sends DELETE or STOP.
    replies: dict[str, tuple[float, str, str]] = field(default_factory=dict)
    pending: dict[str, asyncio.Future[str]] = field(default_factory=dict)
    # Digest of every MessageSid answered within SMS_REPLAY_DAYS -> when, oldest first, at most MAX_SEEN: after
    # its reply is dropped, a replayed request still changes nothing.
    seen: dict[bytes, float] = field(default_factory=dict)

    @classmethod
    def create(cls, runtime: Runtime) -> SmsChannel:
        return cls(runtime=runtime, keywords=Keywords.load(runtime.settings.translations_dir))

    @property
    def conversation(self) -> Conversation:
        return Conversation(self.runtime)

    def pseudonym(self, number: str) -> str:
        settings = self.runtime.settings
        key = settings.sms_hash_key or settings.internal_secret
        digits = re.sub(r"[^\d+]", "", number)
        return hmac.new(key.get_secret_value().encode(), digits.encode(), hashlib.sha256).hexdigest()

    # --- entry point -------------------------------------------------------------------------------------

    async def handle(self, message_sid: str, sender: str, body: str) -> str:
        """TwiML for one inbound text; a retried MessageSid gets the first answer and changes nothing."""
        if message_sid in self.replies:
            return self.replies[message_sid][2]
        if message_sid in self.pending:
            return await asyncio.shield(self.pending[message_sid])
        digest = hashlib.sha256(message_sid.encode()).digest()[:16]
        if digest in self.seen:
            return str(MessagingResponse())  # a replay after its reply was dropped: nothing done, nothing sent
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.pending[message_sid] = future
        try:
            who = self.pseudonym(sender)
            twiml = await self._answer(who, body)
            self.replies[message_sid] = (time.monotonic(), who, twiml)
            self._remember(digest)  # only once answered: Twilio's retry of a text that failed must still be read
            future.set_result(twiml)
            return twiml
        except BaseException as error:
            future.set_exception(error)
            raise
        finally:
            self.pending.pop(message_sid, None)

    def _kind(self, word: str) -> str:
        """What a text is, decided once: a carrier keyword (STOP, START), HELP or DELETE in any language, or a
        message for the conversation."""
        if word in OPT_OUT:
            return "opt_out"
        if word in OPT_IN:
            return "opt_in"
        if word in self.keywords.help:
            return "help"
        if word in self.keywords.delete:
            return "delete"
        return "message"

    async def _answer(self, who: str, body: str) -> str:
        word = keyword_form(body)
        kind = self._kind(word)
        session = self._session(who)
        log.info("sms.inbound", extra={"sender": who[:12], "kind": kind, "new_session": session is None})
        if kind == "opt_out":
            if session is not None:
                await self._forget(who, session)
            return str(MessagingResponse())  # Twilio has blocked the number: say nothing
        if kind == "opt_in" and session is not None:
            await self._forget(who, session)
            session = None
        new = session is None
        session = session or self._start(who)
        before = session.language
        keyword_language = self.keywords.help.get(word) or self.keywords.delete.get(word)
        if keyword_language and keyword_language != self.runtime.settings.default_language:
            session.language = keyword_language  # "Pomoc" is answered in Polish
        if kind == "message" and not self.runtime.limits.sms.allow(who):
            return self._flooded(who, session.language)
        reply = await self._reply(kind, who, session, body)
        return self._twiml(session, self._ordered(session, reply, new, before), reply.ended)

    async def _reply(self, kind: str, who: str, session: ChatSession, body: str) -> Reply:
        language = session.language
        if kind == "opt_in":
            return Reply(messages=[self.runtime.content.message(language, "utter_welcome")])
        if kind == "help":
            return Reply(messages=[self._help(language)])
        if kind == "delete":
            await self._forget(who, session)
            return Reply(messages=[self._plain(language, "sms.deleted")], ended=True)
        text, payload = self._as_input(session, body)
        try:
            reply = await asyncio.wait_for(
                self.conversation.reply(session, text=text, payload=payload),
                timeout=self.runtime.settings.sms_reply_seconds,
            )
        except TimeoutError:
            return Reply(messages=self.runtime.content.safe_fallback(session.language), danger=True)
        if reply.ended:
            self.sessions.pop(who, None)
            return Reply(messages=[*reply.messages, self._plain(session.language, "sms.deleted")], ended=True)
        return reply

    def _ordered(self, session: ChatSession, reply: Reply, new: bool, before: str) -> list[Message]:
        """The channel's own notes (a watched phone, an unreviewed translation) go first, except in danger: then
        the first text she reads is 999, and the notes come after it."""
        language = session.language
        prefix = [self._plain(language, "sms.watched_phone")] if new else []
        notice = self.runtime.review_notice(language)
        if notice and (new or language != before):
            prefix.append({"text": notice, "buttons": []})
        first, rest = (reply.messages[:1], reply.messages[1:]) if reply.danger else ([], reply.messages)
        return [*first, *prefix, *rest]

    # --- sessions ------------------------------------------------------------------------------------------

    def _session(self, who: str) -> ChatSession | None:
        session_id = self.sessions.get(who)
        session = self.runtime.sessions.get(session_id) if session_id else None
        if session is None:
            self.sessions.pop(who, None)
        return session

    def _start(self, who: str) -> ChatSession:
        session = self.runtime.sessions.create(self.runtime.settings.default_language, channel="sms")
        self.sessions[who] = session.id
        return session

    async def _forget(self, who: str, session: ChatSession) -> None:
        self.sessions.pop(who, None)
        for sid in [sid for sid, (_, sender, _) in self.replies.items() if sender == who]:
            del self.replies[sid]
        await self.conversation.erase(session)

    def _remember(self, digest: bytes) -> None:
        self.seen[digest] = time.monotonic()
        while len(self.seen) > MAX_SEEN:
            del self.seen[next(iter(self.seen))]

    def purge(self) -> None:
        """Drop cached replies and number pseudonyms older than the idle period, and MessageSids older than the
        replay window."""
        settings = self.runtime.settings
        forget_before = time.monotonic() - settings.sms_replay_days * 86400
        while self.seen and next(iter(self.seen.values())) < forget_before:
            del self.seen[next(iter(self.seen))]
        cutoff = time.monotonic() - self.runtime.settings.session_idle_minutes * 60
        for sid in [sid for sid, (when, _, _) in self.replies.items() if when < cutoff]:
            del self.replies[sid]
        for who in list(self.sessions):
            self._session(who)

    # --- text ------------------------------------------------------------------------------------------------

    def _as_input(self, session: ChatSession, body: str) -> tuple[str | None, str | None]:
        """A reply of just a number picks the option offered with that number; right after the language
        menu, a language's code ("pl", "ar") picks that language."""
        stripped = body.strip()
        if stripped.isdigit() and 1 <= int(stripped) <= len(session.options):
            return None, session.options[int(stripped) - 1]
        code = stripped.lower()
        chooser = f'/choose_language{{"language":"{code}"}}'
        if code in self.runtime.content.catalog.languages and chooser in session.options:
            return None, chooser
        return body, None

    def _flooded(self, who: str, language: str) -> str:
        """Past SMS_MESSAGES_PER_MINUTE: one text with 999 and the helplines, then silence until the minute passes
        (every reply is a text someone pays for). STOP, HELP and DELETE always work."""
        if not self.runtime.limits.sms_told.allow(who):
            return str(MessagingResponse())
        response = MessagingResponse()
        response.message("\n".join(m["text"] for m in self.runtime.content.safe_fallback(language)))
        return str(response)

    def _plain(self, language: str, key: str) -> Message:
        return {"text": self.runtime.content.text(language, key), "buttons": []}

    def _help(self, language: str) -> Message:
        delete_word = self.keywords.delete_word.get(language) or self.keywords.delete_word.get("en", "DELETE")
        return {"text": self.runtime.content.text(language, "sms.help", delete_keyword=delete_word), "buttons": []}

    def _twiml(self, session: ChatSession, messages: list[Message], ended: bool) -> str:
        catalog = self.runtime.content.catalog
        language = session.language
        options: list[str] = []
        parts: list[str] = []
        for message in messages:
            lines = [message["text"]]
            for button in message["buttons"]:
                options.append(button["payload"])
                values = {"number": str(len(options)), "title": button["title"]}
                lines.append(catalog.render(language, "sms.option", values))
            parts.append("\n".join(lines))
        if not ended:
            session.options = options
        response = MessagingResponse()
        budget = self.runtime.settings.sms_segment_budget
        for part in parts:
            for chunk in split(part, budget, PROTECTED.findall(part)):
                response.message(chunk)
        return str(response)
