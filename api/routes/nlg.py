"""Rasa's NLG protocol: every response Rasa utters is rendered here, in the conversation's language."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Body

from api.deps import InternalOnly, RuntimeDep

ASK_PREFIX = "utter_ask_"
router = APIRouter(tags=["rasa"], dependencies=[InternalOnly], include_in_schema=False)
log = logging.getLogger(__name__)


def slot_values(runtime: RuntimeDep, slots: dict[str, Any]) -> dict[str, str]:
    """Placeholders some responses take from the conversation (never free text the victim typed)."""
    values: dict[str, str] = {}
    service = runtime.content.directory.get(str(slots.get("handover_service") or ""))
    if service is not None:
        values["service_name"] = service.name
    return values


@router.post("/nlg")
async def generate(runtime: RuntimeDep, body: dict[str, Any] = Body(...)) -> dict[str, Any]:
    key = str(body.get("response") or body.get("template") or "")
    tracker = body.get("tracker") or {}
    sender_id = str(tracker.get("sender_id", ""))
    language = runtime.language_of(sender_id)
    session = runtime.session_of(sender_id)
    if session is not None and key.startswith(ASK_PREFIX):
        # A form question (utter_ask_<slot>): what she types next answers it.
        session.expecting = key[len(ASK_PREFIX) :]
    content = runtime.content
    try:
        message = content.message(language, key, None, **slot_values(runtime, tracker.get("slots") or {}))
    except KeyError:
        log.error("nlg: no catalog message for response", extra={"response": key})
        message = content.safe_fallback(language)[0]
    answer: dict[str, Any] = {
        "text": message["text"],
        "buttons": message["buttons"],
        "image": None,
        "elements": [],
        "attachments": [],
    }
    if "text_en" in message:
        # The English twin travels as custom JSON, which Rasa hands back to the gateway after the text. Only
        # when there is one: Rasa's response schema refuses "custom": null, and then sends nothing at all.
        answer["custom"] = {"text_en": message["text_en"]}
    return answer
