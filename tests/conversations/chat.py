"""A tiny client for the web chat API, used by the conversation tests and the benchmarks' checks."""

from __future__ import annotations

import re
from typing import Any

import httpx

from api.core.crypto import Cipher, load_or_create_key
from api.repositories.handovers import REFERENCE_ALPHABET
from api.stack import Stack

# A handover's reference as she is shown it.
REFERENCE = re.compile(rf"\b[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}\b")


class ChatClient:
    def __init__(self, http: httpx.Client, language: str = "en") -> None:
        self.http = http
        started = http.post("/api/chat/sessions", json={"language": language})
        assert started.status_code == 201, started.text
        self.session_id: str = started.json()["session_id"]
        self.last: dict[str, Any] = started.json()

    def send(self, text: str | None = None, payload: str | None = None) -> dict[str, Any]:
        body = {"text": text} if text is not None else {"payload": payload}
        response = self.http.post(f"/api/chat/sessions/{self.session_id}/messages", json=body)
        assert response.status_code == 200, response.text
        self.last = response.json()
        return self.last

    @property
    def texts(self) -> list[str]:
        return [m["text"] for m in self.last["messages"]]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def payloads(self) -> list[str]:
        return [b["payload"] for m in self.last["messages"] for b in m["buttons"]]

    def fill_handover_form(self, service: str = "harbour") -> None:
        """From the choice of service to the consent question, by buttons and a typed phone number."""
        self.send(payload=f'/inform{{"handover_service":"{service}"}}')
        self.send(payload='/inform{"contact_method":"phone"}')
        self.send("07700 900123")
        self.send(payload="/skip")
        self.send(payload="/deny")
        self.send(payload="/skip")

    def status(self) -> int:
        body = {"text": "hello"}
        return self.http.post(f"/api/chat/sessions/{self.session_id}/messages", json=body).status_code


def consented_handover(stack: Stack, language: str, first_message: str) -> str:
    """A victim writes, asks to be put in touch, fills the form and agrees; returns the reference she is given."""
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as http:
        bot = ChatClient(http, language)
        bot.send(first_message)
        bot.send(payload="/request_handover")
        bot.fill_handover_form()
        bot.send(payload="/affirm")
        reference = REFERENCE.search(bot.text)
        assert reference, bot.text
        return reference.group(0)


def stack_cipher(stack: Stack) -> Cipher:
    """The running gateway's own key (var/secret.key), to read handovers as the application does."""
    return Cipher(load_or_create_key(stack.var_dir / "secret.key"))
