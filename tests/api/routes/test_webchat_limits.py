"""A flood from one client is refused, per address (per /64 on IPv6, the forwarded address behind a trusted proxy),
and the refusal still carries 999 and the helplines in the conversation's language. Rasa is unreachable here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.stack import free_port
from tests.helpers import make_settings, migrated_app


def limited_app(tmp_path: Path, peer: str = "203.0.113.9", **limits: object) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout_seconds=1.0, **limits)
    with TestClient(migrated_app(settings), client=(peer, 40000)) as client:
        yield client


@pytest.fixture
def two_sessions(tmp_path: Path) -> Iterator[TestClient]:
    yield from limited_app(tmp_path, chat_sessions_per_hour=2, trusted_proxies="127.0.0.1")


def test_new_chats_past_the_limit_are_refused_with_999_in_her_language(two_sessions: TestClient) -> None:
    for _ in range(2):
        assert two_sessions.post("/api/chat/sessions", json={"language": "pl"}).status_code == 201
    refused = two_sessions.post("/api/chat/sessions", json={"language": "pl"})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    body = refused.json()
    assert body["language"] == "pl" and "zadzwoń pod 999" in body["messages"][0]["text"]
    assert "0808 2000 247" in body["messages"][0]["text"], "and a helpline"


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_count(tmp_path: Path) -> None:
    for client in limited_app(tmp_path, peer="127.0.0.1", chat_sessions_per_hour=1, trusted_proxies="127.0.0.1"):
        first = {"x-forwarded-for": "198.51.100.1"}
        assert client.post("/api/chat/sessions", headers=first).status_code == 201
        assert client.post("/api/chat/sessions", headers=first).status_code == 429
        assert client.post("/api/chat/sessions", headers={"x-forwarded-for": "198.51.100.2"}).status_code == 201
        # Spoofing the left of the header changes nothing: the proxy appended the real address.
        spoofed = {"x-forwarded-for": "1.2.3.4, 198.51.100.1"}
        assert client.post("/api/chat/sessions", headers=spoofed).status_code == 429


def test_addresses_in_one_ipv6_64_count_as_one_client(tmp_path: Path) -> None:
    for client in limited_app(tmp_path, peer="::1", chat_sessions_per_hour=1, trusted_proxies="::1"):
        assert client.post("/api/chat/sessions", headers={"x-forwarded-for": "2001:db8:7:7::1"}).status_code == 201
        rotated = {"x-forwarded-for": "2001:db8:7:7:ffff::2"}
        assert client.post("/api/chat/sessions", headers=rotated).status_code == 429


def test_messages_past_the_limit_are_refused_with_999_in_the_conversations_language(tmp_path: Path) -> None:
    for client in limited_app(tmp_path, chat_messages_per_minute=2):
        session = client.post("/api/chat/sessions", json={"language": "ar"}).json()["session_id"]
        path = f"/api/chat/sessions/{session}/messages"
        for _ in range(2):
            assert client.post(path, json={"payload": "/greet"}).status_code == 200
        refused = client.post(path, json={"text": "hello"})
        assert refused.status_code == 429
        body = refused.json()
        assert body["language"] == "ar" and body["dir"] == "rtl" and "999" in body["messages"][0]["text"]


def test_a_conversation_past_its_length_gets_999_and_can_still_be_deleted(tmp_path: Path) -> None:
    for client in limited_app(tmp_path, max_transcript_turns=10):
        session = client.post("/api/chat/sessions", json={"language": "en"}).json()["session_id"]
        path = f"/api/chat/sessions/{session}/messages"
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        for _ in range(10):
            client.post(path, json={"payload": "/greet"})
        held = len(runtime.sessions.get(session).transcript)
        reply = client.post(path, json={"text": "one more"}).json()
        assert "999" in reply["messages"][0]["text"] and len(runtime.sessions.get(session).transcript) == held
        deleted = client.post(path, json={"payload": "/delete_chat"}).json()
        assert deleted["session_ended"] and runtime.sessions.get(session) is None
