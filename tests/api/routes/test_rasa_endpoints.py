"""The NLG and action endpoints answer only Rasa, which holds the shared secret."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

NLG_BODY = {"response": "utter_danger", "arguments": {}, "tracker": {"sender_id": "s", "slots": {}}, "channel": {}}
ACTION_BODY = {
    "next_action": "action_show_services",
    "sender_id": "s",
    "tracker": {},
    "domain": {},
    "version": "3.6.21",
}


@pytest.mark.parametrize(("path", "body"), [("/nlg", NLG_BODY), ("/actions/webhook", ACTION_BODY)])
@pytest.mark.parametrize("secret", [None, "", "wrong-secret"])
def test_without_the_secret_nothing_runs(
    client: TestClient, path: str, body: dict[str, object], secret: str | None
) -> None:
    headers = {} if secret is None else {"X-Assistant-Secret": secret}
    assert client.post(path, json=body, headers=headers).status_code == 403


def test_nlg_renders_the_danger_response(client: TestClient, internal_headers: dict[str, str]) -> None:
    response = client.post("/nlg", json=NLG_BODY, headers=internal_headers)
    assert response.status_code == 200
    assert "call 999" in response.json()["text"] and response.json()["buttons"]


def test_nlg_fills_the_service_from_the_slot(client: TestClient, internal_headers: dict[str, str]) -> None:
    body = {
        **NLG_BODY,
        "response": "utter_ask_contact_method",
        "tracker": {"sender_id": "s", "slots": {"handover_service": "harbour"}},
    }
    text = client.post("/nlg", json=body, headers=internal_headers).json()["text"]
    assert "Harbour Support Services" in text


def test_unknown_response_falls_back_to_safe_text(client: TestClient, internal_headers: dict[str, str]) -> None:
    body = {**NLG_BODY, "response": "utter_does_not_exist"}
    text = client.post("/nlg", json=body, headers=internal_headers).json()["text"]
    assert "999" in text


def test_unknown_action_is_404_like_rasa_sdk(client: TestClient, internal_headers: dict[str, str]) -> None:
    body = {**ACTION_BODY, "next_action": "action_nope"}
    response = client.post("/actions/webhook", json=body, headers=internal_headers)
    assert response.status_code == 404 and response.json()["action_name"] == "action_nope"


def test_nlg_sends_the_english_twin_as_custom_json(client: TestClient, internal_headers: dict[str, str]) -> None:
    """For the support worker's transcript: the text in her language, and the same words in English."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    polish = runtime.sessions.create("pl", "web")
    body = {**NLG_BODY, "tracker": {"sender_id": polish.sender_id, "slots": {}}}
    answer = client.post("/nlg", json=body, headers=internal_headers).json()
    assert "999" in answer["text"] and "call 999" not in answer["text"]
    assert "call 999" in answer["custom"]["text_en"]
    english = runtime.sessions.create("en", "web")
    body = {**NLG_BODY, "tracker": {"sender_id": english.sender_id, "slots": {}}}
    assert "custom" not in client.post("/nlg", json=body, headers=internal_headers).json()
