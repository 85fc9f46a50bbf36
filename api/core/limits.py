"""Request bodies are refused above a small size before anything parses them.

A 20 MB JSON body used to be read and parsed before the answer. The size is checked on Content-Length first,
then counted as the body arrives (a chunked body has no length), and the request is refused with 413 as soon as
it passes the limit. The refusal still carries the safe answer (999 and the helplines): the person sending too
much may be a victim whose app misbehaves.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    """Pure ASGI middleware: nothing is buffered, the body is only counted."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _refuse(scope, send)
            return
        received = 0
        refused = started = False

        async def counted() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request" and not refused:
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Answered now; the application is told the client went away and what it sends is dropped.
                    refused = True
                    if not started:
                        await _refuse(scope, send)
                    return {"type": "http.disconnect"}
            return message

        async def unless_refused(message: Message) -> None:
            nonlocal started
            if not refused:
                started = started or message["type"] == "http.response.start"
                await send(message)

        await self.app(scope, counted, unless_refused)


def _safe_answer(scope: Scope) -> str:
    """The safe fallback (999, helplines) in the deployment's default language, when the gateway has started."""
    runtime = getattr(getattr(scope.get("app"), "state", None), "runtime", None)
    if runtime is None:
        return "If you are in danger, call 999."
    content, language = runtime.content, runtime.settings.default_language
    return "\n".join(message["text"] for message in content.safe_fallback(language))


async def _refuse(scope: Scope, send: Send) -> None:
    body = json.dumps({"detail": "request body too large", "safe_answer": _safe_answer(scope)}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
