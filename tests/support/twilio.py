"""Sending texts to the gateway as Twilio does: form-encoded and signed with twilio's own algorithm."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
from twilio.request_validator import RequestValidator

_sids = itertools.count(1)


def new_sid() -> str:
    return f"SM{next(_sids):032d}"


def form(sender: str, body: str, sid: str | None = None) -> dict[str, str]:
    return {
        "MessageSid": sid or new_sid(),
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": "+447700900000",
        "Body": body,
        "NumSegments": "1",
        "NumMedia": "0",
    }


def post(http: Any, params: dict[str, str], token: str, url: str, signature: str | None = None) -> httpx.Response:
    headers = {}
    if signature is None:
        signature = RequestValidator(token).compute_signature(url, params)
    if signature:
        headers["X-Twilio-Signature"] = signature
    response: httpx.Response = http.post("/sms/twilio", data=params, headers=headers)
    return response
