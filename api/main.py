"""The gateway application: the only public entry point."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from actions.registry import executor_for
from api.conversation import Conversation
from api.core.config import Settings, get_settings
from api.core.db import SchemaNotReady
from api.core.limits import BodyLimit
from api.core.logging import configure as configure_logging
from api.core.security import SecurityHeaders
from api.deps import NeedsSignIn, PageError
from api.jobs import Job, Jobs
from api.retention import purge_audit, purge_handovers, purge_portal_sessions
from api.routes import actions, health, pages, portal_api, portal_pages, sms, webchat
from api.routes.contract import build_openapi
from api.runtime import build_runtime
from api.sms.channel import SmsChannel

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
PURGE_INTERVAL_SECONDS = 60


def background_jobs(conversation: Conversation, sms_channel: SmsChannel) -> Jobs:
    """Every purge the gateway runs each minute, in the order a failure would cost most if skipped."""
    runtime = conversation.runtime
    settings, database = runtime.settings, runtime.database
    idle_seconds = settings.session_idle_minutes * 60

    async def sms_cache() -> None:
        sms_channel.purge()

    async def rate_limits() -> None:
        runtime.limits.purge()

    async def rasa_trackers() -> None:
        await anyio.to_thread.run_sync(runtime.trackers.purge_idle, idle_seconds)

    return Jobs(
        [
            Job("conversations", conversation.purge_idle),
            Job("sms_cache", sms_cache),
            Job("rate_limits", rate_limits),
            Job("rasa_trackers", rasa_trackers),
            Job("handovers", partial(anyio.to_thread.run_sync, purge_handovers, settings, database)),
            Job("portal_sessions", partial(anyio.to_thread.run_sync, purge_portal_sessions, settings, database)),
            Job("audit", partial(anyio.to_thread.run_sync, purge_audit, settings, database)),
        ]
    )


async def _purge_forever(jobs: Jobs) -> None:
    while True:
        await asyncio.sleep(PURGE_INTERVAL_SECONDS)
        await jobs.run_once()


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
        try:
            runtime = build_runtime(resolved)
        except SchemaNotReady as error:
            log.critical("cannot start: %s", error)  # the one line an operator needs
            raise
        app.state.runtime = runtime
        app.state.action_executor = executor_for(runtime)
        app.state.sms = SmsChannel.create(runtime)
        app.state.jobs = background_jobs(Conversation(runtime), app.state.sms)
        purge = asyncio.create_task(_purge_forever(app.state.jobs))
        try:
            yield
        finally:
            purge.cancel()
            await runtime.close()

    # The schema tells an attacker every route; it is served only in development.
    schema = None if resolved.environment == "production" else "/openapi.json"
    app = FastAPI(
        title="Safe reporting assistant gateway", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=schema
    )
    app.add_middleware(
        BodyLimit, max_bytes=resolved.max_body_bytes, internal_secret=resolved.internal_secret.get_secret_value()
    )
    app.add_middleware(SecurityHeaders)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(NeedsSignIn, _to_sign_in)
    app.add_exception_handler(PageError, portal_pages.error_page)
    for module in (webchat, actions, health, pages, portal_api, portal_pages):
        app.include_router(module.router)
    # The SMS route starts only when it can check Twilio's signatures (or is explicitly told not to).
    if sms.sms_enabled(resolved):
        app.include_router(sms.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def openapi() -> dict[str, Any]:
        runtime = app.state.runtime
        return build_openapi(app, list(runtime.content.catalog.languages), resolved.max_message_chars)

    app.openapi = openapi  # type: ignore[method-assign]
    return app
