"""The web chat's JSON API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from api.content.renderer import Message
from api.conversation import PAYLOAD_PATTERN, BadInput, NotOffered
from api.core.ratelimit import SlidingWindow
from api.deps import ClientDep, ConversationDep, RuntimeDep
from api.review import her_message_count, remove_her_message, review_intro, review_labels, shared_turns
from api.routes.contract import BODY_CODES, refusals
from api.sessions import ChatSession

router = APIRouter(prefix="/api/chat", tags=["webchat"])


class NewSession(BaseModel):
    model_config = ConfigDict(extra="forbid")
    language: StrictStr | None = None


class TextIn(BaseModel):
    """What she typed. Its longest length is the gateway's setting, written into the schema when it is served."""

    model_config = ConfigDict(extra="forbid")
    text: StrictStr = Field(min_length=1, pattern=r"\S")


class PayloadIn(BaseModel):
    """A button she pressed: one offered in this conversation (409 otherwise)."""

    model_config = ConfigDict(extra="forbid")
    payload: StrictStr = Field(pattern=PAYLOAD_PATTERN.pattern)


class ButtonOut(BaseModel):
    title: str
    payload: str


class MessageOut(BaseModel):
    """One message to her: the text in her language and its buttons (never the English twin)."""

    text: str
    buttons: list[ButtonOut]


class SessionOut(BaseModel):
    session_id: str
    language: str
    dir: str
    notice: str | None
    ui: dict[str, str]
    messages: list[MessageOut]


class ReplyOut(BaseModel):
    language: str
    dir: str
    notice: str | None
    ui: dict[str, str]
    messages: list[MessageOut]
    session_ended: bool


class SharedTurnOut(BaseModel):
    index: int
    role: str
    text: str


class SharedOut(BaseModel):
    """Exactly what the service will receive with her consent: her words after redaction, and the assistant's."""

    language: str
    dir: str
    intro: str
    labels: dict[str, str]
    turns: list[SharedTurnOut]
    her_messages: int


class LimitedOut(BaseModel):
    """Too many requests from this client: still the safe answer (999, helplines) in the conversation's language."""

    detail: str
    language: str
    dir: str
    messages: list[MessageOut]


LIMITED: dict[int | str, dict[str, Any]] = {
    429: {"model": LimitedOut, "description": "Too many requests from this client; 999 and the helplines"}
}
NO_SUCH_CHAT = refusals(404)


def _limited(runtime: RuntimeDep, window: SlidingWindow, client: str, language: str) -> JSONResponse | None:
    """None when the client may go on; else the refusal, which still tells her how to get help now."""
    if window.allow(client):
        return None
    body = LimitedOut(
        detail="too many requests: please wait a little and try again",
        language=language,
        dir=_dir(runtime, language),
        messages=_plain(runtime.content.safe_fallback(language)),
    )
    retry = str(window.retry_after(client))
    return JSONResponse(
        body.model_dump(), status_code=status.HTTP_429_TOO_MANY_REQUESTS, headers={"Retry-After": retry}
    )


def _unprocessable(reason: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, reason)


def _dir(runtime: RuntimeDep, language: str) -> str:
    return runtime.content.catalog.languages[language].direction


def _plain(messages: list[Message]) -> list[MessageOut]:
    return [MessageOut.model_validate(m) for m in messages]


@router.post(
    "/sessions",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionOut,
    responses={**refusals(*BODY_CODES), **LIMITED},
)
async def create_session(
    runtime: RuntimeDep, conversation: ConversationDep, client: ClientDep, body: NewSession | None = None
) -> SessionOut | JSONResponse:
    language = body.language if body and body.language is not None else runtime.settings.default_language
    if not runtime.content.catalog.has(language):
        supported = ", ".join(sorted(runtime.content.catalog.languages))
        raise _unprocessable(f"language must be one of: {supported}")
    refused = _limited(runtime, runtime.limits.sessions, client, language)
    if refused is not None:
        return refused
    session, messages = conversation.start(language)
    return SessionOut(
        session_id=session.id,
        language=language,
        dir=_dir(runtime, language),
        notice=runtime.review_notice(language),
        ui=runtime.content.ui(language),
        messages=_plain(messages),
    )


@router.post(
    "/sessions/{session_id}/messages",
    response_model=ReplyOut,
    responses={**refusals(404, 409, *BODY_CODES), **LIMITED},
)
async def post_message(
    session_id: str, body: TextIn | PayloadIn, runtime: RuntimeDep, conversation: ConversationDep, client: ClientDep
) -> ReplyOut | JSONResponse:
    """Either text she typed or a payload she pressed, never both."""
    session = _live(runtime, session_id)
    refused = _limited(runtime, runtime.limits.messages, client, session.language)
    if refused is not None:
        return refused
    text, payload = (body.text, None) if isinstance(body, TextIn) else (None, body.payload)
    try:
        reply = await conversation.reply(session, text=text, payload=payload)
    except NotOffered as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    except BadInput as error:
        raise _unprocessable(str(error)) from None
    return ReplyOut(
        language=session.language,
        dir=_dir(runtime, session.language),
        notice=runtime.review_notice(session.language),
        ui=runtime.content.ui(session.language),
        messages=_plain(reply.messages),
        session_ended=reply.ended,
    )


def _shared(runtime: RuntimeDep, session: ChatSession) -> SharedOut:
    catalog, language = runtime.content.catalog, session.language
    return SharedOut(
        language=language,
        dir=_dir(runtime, language),
        intro=review_intro(catalog, session),
        labels=review_labels(catalog, language),
        turns=[SharedTurnOut(index=t.index, role=t.role, text=t.text) for t in shared_turns(session)],
        her_messages=her_message_count(session),
    )


def _live(runtime: RuntimeDep, session_id: str) -> ChatSession:
    session = runtime.sessions.get(session_id)
    if session is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such chat: it has ended or was deleted")
    return session


@router.get("/sessions/{session_id}/shared", response_model=SharedOut, responses=NO_SUCH_CHAT)
async def get_shared(session_id: str, runtime: RuntimeDep) -> SharedOut:
    """What a handover would carry if she consented now."""
    return _shared(runtime, _live(runtime, session_id))


@router.delete("/sessions/{session_id}/shared/{index}", response_model=SharedOut, responses=refusals(404, 422))
async def remove_shared(session_id: str, index: int, runtime: RuntimeDep) -> SharedOut:
    """Take one of her messages out of what is shared (and out of the gateway's memory)."""
    session = _live(runtime, session_id)
    async with session.lock:
        if not remove_her_message(session, index):
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such message of yours in this chat")
        return _shared(runtime, session)


@router.delete("/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT, responses=refusals(422))
async def delete_session(session_id: str, runtime: RuntimeDep, conversation: ConversationDep) -> Response:
    """Erase everything about the session. Answers 204 for an unknown id too: the result is the same."""
    session = runtime.sessions.get(session_id)
    if session is not None:
        await conversation.erase(session)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
