"""What the portal's pages and JSON API share: the session cookie, the sign-in refusals, the client address."""

from __future__ import annotations

from fastapi import Request, Response, status
from sqlalchemy.orm import Session

from api.core.config import Settings
from api.models import Worker
from api.portal import sessions
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


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def start_session(session: Session, settings: Settings, response: Response, worker: Worker) -> str:
    """Sign the worker in on this response; returns the CSRF token her forms and API calls must carry."""
    token, csrf = sessions.start(session, worker)
    response.set_cookie(
        sessions.cookie_name(settings),
        token,
        httponly=True,
        samesite="strict",
        secure=settings.portal_cookie_secure,
        path="/",
    )
    return csrf


def end_session(runtime: Runtime, request: Request, response: Response, signed_in: SignedIn) -> None:
    name = sessions.cookie_name(runtime.settings)
    worker = signed_in.worker
    with runtime.database.unit_of_work() as session:
        sessions.end(session, request.cookies.get(name))
        audit.record(session, "logout", worker=worker)
    response.delete_cookie(name, path="/", secure=runtime.settings.portal_cookie_secure, httponly=True)
