"""Who can talk with her in her language: staff who speak it, else an honest "none here", then interpreters,
her right to one with the police, and a handover that says which language she needs."""

from __future__ import annotations

import dataclasses

import pytest

from api.content.renderer import Content
from api.runtime import load_content
from tests.helpers import make_settings

CONTENT: Content = load_content(make_settings())
INTERPRETING = "Modern Slavery & Exploitation Helpline (Unseen)"


def texts(language: str, wanted: str, content: Content = CONTENT) -> list[str]:
    return [m["text"] for m in content.language_support_messages(language, wanted)]


def with_polish_staff() -> Content:
    services = [
        s.model_copy(update={"languages": ["en", "pl"]}) if s.id == "harbour" else s for s in CONTENT.directory.services
    ]
    directory = CONTENT.directory.model_copy(update={"services": services})
    return dataclasses.replace(CONTENT, directory=directory)


def test_no_staff_speak_it_so_she_is_told_honestly_and_given_the_interpreters() -> None:
    said = texts("en", "pt")
    assert said[0] == "As far as we know, none of the services here has its own staff who speak Portuguese."
    assert "say “Portuguese” and ask for an interpreter" in said[1]
    assert INTERPRETING in said[2] and "08000 121 700" in said[2]
    assert "right to an interpreter" in said[3]
    assert "you need Portuguese" in said[4]


def test_services_whose_staff_speak_it_come_first() -> None:
    said = texts("en", "pl", with_polish_staff())
    assert said[0] == "These services can talk with you in Polish themselves:"
    assert said[1].startswith("Harbour Support Services")
    assert INTERPRETING in said[3], "the interpreting services follow"


def test_in_her_own_language_the_language_has_its_own_name() -> None:
    said = texts("pt", "pt")
    assert "português" in said[0].lower() and "“Portuguese”" in said[1], "she says the English name aloud"


def test_asked_in_english_without_naming_one_it_is_about_her_own_language() -> None:
    said = texts("en", "en")
    assert said[0].startswith("These services use interpreters, so you can talk with them in your own language")
    assert INTERPRETING in said[1]
    assert said[-1] == "If you ask for a support service to contact you, you can tell them which language you need."


@pytest.mark.parametrize("language", sorted(CONTENT.catalog.languages))
def test_every_language_offers_a_handover_and_the_services(language: str) -> None:
    last = CONTENT.language_support_messages(language, "ur" if language != "ur" else "pl")[-1]
    assert [b["payload"] for b in last["buttons"]] == ["/request_handover", "/show_services", "/main_menu"]


def test_she_is_told_the_spoken_language_to_ask_for() -> None:
    said = texts("en", "zh")
    assert "say “Mandarin or Cantonese” and ask for an interpreter" in said[1], "not the written form's name"
