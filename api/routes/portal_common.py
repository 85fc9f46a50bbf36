"""What the portal's pages and JSON API share: signing in and out, the cookies, changing a handover."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import anyio
from fastapi import Request, Response, status
from sqlalchemy.orm import Session

from api.core.config import Settings
from api.deps import get_client
from api.models import Handover, Worker
from api.portal import accounts, casework, sessions
from api.portal.accounts import Refusal
from api.portal.sessions import SignedIn
from api.repositories import audit
from api.runtime import Runtime

# One message for every wrong credential, whether or not the account exists (no enumeration).
INVALID_MESSAGE = "Email, password or code is wrong."
RATE_LIMITED_MESSAGE = "Too many failed sign-in attempts. Wait {minutes} minutes, then try again."
REFUSALS = {
    Refusal.INVALID: (status.HTTP_401_UNAUTHORIZED, INVALID_MESSAGE),
    Refusal.RATE_LIMITED: (status.HTTP_429_TOO_MANY_REQUESTS, RATE_LIMITED_MESSAGE),
}


def refusal(settings: Settings, reason: Refusal) -> tuple[int, str]:
    code, message = REFUSALS[reason]
    return code, message.format(minutes=settings.login_window_minutes)


def client_address(request: Request, runtime: Runtime) -> str:
    """The client as the chat's limits see it: behind a trusted proxy the forwarded address, for IPv6 its /64."""
    return get_client(request, runtime)


def set_strict_cookie(response: Response, settings: Settings, name: str, value: str, path: str) -> None:
    """HttpOnly, SameSite=Strict, Secure (unless the development flag says otherwise), gone with the browser."""
    response.set_cookie(name, value, httponly=True, samesite="strict", secure=settings.portal_cookie_secure, path=path)


@dataclass(frozen=True)
class SignInOutcome:
    worker: Worker | None
    csrf_token: str | None  # what her forms and API calls must carry
    refusal: tuple[int, str] | None  # status code and the one message shown


async def sign_in(
    runtime: Runtime, request: Request, response: Response, *, email: str, password: str, code: str
) -> SignInOutcome:
    """Check the credentials and, when they are right, start a session on this response."""
    result = await accounts.sign_in(
        runtime.database,
        runtime.cipher,
        runtime.settings,
        runtime.passwords,
        email=email,
        password=password,
        code=code,
        address=client_address(request, runtime),
    )
    if result.worker is None:
        return SignInOutcome(None, None, refusal(runtime.settings, result.refusal or Refusal.INVALID))
    worker = result.worker

    def start() -> tuple[str, str]:
        with runtime.database.unit_of_work() as session:
            return sessions.start(session, worker)

    token, csrf = await anyio.to_thread.run_sync(start)
    set_strict_cookie(response, runtime.settings, sessions.cookie_name(runtime.settings), token, "/")
    return SignInOutcome(worker, csrf, None)


def change_handover(
    runtime: Runtime, signed_in: SignedIn, raw_id: str, act: Callable[[Session, Handover], None]
) -> tuple[Handover | None, str | None]:
    """Apply `act` to one of the worker's handovers: (None, None) for any other id, (handover, why) when the
    change is not allowed, (handover, None) once it is made."""
    with runtime.database.unit_of_work() as session:
        handover = casework.find(session, signed_in.worker, raw_id)
        if handover is None:
            return None, None
        try:
            act(session, handover)
        except casework.TransitionError as error:
            return handover, str(error)
    return handover, None


def end_session(runtime: Runtime, request: Request, response: Response, signed_in: SignedIn) -> None:
    name = sessions.cookie_name(runtime.settings)
    worker = signed_in.worker
    with runtime.database.unit_of_work() as session:
        sessions.end(session, request.cookies.get(name))
        audit.record(session, "logout", worker=worker)
    response.delete_cookie(name, path="/", secure=runtime.settings.portal_cookie_secure, httponly=True)
