"""Request bodies are refused above a small size before anything parses them.

A 20 MB JSON body used to be read and parsed before the answer. The size is checked on Content-Length first,
then counted as the body arrives (a chunked body has no length), and the request is refused with 413 as soon as
it passes the limit. The refusal still carries the safe answer (999 and the helplines): the person sending too
much may be a victim whose app misbehaves. Rasa's own calls (to the action endpoint, which carry the internal
secret) send the whole conversation's tracker and the domain, so they get a larger limit.
"""

from __future__ import annotations

import hmac
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Rasa's calls: a long conversation's tracker with the domain is a few hundred kilobytes.
INTERNAL_MAX_BYTES = 16 * 1024 * 1024


class BodyLimit:
    """Pure ASGI middleware: nothing is buffered, the body is only counted."""

    def __init__(self, app: ASGIApp, max_bytes: int, internal_secret: str) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.internal_secret = internal_secret.encode()

    def _limit(self, headers: dict[bytes, bytes]) -> int:
        """The larger limit only for a request that proves it is Rasa's (the shared secret)."""
        secret = headers.get(b"x-assistant-secret")
        if secret is not None and hmac.compare_digest(secret, self.internal_secret):
            return INTERNAL_MAX_BYTES
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        max_bytes = self._limit(headers)
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
            await _refuse(scope, send)
            return
        received = 0
        refused = started = False

        async def counted() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request" and not refused:
                received += len(message.get("body", b""))
                if received > max_bytes:
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
