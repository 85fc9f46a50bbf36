"""The gateway application: the only public entry point."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from api import runtime as runtime_module
from api.conversation import Conversation
from api.core.config import Settings, get_settings
from api.core.logging import configure as configure_logging
from api.core.security import SecurityHeaders
from api.deps import NeedsSignIn, PageError
from api.retention import purge_handovers
from api.routes import actions, health, nlg, pages, portal_api, portal_pages, sms, webchat
from api.sms.channel import SmsChannel

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
PURGE_INTERVAL_SECONDS = 60


async def _purge_forever(conversation: Conversation, sms_channel: SmsChannel) -> None:
    while True:
        await asyncio.sleep(PURGE_INTERVAL_SECONDS)
        try:
            await conversation.purge_idle()
            sms_channel.purge()
            runtime = conversation.runtime
            await anyio.to_thread.run_sync(purge_handovers, runtime.settings, runtime.database)
        except Exception:
            log.exception("idle purge failed")


async def _validation_error(_: Request, error: Exception) -> JSONResponse:
    """FastAPI's default echoes the input back; a victim's text must not travel further than it has to."""
    assert isinstance(error, RequestValidationError)
    detail = [
        {"loc": list(e.get("loc", [])), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in error.errors()
    ]
    return JSONResponse({"detail": detail}, status_code=422)


async def _to_sign_in(_: Request, __: Exception) -> RedirectResponse:
    return RedirectResponse("/portal/login", status_code=303)


def create_app(settings: Settings | None = None) -> FastAPI:
    resolved = settings or get_settings()
    configure_logging()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = runtime_module.build_runtime(resolved)
        app.state.runtime = runtime
        runtime_module.bind(runtime)
        app.state.sms = SmsChannel.create(runtime)
        purge = asyncio.create_task(_purge_forever(Conversation(runtime), app.state.sms))
        try:
            yield
        finally:
            purge.cancel()
            runtime_module.bind(None)
            await runtime.close()

    app = FastAPI(title="Safe reporting assistant gateway", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.add_middleware(SecurityHeaders)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(NeedsSignIn, _to_sign_in)
    app.add_exception_handler(PageError, portal_pages.error_page)
    for module in (webchat, nlg, actions, health, pages, portal_api, portal_pages):
        app.include_router(module.router)
    # The SMS route starts only when it can check Twilio's signatures (or is explicitly told not to).
    if sms.sms_enabled(resolved):
        app.include_router(sms.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
