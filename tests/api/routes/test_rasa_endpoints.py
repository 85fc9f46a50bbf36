"""The action endpoint answers only Rasa, which holds the shared secret; there is no NLG endpoint."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

ACTION_BODY = {
    "next_action": "action_show_services",
    "sender_id": "s",
    "tracker": {},
    "domain": {},
    "version": "3.6.21",
}


@pytest.mark.parametrize("secret", [None, "", "wrong-secret"])
def test_without_the_secret_no_action_runs(client: TestClient, secret: str | None) -> None:
    headers = {} if secret is None else {"X-Assistant-Secret": secret}
    assert client.post("/actions/webhook", json=ACTION_BODY, headers=headers).status_code == 403


def test_there_is_no_nlg_endpoint(client: TestClient, internal_headers: dict[str, str]) -> None:
    body = {"response": "utter_danger", "tracker": {"sender_id": "s", "slots": {}}}
    assert client.post("/nlg", json=body, headers=internal_headers).status_code == 404


def test_unknown_action_is_404_like_rasa_sdk(client: TestClient, internal_headers: dict[str, str]) -> None:
    body = {**ACTION_BODY, "next_action": "action_nope"}
    response = client.post("/actions/webhook", json=body, headers=internal_headers)
    assert response.status_code == 404 and response.json()["action_name"] == "action_nope"
