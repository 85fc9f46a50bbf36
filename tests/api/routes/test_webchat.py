"""The web chat API contract, in-process, with Rasa unreachable (the safe-fallback case)."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from api.core.security import SECURITY_HEADERS


def new_session(client: TestClient) -> str:
    response = client.post("/api/chat/sessions", json={"language": "en"})
    assert response.status_code == 201
    return str(response.json()["session_id"])


def test_new_session_greets_with_the_promises_and_the_menu(client: TestClient) -> None:
    response = client.post("/api/chat/sessions")
    body = response.json()
    assert response.status_code == 201 and body["language"] == "en" and body["dir"] == "ltr"
    assert len(body["session_id"]) >= 22  # >= 128 bits of URL-safe randomness
    welcome = body["messages"][0]
    for promise in ("immigration status", "Nothing from this chat is kept", "Exit this page", "call 999"):
        assert promise in welcome["text"]
    assert "demonstration deployment" in welcome["text"]  # the operator's name from settings
    payloads = {b["payload"] for b in welcome["buttons"]}
    assert {"/ask_safe_to_report", "/change_language", "/delete_chat", "/need_domestic_abuse"} <= payloads
    assert body["ui"]["exit"] == "Exit this page" and body["ui"]["danger"] == "In danger? Call 999"
    assert body["notice"] is None, "English is reviewed: no machine-translation notice"


def test_session_ids_are_unique(client: TestClient) -> None:
    assert len({new_session(client) for _ in range(20)}) == 20


def test_unsupported_language_is_refused(client: TestClient) -> None:
    response = client.post("/api/chat/sessions", json={"language": "xx"})
    assert response.status_code == 422 and "language must be one of" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"text": ""}, "at least 1 character"),
        ({"text": "   "}, "should match pattern"),
        ({"text": "x" * 2001}, "too long"),
        ({"text": 42}, "valid string"),
        ({"text": ["a"]}, "valid string"),
        ({}, "Field required"),
        ({"text": "hi", "payload": "/greet"}, "Extra inputs"),
        ({"payload": "greet"}, "should match pattern"),
        ({"payload": '/inform{"a": 1}'}, "should match pattern"),
        ({"payload": "/inform{oops}"}, "should match pattern"),
        ({"payload": "/greet\n"}, "should match pattern"),
        ({"payload": '/inform{"a": "b", "c": "d", "e": "f"}'}, "should match pattern"),
        ({"text": "hi", "extra": 1}, "Extra inputs"),
    ],
)
def test_bad_messages_get_a_clear_422(client: TestClient, body: dict[str, object], reason: str) -> None:
    session_id = new_session(client)
    response = client.post(f"/api/chat/sessions/{session_id}/messages", json=body)
    assert response.status_code == 422
    assert reason in str(response.json()["detail"])


def test_validation_errors_never_echo_the_input(client: TestClient) -> None:
    session_id = new_session(client)
    response = client.post(f"/api/chat/sessions/{session_id}/messages", json={"text": ["my visa expires"]})
    assert response.status_code == 422 and "visa" not in response.text


def test_unknown_session_is_404(client: TestClient) -> None:
    response = client.post("/api/chat/sessions/not-a-session/messages", json={"text": "hello"})
    assert response.status_code == 404


def test_rasa_down_gives_the_safe_fallback_quickly(client: TestClient) -> None:
    session_id = new_session(client)
    started = time.monotonic()
    response = client.post(f"/api/chat/sessions/{session_id}/messages", json={"text": "he is hitting me"})
    assert time.monotonic() - started < 5
    text = response.json()["messages"][0]["text"]
    assert response.status_code == 200 and "999" in text and "0808 2000 247" in text


def test_delete_erases_the_session(client: TestClient) -> None:
    session_id = new_session(client)
    assert client.delete(f"/api/chat/sessions/{session_id}").status_code == 204
    assert client.post(f"/api/chat/sessions/{session_id}/messages", json={"text": "hi"}).status_code == 404
    assert client.delete(f"/api/chat/sessions/{session_id}").status_code == 204


def test_idle_sessions_expire(client: TestClient) -> None:
    session_id = new_session(client)
    store = client.app.state.runtime.sessions  # type: ignore[attr-defined]
    store.get(session_id).last_seen -= store.idle_seconds + 1
    assert client.post(f"/api/chat/sessions/{session_id}/messages", json={"text": "hi"}).status_code == 404


@pytest.mark.parametrize("path", ["/", "/static/chat.js", "/api/chat/sessions/x/messages", "/healthz"])
def test_every_response_carries_the_privacy_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, name


def test_page_has_quick_exit_noscript_and_no_external_resources(client: TestClient) -> None:
    page = client.get("/").text
    assert 'id="quick-exit"' in page and "<noscript>" in page and "999" in page
    assert 'data-exit-url="https://www.bbc.co.uk/weather"' in page
    assert "http://" not in page and "//cdn" not in page and "<script>" not in page
    assert page.count("https://") == 2, "only the quick exit may point elsewhere"


def test_health_reports_rasa_down_and_database_up(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["components"]) == ("degraded", {"rasa": "down", "database": "up"})
    # No MT package installed: every non-English language is listed as missing, and victims get the no-MT path.
    assert body["translation"]["installed"] == []
    assert set(body["translation"]["missing"]) == set(client.app.state.runtime.content.catalog.languages) - {"en"}  # type: ignore[attr-defined]


def test_a_payload_cannot_smuggle_status_past_redaction(client: TestClient) -> None:
    session_id = new_session(client)
    body = {"payload": '/inform{"contact_method":"my visa expired in March"}'}
    response = client.post(f"/api/chat/sessions/{session_id}/messages", json=body)
    # Well-formed but never offered: refused for this conversation (409), and nothing of it echoed.
    assert response.status_code == 409 and "visa" not in response.text


def test_delete_this_chat_erases_even_while_rasa_is_down(client: TestClient) -> None:
    session = new_session(client)
    reply = client.post(f"/api/chat/sessions/{session}/messages", json={"payload": "/delete_chat"}).json()
    assert reply["session_ended"] and "deleted from our system" in reply["messages"][0]["text"]
    assert client.post(f"/api/chat/sessions/{session}/messages", json={"text": "hi"}).status_code == 404


@pytest.mark.parametrize(("environment", "served"), [("development", 200), ("production", 404)])
def test_the_api_schema_is_served_only_in_development(tmp_path, environment: str, served: int) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers import make_settings, migrated_app

    with TestClient(migrated_app(make_settings(tmp_path, environment=environment))) as app:
        assert app.get("/openapi.json").status_code == served


def test_the_schema_carries_the_running_gateways_own_limits(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    languages = schema["NewSession"]["properties"]["language"]["anyOf"][0]["enum"]
    assert languages == sorted(client.app.state.runtime.content.catalog.languages)  # type: ignore[attr-defined]
    assert schema["TextIn"]["properties"]["text"]["maxLength"] == 2000
    assert schema["PayloadIn"]["properties"]["payload"]["pattern"].startswith("^/[a-z]")


def test_an_empty_language_is_refused_not_taken_as_the_default(client: TestClient) -> None:
    assert client.post("/api/chat/sessions", json={"language": ""}).status_code == 422


def test_every_message_has_its_documented_shape_and_never_the_english_twin(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert set(schema["MessageOut"]["properties"]) == {"text", "buttons"}
    body = client.post("/api/chat/sessions", json={"language": "pl"}).json()
    assert all(set(m) == {"text", "buttons"} for m in body["messages"])
