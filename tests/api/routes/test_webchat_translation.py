"""The gateway translates the victim's words with an installed package, offline, and keeps both versions."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.stack import free_port
from tests.helpers import make_settings, migrated_app
from tests.support.offline_run import install


def block_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    connect = socket.socket.connect

    def loopback_only(self: socket.socket, address: object) -> None:
        host = str(address[0]) if isinstance(address, tuple) else ""
        if not (host.startswith("127.") or host == "::1"):
            raise OSError(f"network blocked in tests: {address!r}")
        connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", loopback_only)


def test_gateway_translates_to_english_offline(
    tiny_models: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert install(tiny_models, tmp_path, "pl").returncode == 0
    block_the_network(monkeypatch)
    settings = make_settings(tmp_path, rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout_seconds=2.0)
    with TestClient(migrated_app(settings)) as client:
        health = client.get("/healthz").json()["translation"]
        assert health["installed"] == ["pl"] and "ro" in health["missing"]
        session_id = client.post("/api/chat/sessions", json={"language": "pl"}).json()["session_id"]
        reply = client.post(f"/api/chat/sessions/{session_id}/messages", json={"text": "mój mąż mnie bije"})
        assert reply.status_code == 200 and reply.json()["language"] == "pl"
        session = client.app.state.runtime.sessions.get(session_id)  # type: ignore[attr-defined]
        said = [turn for turn in session.transcript if turn.role == "user"][-1]
        assert said.text == "mój mąż mnie bije"
        assert said.text_en and said.text_en != said.text, "the English column comes from the installed package"
        english = client.post("/api/chat/sessions", json={"language": "en"}).json()["session_id"]
        client.post(f"/api/chat/sessions/{english}/messages", json={"text": "my husband hits me"})
        own = client.app.state.runtime.sessions.get(english)  # type: ignore[attr-defined]
        assert [t.text_en for t in own.transcript if t.role == "user"] == [None], "English is never translated"
