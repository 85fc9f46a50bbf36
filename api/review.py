"""Before she consents: exactly what the service will see, and her choice to take things out of it.

The handover carries the session's transcript as it stands when she says yes: her words after redaction and the
assistant's turns. She can read it first (web chat), remove any of her own messages, or send only how to contact
her (web and SMS). These two buttons are the gateway's own: they never reach Rasa.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.content.catalog import Catalog
from api.sessions import ChatSession, Turn

REVIEW_PAYLOAD = "/review_shared"
CONTACT_ONLY_PAYLOAD = "/contact_only"
# Where the consent step leaves the chosen service's name in the session's answers, for the review.
SERVICE_NAME = "service_name"
# Their titles in the catalogs, so the transcript records what she saw and its English.
GATEWAY_BUTTONS = {REVIEW_PAYLOAD: "button.review_shared", CONTACT_ONLY_PAYLOAD: "button.contact_only"}


@dataclass(frozen=True)
class SharedTurn:
    index: int
    role: str
    text: str


def shared_turns(session: ChatSession) -> list[SharedTurn]:
    """What the service would receive if she consented now (nothing, if she chose contact details only)."""
    if not session.share_transcript:
        return []
    return [SharedTurn(i, turn.role, turn.text) for i, turn in enumerate(session.transcript)]


def review_intro(catalog: Catalog, session: ChatSession) -> str:
    return catalog.render(session.language, "review.intro", {"service_name": session.answers.get(SERVICE_NAME, "")})


def review_labels(catalog: Catalog, language: str) -> dict[str, str]:
    """The review's words in her language: who said what, and its buttons."""
    return {name: catalog.text(language, f"review.{name}") for name in ("you", "assistant", "remove", "done", "none")}


def her_message_count(session: ChatSession) -> int:
    return sum(1 for turn in shared_turns(session) if turn.role == "user")


def remove_her_message(session: ChatSession, index: int) -> bool:
    """Take one of her messages out of the transcript (and so out of the gateway's memory). Only hers."""
    if not 0 <= index < len(session.transcript) or session.transcript[index].role != "user":
        return False
    del session.transcript[index]
    return True


def transcript_for_handover(session: ChatSession) -> list[Turn]:
    return list(session.transcript) if session.share_transcript else []
