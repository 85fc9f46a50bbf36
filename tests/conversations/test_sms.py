"""The whole assistant by text message, through the real stack, signed as Twilio signs: English, Polish and
Arabic (right to left, UCS-2). Danger, the safe-reporting explanation, services, a complete handover by
numbered replies, DELETE and STOP."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from itertools import count

import httpx
import pytest

from api.core.db import Database
from api.repositories import handovers
from api.runtime import load_content
from api.sms.segments import segments
from api.stack import Stack
from tests.conftest import SMS_PUBLIC_URL, TWILIO_TOKEN
from tests.conversations.chat import REFERENCE, stack_cipher
from tests.helpers import make_settings
from tests.support.twilio import form, post

pytestmark = pytest.mark.stack

CONTENT = load_content(make_settings())
_numbers = count(100)
FIRST_WORDS = {
    "en": {
        "danger": "he is hitting me right now",
        "report": "will the police tell immigration if I report?",
        "services": "I need help, who can help me?",
        "handover": "please put me in touch with a support worker",
    },
    "pl": {
        "danger": "On mnie teraz bije, pomocy!",
        "report": "Czy zgłoszenie na policję jest bezpieczne?",
        "services": "Potrzebuję pomocy, kto może mi pomóc?",
        "handover": "Chcę, żeby ktoś do mnie zadzwonił",
    },
    "ar": {
        "danger": "إنه يضربني الآن ساعدوني",
        "report": "هل الإبلاغ للشرطة آمن؟",
        "services": "أحتاج مساعدة، من يستطيع مساعدتي؟",
        "handover": "أريد أن يتصل بي أحد من خدمة الدعم",
    },
}


class Phone:
    """One victim's phone texting the gateway."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http
        self.number = f"+4477009{next(_numbers):05d}"
        self.messages: list[str] = []

    def text(self, body: str) -> list[str]:
        response = post(self.http, form(self.number, body), TWILIO_TOKEN, SMS_PUBLIC_URL)
        assert response.status_code == 200, response.text
        self.messages = [m.text or "" for m in ElementTree.fromstring(response.text).iter("Message")]
        return self.messages

    @property
    def all(self) -> str:
        return "\n".join(self.messages)

    def option(self, language: str, title_part: str) -> str:
        """The number to reply to pick the option whose title contains `title_part`."""
        template = re.escape(CONTENT.catalog.text(language, "sms.option"))
        pattern = template.replace(r"\{number\}", r"(?P<number>\d+)").replace(r"\{title\}", r"(?P<title>.+)")
        for line in self.all.splitlines():
            found = re.fullmatch(pattern, line.strip())
            if found and title_part in found.group("title"):
                return found.group("number")
        raise AssertionError(f"no option {title_part!r} in {self.all!r}")


@pytest.fixture
def http(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
        yield client


def start_in(phone: Phone, language: str) -> None:
    phone.text(FIRST_WORDS[language]["services"])
    if language != "en":
        assert CONTENT.text(language, "sms.watched_phone")[:25] in phone.all


@pytest.mark.parametrize("language", ["en", "pl", "ar"])
def test_danger_by_sms(http: httpx.Client, language: str) -> None:
    phone = Phone(http)
    phone.text(FIRST_WORDS[language]["danger"])
    danger = CONTENT.text(language, "utter_danger")
    assert phone.messages[0].startswith(danger[:30]), "the first text she reads is the 999 guidance"
    assert "999" in phone.messages[0] and "55" in phone.all
    assert CONTENT.text(language, "sms.watched_phone")[:25] in phone.all, "the phone warning still comes, after it"
    assert all(segments(m) <= 3 for m in phone.messages)


@pytest.mark.parametrize("language", ["en", "pl", "ar"])
def test_safe_to_report_and_services_by_sms(http: httpx.Client, language: str) -> None:
    phone = Phone(http)
    start_in(phone, language)
    assert CONTENT.text(language, "services_intro.all")[:25] in phone.all and "Harbour Support Services" in phone.all
    phone.text(FIRST_WORDS[language]["report"])
    assert CONTENT.text(language, "utter_reporting_honest")[:25] in phone.all
    assert "Durham Constabulary" in phone.all


@pytest.mark.parametrize("language", ["en", "pl", "ar"])
def test_complete_handover_by_numbered_replies(http: httpx.Client, stack: Stack, language: str) -> None:
    phone = Phone(http)
    start_in(phone, language)
    phone.text(FIRST_WORDS[language]["handover"])
    phone.text(phone.option(language, "Harbour"))
    phone.text(phone.option(language, CONTENT.catalog.text(language, "button.method_text")))
    phone.text("07700 900123")
    phone.text(phone.option(language, CONTENT.catalog.text(language, "button.skip")))
    phone.text(phone.option(language, CONTENT.catalog.text(language, "button.no")))
    phone.text(phone.option(language, CONTENT.catalog.text(language, "button.skip")))
    assert "07700 900123" in phone.all
    phone.text(phone.option(language, CONTENT.catalog.text(language, "button.consent_yes")))
    reference = REFERENCE.search(phone.all)
    assert reference, phone.all
    database = Database(f"sqlite:///{stack.var_dir / 'assistant.db'}")
    with database.unit_of_work() as session:
        stored = handovers.by_reference(session, reference.group(0))
        assert stored is not None and stored.language == language
        contact = handovers.contact_of(stored, stack_cipher(stack))
        transcript = handovers.transcript_of(stored, stack_cipher(stack))
        assert contact["detail"] == "07700 900123" and contact["method"] == "text"
        assert phone.number not in str(transcript) and phone.number not in str(contact)
    database.dispose()


@pytest.mark.parametrize("language", ["en", "pl", "ar"])
def test_delete_by_sms(http: httpx.Client, language: str) -> None:
    phone = Phone(http)
    start_in(phone, language)
    delete_word = {"en": "DELETE", "pl": "USUŃ", "ar": "احذف"}[language]
    phone.text(delete_word)
    assert CONTENT.text(language, "sms.deleted")[:25] in phone.all
    phone.text("hello")
    assert CONTENT.text("en", "sms.watched_phone") in phone.all, "a new session starts afresh"


def test_stop_gets_no_reply_and_erases(http: httpx.Client) -> None:
    phone = Phone(http)
    phone.text("my husband hits me")
    assert phone.text("STOP") == []
    phone.text("hello")
    assert "Texts stay on this phone" in phone.all, "the old session is gone"


def test_a_retried_message_sid_does_not_advance_the_conversation(http: httpx.Client) -> None:
    phone = Phone(http)
    phone.text("please put me in touch with a support worker")
    params = form(phone.number, phone.option("en", "Harbour"))
    first = post(http, params, TWILIO_TOKEN, SMS_PUBLIC_URL).text
    again = post(http, params, TWILIO_TOKEN, SMS_PUBLIC_URL).text
    assert first == again and "How is it safe" in first


@pytest.mark.parametrize("choice", ["number", "code", "name"])
def test_choosing_a_language_by_sms(http: httpx.Client, choice: str) -> None:
    phone = Phone(http)
    phone.text("hello there")
    phone.text("change language")
    reply = {"number": phone.option("en", "Polski"), "code": "pl", "name": "polski"}[choice]
    phone.text(reply)
    assert CONTENT.text("pl", "language_changed") in phone.all
    assert CONTENT.catalog.text("pl", "review_notice") in phone.all, "machine-drafted: said discreetly"
