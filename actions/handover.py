"""The handover form: choose a service, say how and when it is safe to be contacted, consent, submit.

Nothing is stored unless the victim consents at the last step; "I will contact them myself" stores nothing.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import anyio
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.common import GIVEN, answer_of, her_words, keep_answer, language_of, runtime, say, still_given
from api.content.directory import Service
from api.content.renderer import Button
from api.core.formats import is_email
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


def _service(tracker: Tracker) -> Service | None:
    return runtime().content.directory.get(str(tracker.get_slot("handover_service") or ""))


def _cancel_button(language: str) -> Button:
    return runtime().content.button(language, "button.cancel", "/cancel")


def _given(value: Any) -> str | None:
    return None if value in (None, "", SKIPPED) else str(value)


def _reset(tracker: Tracker) -> list[dict[str, Any]]:
    session = runtime().session_of(tracker.sender_id)
    if session is not None:
        session.answers.clear()
        session.share_transcript = True
        session.expecting = None  # the form is over: what she types next is not an answer to it
    return [SlotSet(slot, None) for slot in FORM_SLOTS]


class ActionAskHandoverService(Action):
    def name(self) -> str:
        return "action_ask_handover_service"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        content = runtime().content
        language = language_of(tracker)
        targets = content.directory.handover_targets(tracker.get_slot("need"))
        buttons: list[Button] = [
            {"title": s.name, "payload": f'/inform{{"handover_service":"{s.id}"}}'} for s in targets
        ]
        say(
            dispatcher,
            tracker,
            content.message(language, "handover_choose_service", buttons=[*buttons, _cancel_button(language)]),
            asking="handover_service",
        )
        return []


class ActionAskContactDetail(Action):
    def name(self) -> str:
        return "action_ask_contact_detail"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        language = language_of(tracker)
        method = tracker.get_slot("contact_method") or "phone"
        service = _service(tracker)
        message = runtime().content.message(
            language,
            f"ask_contact_detail.{method}",
            buttons=[_cancel_button(language)],
            service_name=service.name if service else "",
        )
        say(dispatcher, tracker, message, asking="contact_detail")
        return []


def contact_summary(language: str, tracker: Tracker) -> str:
    """How the service will contact her, in her language: exactly what the handover will hold."""
    content = runtime().content
    catalog = content.catalog
    method = tracker.get_slot("contact_method")
    detail = content.number(language, answer_of(tracker, "contact_detail") or "")
    parts = [catalog.render(language, f"contact_summary.{method}", {"detail": detail})]
    safe_times = _given(answer_of(tracker, "safe_times"))
    if safe_times:
        parts.append(catalog.render(language, "contact_summary.safe_times", {"safe_times": safe_times}))
    leave = _given(tracker.get_slot("leave_message"))
    if leave in ("yes", "no"):
        parts.append(catalog.text(language, f"contact_summary.leave_message.{leave}"))
    nickname = _given(answer_of(tracker, "nickname"))
    if nickname:
        parts.append(catalog.render(language, "contact_summary.nickname", {"nickname": nickname}))
    return "; ".join(parts)


class ActionAskHandoverConsent(Action):
    def name(self) -> str:
        return "action_ask_handover_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        language = language_of(tracker)
        service = _service(tracker)
        content = runtime().content
        name = service.name if service else ""

        def render(lang: str) -> str:
            # The summary itself is rendered in each language, so the English twin is English throughout.
            summary = contact_summary(lang, tracker)
            return content.text(lang, "handover_consent", service_name=name, contact_summary=summary)

        session = runtime().session_of(tracker.sender_id)
        if session is not None:
            session.answers[SERVICE_NAME] = name
            session.share_transcript = True  # asked afresh: the whole conversation, unless she chooses less
            session.consent_key = new_token()  # this question's "yes", however often it arrives, stores once
        count = her_message_count(session) if session else 0

        def render_with_count(lang: str) -> str:
            return render(lang) + "\n" + content.text(lang, "handover_share_count", count=str(count))

        say(dispatcher, tracker, content.bilingual(language, render_with_count, consent_buttons(language, session)))
        return []


def consent_buttons(language: str, session: ChatSession | None) -> list[Button]:
    """Yes and no; send only how to contact her; and on the web, see first what will be shared."""
    content = runtime().content
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


class ValidateHandoverForm(FormValidationAction):
    def name(self) -> str:
        return "validate_handover_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if tracker.get_slot("contact_method") == "self":
            return ["handover_service", "contact_method"]
        return domain_slots

    def _invalid(self, dispatcher: CollectingDispatcher, tracker: Tracker, key: str, slot: str) -> dict[str, Any]:
        say(dispatcher, tracker, runtime().content.message(language_of(tracker), key, buttons=[]))
        return {slot: None}

    def validate_handover_service(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        targets = runtime().content.directory.handover_targets(tracker.get_slot("need"))
        service = match_service(her_words(tracker, "handover_service", value), targets)
        if service is None:
            return self._invalid(dispatcher, tracker, "handover_invalid_service", "handover_service")
        return {"handover_service": service.id}

    def validate_contact_method(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        method = match_method(her_words(tracker, "contact_method", value))
        if method is None:
            return self._invalid(dispatcher, tracker, "contact_method_invalid", "contact_method")
        return {"contact_method": method}

    def validate_contact_detail(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if still_given(tracker, "contact_detail", value):
            return {"contact_detail": GIVEN}
        method = tracker.get_slot("contact_method") or "phone"
        detail = her_words(tracker, "contact_detail", value).strip()
        digits = sum(c.isdigit() for c in detail)
        valid = is_email(detail) if method == "email" else PHONE.match(detail) and 7 <= digits <= 15
        if not valid:
            return self._invalid(dispatcher, tracker, f"contact_detail_invalid.{method}", "contact_detail")
        return {"contact_detail": keep_answer(tracker, "contact_detail", detail)}

    def validate_safe_times(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value == SKIPPED or still_given(tracker, "safe_times", value):
            return {"safe_times": value}
        words = her_words(tracker, "safe_times", value).strip()[:MAX_FREE_TEXT]
        return {"safe_times": keep_answer(tracker, "safe_times", words) if words else SKIPPED}

    def validate_nickname(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value == SKIPPED or still_given(tracker, "nickname", value):
            return {"nickname": value}
        words = her_words(tracker, "nickname", value).strip()[:60]
        return {"nickname": keep_answer(tracker, "nickname", words) if words else SKIPPED}


class ActionSubmitHandover(Action):
    def name(self) -> str:
        return "action_submit_handover"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        rt = runtime()
        content = rt.content
        language = language_of(tracker)
        service = _service(tracker)
        if service is None:
            say(dispatcher, tracker, content.message(language, "handover_cancelled"))
            return _reset(tracker)
        if tracker.get_slot("contact_method") == "self":
            contact_line = _contact_line(language, service)
            say(
                dispatcher,
                tracker,
                content.message(language, "handover_self", service_name=service.name, contact_line=contact_line),
            )
            return _reset(tracker)
        if tracker.get_slot("handover_consent") != "yes":
            say(dispatcher, tracker, content.message(language, "handover_not_sent"))
            return _reset(tracker)
        session = rt.session_of(tracker.sender_id)
        transcript = [vars(turn).copy() for turn in transcript_for_handover(session)] if session else []
        contact = {
            "method": tracker.get_slot("contact_method"),
            "detail": _given(answer_of(tracker, "contact_detail")),
            "safe_times": _given(answer_of(tracker, "safe_times")),
            "leave_message": _given(tracker.get_slot("leave_message")),
            "nickname": _given(answer_of(tracker, "nickname")),
            # The language to talk with her in: the one she asked for, else the one she wrote in.
            "language": (session.wanted_language if session else None) or language,
        }

        key = session.consent_key if session else None

        def store() -> str:
            with rt.database.unit_of_work() as db:
                existing = handovers.by_consent_key(db, key)
                if existing is not None:
                    return existing.reference  # this consent was stored already: the same reference again
                if not _within_limits(session, service.id):
                    raise HandoverLimited
                return handovers.create(
                    db,
                    rt.cipher,
                    service_id=service.id,
                    need=tracker.get_slot("need"),
                    language=language,
                    contact=contact,
                    transcript=transcript,
                    consent_key=key,
                ).reference

        await rt.failpoints.reach("handover.before_store")
        try:
            reference = await anyio.to_thread.run_sync(store)
        except (SQLAlchemyError, OSError, HandoverLimited) as error:
            # The database is down, locked, full or out of connections, or a limit is reached. Only the kind of
            # failure is logged.
            log.error("handover not stored: %s", type(error).__name__)
            return _not_stored(dispatcher, tracker, language, service)
        await rt.failpoints.reach("handover.after_store")
        if session is not None:
            session.handovers_sent += 1
        rt.notices.announce(service.id)
        shown_reference = content.number(language, reference)
        say(
            dispatcher,
            tracker,
            content.message(language, "handover_sent", service_name=service.name, reference=shown_reference),
        )
        return _reset(tracker)


class HandoverLimited(Exception):
    """This conversation has sent its handovers, or the organisation has had its hour's worth."""


def _within_limits(session: ChatSession | None, org_id: str) -> bool:
    """A script must not fill an organisation's queue: a few handovers per conversation, a bound per hour."""
    rt = runtime()
    if session is not None and session.handovers_sent >= rt.settings.handovers_per_session:
        return False
    return rt.limits.handovers.allow(org_id)


def _contact_line(language: str, service: Service) -> str:
    """How to reach the service herself: its phone number, else its website."""
    content = runtime().content
    if service.shown_phone:
        return content.number(language, service.shown_phone)
    return content.catalog.render(
        language, "handover_self_no_phone", {"website": content.number(language, service.website)}
    )


def _not_stored(
    dispatcher: CollectingDispatcher, tracker: Tracker, language: str, service: Service
) -> list[dict[str, Any]]:
    """She is told it was not sent and how to reach the service herself; only her consent is withdrawn.

    Her answers stay, so "try again" asks for consent only (the form finds every other field given).
    """
    content = runtime().content
    buttons = [
        content.button(language, "button.try_again", TRY_AGAIN_PAYLOAD),
        content.button(language, "button.main_menu", "/main_menu"),
    ]
    message = content.message(
        language,
        "handover_failed",
        buttons=buttons,
        service_name=service.name,
        contact_line=_contact_line(language, service),
    )
    say(dispatcher, tracker, message)
    session = runtime().session_of(tracker.sender_id)
    if session is not None:
        session.expecting = None
    return [SlotSet("handover_consent", None)]


class ActionCancelHandover(Action):
    def name(self) -> str:
        return "action_cancel_handover"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        say(dispatcher, tracker, runtime().content.message(language_of(tracker), "handover_cancelled"))
        return _reset(tracker)
