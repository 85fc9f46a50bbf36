"""Logs carry events and pseudonyms, never what the victim wrote, her number or a usable session id."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.core.config import ROOT
from api.stack import Stack, free_port
from tests.conversations.chat import ChatClient
from tests.helpers import make_settings, migrated_app
from tests.support.twilio import form, post

SAID = [
    "canary-log-4471 my husband hits me every night",
    "my visa expires in March and he took my passport",
    "07700 900999",
    "Mój mąż mnie bije, pomocy",
]
NUMBER = "+447700900555"
TOKEN = "log-test-token-0123456789abcdef"
URL = "https://assistant.example.org/sms/twilio"


def test_in_process_logs_hold_no_user_text(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    settings = make_settings(
        tmp_path,
        rasa_url=f"http://127.0.0.1:{free_port()}",
        rasa_timeout_seconds=1.0,
        twilio_auth_token=TOKEN,
        sms_public_url=URL,
    )
    with TestClient(migrated_app(settings)) as client:
        session_id = client.post("/api/chat/sessions").json()["session_id"]
        for text in SAID:
            client.post(f"/api/chat/sessions/{session_id}/messages", json={"text": text})
        client.post(f"/api/chat/sessions/{session_id}/messages", json={"text": ["bad"]})
        for text in SAID:
            post(client, form(NUMBER, text), TOKEN, URL)
    # The test client's own request lines (http://testserver/...) are the test's, not the gateway's.
    logged = "\n".join(
        f"{record.getMessage()} {record.__dict__}"
        for record in caplog.records
        if "testserver" not in record.getMessage()
    )
    assert "chat.turn" in logged and "sms.inbound" in logged, "the events are logged"
    for text in SAID:
        for fragment in (text, text[:20], "visa", "07700 900999", "7700900555", "Mój mąż"):
            assert fragment not in logged, fragment
    assert session_id not in logged


@pytest.mark.stack
def test_stack_process_logs_hold_no_user_text(stack: Stack) -> None:
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as http:
        bot = ChatClient(http)
        for text in SAID:
            bot.send(text)
    assert stack.log_dir is not None
    for name in ("gateway.log", "rasa.log"):
        content = (stack.log_dir / name).read_text(encoding="utf-8", errors="replace")
        assert "canary-log-4471" not in content and "07700 900999" not in content, name
        assert bot.session_id not in content, name
    assert stack.log_dir == (ROOT / "test-output" / "stack-logs")
