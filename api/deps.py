"""Request dependencies, as Annotated types the routes declare."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status

from api.conversation import Conversation
from api.core.ratelimit import client_key
from api.jobs import Jobs
from api.portal.sessions import SignedIn, cookie_name, resolve
from api.runtime import Runtime


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_jobs(request: Request) -> Jobs:
    jobs: Jobs = request.app.state.jobs
    return jobs


JobsDep = Annotated[Jobs, Depends(get_jobs)]


def get_conversation(runtime: RuntimeDep) -> Conversation:
    return Conversation(runtime)


ConversationDep = Annotated[Conversation, Depends(get_conversation)]


def get_client(request: Request, runtime: RuntimeDep) -> str:
    """Whom a request counts against for the chat's limits (api/core/ratelimit.py)."""
    peer = request.client.host if request.client else None
    return client_key(peer, request.headers.get("x-forwarded-for"), runtime.limits.trusted)


ClientDep = Annotated[str, Depends(get_client)]


def require_internal_secret(runtime: RuntimeDep, x_assistant_secret: Annotated[str | None, Header()] = None) -> None:
    """Only Rasa, which was given the shared secret, may call the action endpoint."""
    expected = runtime.settings.internal_secret.get_secret_value()
    if x_assistant_secret is None or not hmac.compare_digest(x_assistant_secret.encode(), expected.encode()):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or wrong internal secret")


InternalOnly = Depends(require_internal_secret)


class NeedsSignIn(Exception):
    """A portal page was asked for without a valid session: answered with a redirect to the sign-in page."""


class PageError(Exception):
    """A portal page refuses (403, 404): answered with a readable page rather than JSON."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


ADMIN_ONLY = "Only an administrator of this organisation can do this."


def _signed_in(request: Request, runtime: Runtime) -> SignedIn | None:
    token = request.cookies.get(cookie_name(runtime.settings))
    with runtime.database.unit_of_work() as session:
        return resolve(session, runtime.settings, token)


def require_worker_api(request: Request, runtime: RuntimeDep) -> SignedIn:
    signed_in = _signed_in(request, runtime)
    if signed_in is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "sign in first")
    return signed_in


def require_worker_page(request: Request, runtime: RuntimeDep) -> SignedIn:
    signed_in = _signed_in(request, runtime)
    if signed_in is None:
        raise NeedsSignIn()
    return signed_in


def require_admin_api(signed_in: Annotated[SignedIn, Depends(require_worker_api)]) -> SignedIn:
    if signed_in.worker.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, ADMIN_ONLY)
    return signed_in


def require_admin_page(signed_in: Annotated[SignedIn, Depends(require_worker_page)]) -> SignedIn:
    if signed_in.worker.role != "admin":
        raise PageError(status.HTTP_403_FORBIDDEN, ADMIN_ONLY)
    return signed_in


WorkerApi = Annotated[SignedIn, Depends(require_worker_api)]
AdminApi = Annotated[SignedIn, Depends(require_admin_api)]
WorkerPage = Annotated[SignedIn, Depends(require_worker_page)]
AdminPage = Annotated[SignedIn, Depends(require_admin_page)]
