"""Choosing a language, with a fake state: the choice lands in her session and the answer is in that language."""

from __future__ import annotations

import anyio
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.common import OUTBOX
from actions.language import ActionSetLanguage, ActionShowLanguageMenu
from tests.actions.fakes import FakeState, tracker_for


def test_the_menu_offers_every_catalog_language_in_its_own_name(state: FakeState) -> None:
    session = state.start("ar")
    dispatcher = CollectingDispatcher()
    anyio.run(ActionShowLanguageMenu(state).run, dispatcher, tracker_for(session.sender_id, "change_language"), {})
    assert dispatcher.messages == [{**dispatcher.messages[0], "custom": {OUTBOX: 0}}], "Rasa carries only the index"
    menu = session.outbox[0]
    assert menu["text"] == state.content.message("ar", "language_menu")["text"]
    payloads = {button["payload"] for button in menu["buttons"]}
    assert payloads == {f'/choose_language{{"language":"{code}"}}' for code in state.content.catalog.languages}
    titles = {button["title"] for button in menu["buttons"]}
    assert {"Polski", "English"} <= titles


@pytest.mark.parametrize("code", ["pl", "ur", "zh"])
def test_a_chosen_language_becomes_hers_and_is_confirmed_in_it(state: FakeState, code: str) -> None:
    session = state.start("en")
    tracker = tracker_for(session.sender_id, "choose_language", [{"entity": "language", "value": code}])
    anyio.run(ActionSetLanguage(state).run, CollectingDispatcher(), tracker, {})
    assert session.language == code
    assert session.outbox[0]["text"] == state.content.message(code, "language_changed")["text"]


@pytest.mark.parametrize("entities", [[], [{"entity": "language", "value": "xx"}]], ids=["none", "unsupported"])
def test_no_supported_language_keeps_hers_and_shows_the_menu_again(
    state: FakeState, entities: list[dict[str, str]]
) -> None:
    session = state.start("pl")
    tracker = tracker_for(session.sender_id, "choose_language", entities)
    anyio.run(ActionSetLanguage(state).run, CollectingDispatcher(), tracker, {})
    assert session.language == "pl"
    assert session.outbox[0]["text"] == state.content.message("pl", "language_menu")["text"]
