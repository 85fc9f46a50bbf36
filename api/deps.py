"""Request dependencies, as Annotated types the routes declare."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status

from api.conversation import Conversation
from api.runtime import Runtime


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_conversation(runtime: RuntimeDep) -> Conversation:
    return Conversation(runtime)


ConversationDep = Annotated[Conversation, Depends(get_conversation)]


def require_internal_secret(runtime: RuntimeDep, x_assistant_secret: Annotated[str | None, Header()] = None) -> None:
    """Only Rasa, which was given the shared secret, may call the NLG and action endpoints."""
    expected = runtime.settings.internal_secret.get_secret_value()
    if x_assistant_secret is None or not hmac.compare_digest(x_assistant_secret.encode(), expected.encode()):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or wrong internal secret")


InternalOnly = Depends(require_internal_secret)
