"""What the conversation keeps from Rasa's replies: each text with its English twin for the transcript; the
victim is sent her own language only."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.conversation import Conversation, _as_messages, _for_her


def test_the_english_twin_is_joined_to_the_text_before_it() -> None:
    raw = [
        {"recipient_id": "r", "text": "Zadzwoń pod 999", "buttons": [{"title": "Pomoc", "payload": "/help"}]},
        {"recipient_id": "r", "custom": {"text_en": "Call 999"}},
        {"recipient_id": "r", "text": "Bez tłumaczenia"},
        {"recipient_id": "r", "image": "ignored"},
    ]
    messages = _as_messages(raw)
    assert messages == [
        {"text": "Zadzwoń pod 999", "buttons": [{"title": "Pomoc", "payload": "/help"}], "text_en": "Call 999"},
        {"text": "Bez tłumaczenia", "buttons": []},
    ]
    assert _for_her(messages) == [
        {"text": "Zadzwoń pod 999", "buttons": [{"title": "Pomoc", "payload": "/help"}]},
        {"text": "Bez tłumaczenia", "buttons": []},
    ]


def test_custom_json_without_a_text_before_it_is_dropped() -> None:
    assert _as_messages([{"custom": {"text_en": "orphan"}}, {"custom": "not a dict"}]) == []


def test_a_pressed_button_is_recorded_by_its_title_in_both_languages(client: TestClient) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    conversation = Conversation(runtime)
    session, _ = conversation.start("pl")
    catalog = runtime.content.catalog
    assert conversation._button_title(session, "/request_handover") == (
        catalog.text("pl", "button.request_handover"),
        catalog.text("en", "button.request_handover"),
    )
    # A button built at run time (a service's name) is recorded as it was shown.
    session.offered = {'/inform{"handover_service":"harbour"}': "Harbour Support Services"}
    assert conversation._button_title(session, '/inform{"handover_service":"harbour"}') == (
        "Harbour Support Services",
        "Harbour Support Services",
    )
    assert conversation._button_title(session, "/never_offered") == ("/never_offered", None)
