"""The handover form: choose a service, say how and when it is safe to be contacted, consent, submit.

Nothing is stored unless the victim consents at the last step; "I will contact them myself" stores nothing.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Protocol

import anyio
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.common import GIVEN, ConversationState, StatefulAction, Turn
from api.content.directory import Service
from api.content.renderer import Button, Content
from api.core.config import Settings
from api.core.crypto import Cipher
from api.core.db import Database
from api.core.failpoints import Failpoints
from api.core.formats import is_email
from api.core.ratelimit import SlidingWindow
from api.portal.notice import Notices
from api.repositories import handovers
from api.review import CONTACT_ONLY_PAYLOAD, REVIEW_PAYLOAD, SERVICE_NAME, her_message_count, transcript_for_handover
from api.sessions import ChatSession, new_token

FORM_SLOTS = [
    "handover_service",
    "contact_method",
    "contact_detail",
    "safe_times",
    "leave_message",
    "nickname",
    "handover_consent",
]
SKIPPED = "-"
METHOD_WORDS = {
    "phone": ("phone", "call", "ring", "telephone"),
    "text": ("text", "sms", "message me"),
    "email": ("email", "e-mail", "mail"),
    "self": ("myself", "my self", "self", "i will contact", "i'll contact", "contact them"),
}
TRY_AGAIN_PAYLOAD = "/request_handover"
log = logging.getLogger(__name__)
PHONE = re.compile(r"^\+?[\d\s().-]{7,20}$")
MAX_FREE_TEXT = 200
MAX_NICKNAME = 60


class HandoverLimits(Protocol):
    @property
    def handovers(self) -> SlidingWindow: ...


class HandoverState(ConversationState, Protocol):
    """What storing a consented handover needs beyond the conversation: the gateway's Runtime is one."""

    @property
    def settings(self) -> Settings: ...
    @property
    def database(self) -> Database: ...
    @property
    def cipher(self) -> Cipher: ...
    @property
    def limits(self) -> HandoverLimits: ...
    @property
    def notices(self) -> Notices: ...
    @property
    def failpoints(self) -> Failpoints: ...


def _service(turn: Turn) -> Service | None:
    return turn.content.directory.get(str(turn.slot("handover_service") or ""))


def _cancel_button(turn: Turn) -> Button:
    return turn.content.button(turn.language, "button.cancel", "/cancel")


def _given(value: Any) -> str | None:
    return None if value in (None, "", SKIPPED) else str(value)


def _reset(turn: Turn) -> list[dict[str, Any]]:
    session = turn.session
    if session is not None:
        session.answers.clear()
        session.share_transcript = True
        session.expecting = None  # the form is over: what she types next is not an answer to it
    return [SlotSet(slot, None) for slot in FORM_SLOTS]


class ActionAskHandoverService(StatefulAction, Action):
    def name(self) -> str:
        return "action_ask_handover_service"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        turn = self.turn(dispatcher, tracker)
        targets = turn.content.directory.handover_targets(turn.slot("need"))
        buttons: list[Button] = [
            {"title": s.name, "payload": f'/inform{{"handover_service":"{s.id}"}}'} for s in targets
        ]
        choose = turn.content.message(
            turn.language, "handover_choose_service", buttons=[*buttons, _cancel_button(turn)]
        )
        turn.say(choose, asking="handover_service")
        return []


class ActionAskContactDetail(StatefulAction, Action):
    def name(self) -> str:
        return "action_ask_contact_detail"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        turn = self.turn(dispatcher, tracker)
        method = turn.slot("contact_method") or "phone"
        service = _service(turn)
        message = turn.content.message(
            turn.language,
            f"ask_contact_detail.{method}",
            buttons=[_cancel_button(turn)],
            service_name=service.name if service else "",
        )
        turn.say(message, asking="contact_detail")
        return []


def contact_summary(language: str, turn: Turn) -> str:
    """How the service will contact her, in her language: exactly what the handover will hold."""
    content = turn.content
    catalog = content.catalog
    method = turn.slot("contact_method")
    detail = content.number(language, turn.answer_of("contact_detail") or "")
    parts = [catalog.render(language, f"contact_summary.{method}", {"detail": detail})]
    safe_times = _given(turn.answer_of("safe_times"))
    if safe_times:
        parts.append(catalog.render(language, "contact_summary.safe_times", {"safe_times": safe_times}))
    leave = _given(turn.slot("leave_message"))
    if leave in ("yes", "no"):
        parts.append(catalog.text(language, f"contact_summary.leave_message.{leave}"))
    nickname = _given(turn.answer_of("nickname"))
    if nickname:
        parts.append(catalog.render(language, "contact_summary.nickname", {"nickname": nickname}))
    return "; ".join(parts)


class ActionAskHandoverConsent(StatefulAction, Action):
    def name(self) -> str:
        return "action_ask_handover_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        turn = self.turn(dispatcher, tracker)
        language = turn.language
        service = _service(turn)
        content = turn.content
        name = service.name if service else ""

        def render(lang: str) -> str:
            # The summary itself is rendered in each language, so the English twin is English throughout.
            summary = contact_summary(lang, turn)
            return content.text(lang, "handover_consent", service_name=name, contact_summary=summary)

        session = turn.session
        if session is not None:
            session.answers[SERVICE_NAME] = name
            session.share_transcript = True  # asked afresh: the whole conversation, unless she chooses less
            session.consent_key = new_token()  # this question's "yes", however often it arrives, stores once
        count = her_message_count(session) if session else 0

        def render_with_count(lang: str) -> str:
            return render(lang) + "\n" + content.text(lang, "handover_share_count", count=str(count))

        turn.say(content.bilingual(language, render_with_count, consent_buttons(content, language, session)))
        return []


def consent_buttons(content: Content, language: str, session: ChatSession | None) -> list[Button]:
    """Yes and no; send only how to contact her; and on the web, see first what will be shared."""
    buttons = [*content.buttons(language, "handover_consent")]
    buttons.append(content.button(language, "button.contact_only", CONTACT_ONLY_PAYLOAD))
    if session is not None and session.channel == "web":
        buttons.append(content.button(language, "button.review_shared", REVIEW_PAYLOAD))
    return buttons


def match_service(value: str, targets: list[Service]) -> Service | None:
    """A button's id, a typed name or part of it, or the option's number."""
    typed = value.strip().lower()
    if typed.isdigit() and 1 <= int(typed) <= len(targets):
        return targets[int(typed) - 1]
    for service in targets:
        if typed == service.id or (len(typed) >= 4 and typed in service.name.lower()):
            return service
    return None


def match_method(value: str) -> str | None:
    typed = value.strip().lower()
    if typed in METHOD_WORDS:
        return typed
    for method in ("self", "email", "text", "phone"):
        if any(word in typed for word in METHOD_WORDS[method]):
            return method
    return None


class ValidateHandoverForm(StatefulAction, FormValidationAction):
    def name(self) -> str:
        return "validate_handover_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if tracker.get_slot("contact_method") == "self":
            return ["handover_service", "contact_method"]
        return domain_slots

    def _invalid(self, turn: Turn, key: str, slot: str) -> dict[str, Any]:
        turn.say(turn.content.message(turn.language, key, buttons=[]))
        return {slot: None}

    def validate_handover_service(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        turn = self.turn(dispatcher, tracker)
        targets = turn.content.directory.handover_targets(turn.slot("need"))
        service = match_service(turn.her_words("handover_service", value), targets)
        if service is None:
            return self._invalid(turn, "handover_invalid_service", "handover_service")
        return {"handover_service": service.id}

    def validate_contact_method(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        turn = self.turn(dispatcher, tracker)
        method = match_method(turn.her_words("contact_method", value))
        if method is None:
            return self._invalid(turn, "contact_method_invalid", "contact_method")
        return {"contact_method": method}

    def validate_contact_detail(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        turn = self.turn(dispatcher, tracker)
        if turn.still_given("contact_detail", value):
            return {"contact_detail": GIVEN}
        method = turn.slot("contact_method") or "phone"
        detail = turn.her_words("contact_detail", value).strip()
        digits = sum(c.isdigit() for c in detail)
        valid = is_email(detail) if method == "email" else PHONE.match(detail) and 7 <= digits <= 15
        if not valid:
            return self._invalid(turn, f"contact_detail_invalid.{method}", "contact_detail")
        return {"contact_detail": turn.keep_answer("contact_detail", detail)}

    def _free_text(self, turn: Turn, slot: str, value: Any, limit: int) -> dict[str, Any]:
        """Safe times and a nickname: optional, kept in the gateway, cut to a bound."""
        if value == SKIPPED or turn.still_given(slot, value):
            return {slot: value}
        words = turn.her_words(slot, value).strip()[:limit]
        return {slot: turn.keep_answer(slot, words) if words else SKIPPED}

    def validate_safe_times(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._free_text(self.turn(dispatcher, tracker), "safe_times", value, MAX_FREE_TEXT)

    def validate_nickname(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._free_text(self.turn(dispatcher, tracker), "nickname", value, MAX_NICKNAME)


class ActionSubmitHandover(Action):
    def __init__(self, state: HandoverState) -> None:
        self.state = state

    def name(self) -> str:
        return "action_submit_handover"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        state = self.state
        turn = Turn(state, dispatcher, tracker)
        content = state.content
        language = turn.language
        service = _service(turn)
        if service is None:
            turn.say(content.message(language, "handover_cancelled"))
            return _reset(turn)
        if turn.slot("contact_method") == "self":
            contact_line = _contact_line(turn, service)
            turn.say(content.message(language, "handover_self", service_name=service.name, contact_line=contact_line))
            return _reset(turn)
        if turn.slot("handover_consent") != "yes":
            turn.say(content.message(language, "handover_not_sent"))
            return _reset(turn)
        session = turn.session
        transcript = [vars(line).copy() for line in transcript_for_handover(session)] if session else []
        contact = {
            "method": turn.slot("contact_method"),
            "detail": _given(turn.answer_of("contact_detail")),
            "safe_times": _given(turn.answer_of("safe_times")),
            "leave_message": _given(turn.slot("leave_message")),
            "nickname": _given(turn.answer_of("nickname")),
            # The language to talk with her in: the one she asked for, else the one she wrote in.
            "language": (session.wanted_language if session else None) or language,
        }

        key = session.consent_key if session else None

        def store() -> str:
            with state.database.unit_of_work() as db:
                existing = handovers.by_consent_key(db, key)
                if existing is not None:
                    return existing.reference  # this consent was stored already: the same reference again
                if not _within_limits(state, session, service.id):
                    raise HandoverLimited
                return handovers.create(
                    db,
                    state.cipher,
                    service_id=service.id,
                    need=turn.slot("need"),
                    language=language,
                    contact=contact,
                    transcript=transcript,
                    consent_key=key,
                ).reference

        await state.failpoints.reach("handover.before_store")
        try:
            reference = await anyio.to_thread.run_sync(store)
        except (SQLAlchemyError, OSError, HandoverLimited) as error:
            # The database is down, locked, full or out of connections, or a limit is reached. Only the kind of
            # failure is logged.
            log.error("handover not stored: %s", type(error).__name__)
            return _not_stored(turn, service)
        await state.failpoints.reach("handover.after_store")
        if session is not None:
            session.handovers_sent += 1
        state.notices.announce(service.id)
        shown_reference = content.number(language, reference)
        turn.say(content.message(language, "handover_sent", service_name=service.name, reference=shown_reference))
        return _reset(turn)


class HandoverLimited(Exception):
    """This conversation has sent its handovers, or the organisation has had its hour's worth."""


def _within_limits(state: HandoverState, session: ChatSession | None, org_id: str) -> bool:
    """A script must not fill an organisation's queue: a few handovers per conversation, a bound per hour."""
    if session is not None and session.handovers_sent >= state.settings.handovers_per_session:
        return False
    return state.limits.handovers.allow(org_id)


def _contact_line(turn: Turn, service: Service) -> str:
    """How to reach the service herself: its phone number, else its website."""
    content, language = turn.content, turn.language
    if service.shown_phone:
        return content.number(language, service.shown_phone)
    return content.catalog.render(
        language, "handover_self_no_phone", {"website": content.number(language, service.website)}
    )


def _not_stored(turn: Turn, service: Service) -> list[dict[str, Any]]:
    """She is told it was not sent and how to reach the service herself; only her consent is withdrawn.

    Her answers stay, so "try again" asks for consent only (the form finds every other field given).
    """
    content, language = turn.content, turn.language
    buttons = [
        content.button(language, "button.try_again", TRY_AGAIN_PAYLOAD),
        content.button(language, "button.main_menu", "/main_menu"),
    ]
    message = content.message(
        language,
        "handover_failed",
        buttons=buttons,
        service_name=service.name,
        contact_line=_contact_line(turn, service),
    )
    turn.say(message)
    session = turn.session
    if session is not None:
        session.expecting = None
    return [SlotSet("handover_consent", None)]


class ActionCancelHandover(StatefulAction, Action):
    def name(self) -> str:
        return "action_cancel_handover"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        turn = self.turn(dispatcher, tracker)
        turn.say(turn.content.message(turn.language, "handover_cancelled"))
        return _reset(turn)
