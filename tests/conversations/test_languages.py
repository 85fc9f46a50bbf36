"""Every supported language through the real stack with no machine translation installed: the victim
writes in her language and the assistant understands the safety-critical intents and answers in it.

The messages are taken from each language's own training data (tests/nlu/heldout_*.yml measures how well
unseen wording is understood); what these tests prove is that each language works end to end.
"""

from __future__ import annotations

from functools import cache

import httpx
import pytest
import yaml

from api.content.renderer import Content
from api.core.config import ROOT
from api.pipeline.language import LanguageDetector
from api.runtime import load_content
from tests.conversations.chat import REFERENCE, ChatClient
from tests.helpers import make_settings

pytestmark = pytest.mark.stack

CONTENT: Content = load_content(make_settings())
LANGUAGES = sorted(code for code in CONTENT.catalog.languages if code != "en")
DETECTOR = LanguageDetector(set(CONTENT.catalog.languages))


@cache
def examples(language: str, intent: str) -> list[str]:
    data = yaml.safe_load((ROOT / "data" / "nlu" / language / "safety.yml").read_text(encoding="utf-8"))
    block = next(b for b in data["nlu"] if b.get("intent") == intent)
    lines = [line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")]
    # Written in the language's own script and recognised as that language (so the chat stays in it).
    usable = [t for t in lines if (found := DETECTOR.detect(t)) is not None and found.language == language]
    assert usable, f"{language}: no {intent} example the detector recognises"
    return usable


def first_paragraph(language: str, key: str) -> str:
    return CONTENT.text(language, key).split("\n")[0][:40]


def understood(bot: ChatClient, language: str, intent: str, expected: str) -> bool:
    for text in examples(language, intent)[:5]:
        bot.send(text)
        if bot.last["language"] == language and expected in bot.text:
            return True
    return False


@pytest.mark.parametrize("language", LANGUAGES)
def test_danger_in_her_language_gets_999_first(chat: httpx.Client, language: str) -> None:
    bot = ChatClient(chat, language)
    bot.send(examples(language, "immediate_danger")[0])
    first = bot.texts[0]
    assert bot.last["language"] == language
    assert first.startswith(CONTENT.text(language, "utter_danger")[:30])
    assert "999" in first and "55" in first and "18000" in first


@pytest.mark.parametrize("language", ["pl", "ar", "uk", "es"])
def test_danger_comes_before_the_language_switch_notice(chat: httpx.Client, language: str) -> None:
    """She starts in English and writes danger in her language: 999 first, the switch notice after it."""
    bot = ChatClient(chat, "en")
    bot.send(examples(language, "immediate_danger")[0])
    assert bot.last["language"] == language, "her language was recognised"
    assert bot.texts[0].startswith(CONTENT.text(language, "utter_danger")[:30])
    assert any("/choose_language" in p for p in bot.payloads), "the way back to English is still offered"


@pytest.mark.parametrize("language", LANGUAGES)
def test_is_it_safe_to_report_in_her_language(chat: httpx.Client, language: str) -> None:
    bot = ChatClient(chat, language)
    assert understood(bot, language, "ask_safe_to_report", first_paragraph(language, "utter_reporting_honest"))
    assert "Durham Constabulary" in bot.text
    assert first_paragraph(language, "utter_reporting_not_recorded") in bot.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_services_in_her_language(chat: httpx.Client, language: str) -> None:
    bot = ChatClient(chat, language)
    assert understood(bot, language, "show_services", first_paragraph(language, "services_intro.all"))
    assert "Harbour Support Services" in bot.text and CONTENT.text(language, "independent.yes") in bot.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_handover_in_her_language(chat: httpx.Client, language: str) -> None:
    bot = ChatClient(chat, language)
    assert understood(bot, language, "request_handover", first_paragraph(language, "handover_choose_service"))
    bot.fill_handover_form()
    consent_titles = [b["title"] for m in bot.last["messages"] for b in m["buttons"]]
    assert "07700 900123" in bot.text and CONTENT.catalog.text(language, "button.consent_yes") in consent_titles
    bot.send(payload="/affirm")
    assert bot.last["language"] == language and REFERENCE.search(bot.text), bot.text


def test_switching_language_by_writing_in_it_offers_the_way_back(chat: httpx.Client) -> None:
    bot = ChatClient(chat, "en")
    bot.send("Mój mąż mnie bije i zabiera mi pieniądze")
    assert bot.last["language"] == "pl"
    notice = bot.last["messages"][0]
    assert "Polski" in notice["text"] and notice["buttons"][0]["payload"] == '/choose_language{"language":"en"}'
    assert bot.last["notice"] == CONTENT.catalog.text("pl", "review_notice")
    assert bot.last["ui"]["exit"] == CONTENT.catalog.text("pl", "ui.exit")
    bot.send(payload='/choose_language{"language":"en"}')
    assert bot.last["language"] == "en" and "I will now write in English" in bot.text
    bot.send("ok")
    assert bot.last["language"] == "en", "a very short message never switches"


def test_language_menu_and_naming_a_language(chat: httpx.Client) -> None:
    bot = ChatClient(chat, "en")
    bot.send(payload="/change_language")
    titles = {b["title"] for m in bot.last["messages"] for b in m["buttons"]}
    assert {"English", "Polski", "العربية", "ਪੰਜਾਬੀ", "Tiếng Việt"} <= titles
    bot.send("español")
    assert bot.last["language"] == "es" and bot.last["dir"] == "ltr"
    bot.send("العربية")
    assert bot.last["language"] == "ar" and bot.last["dir"] == "rtl"
