"""The portal's server-rendered pages: no script, nothing loaded from elsewhere, every form CSRF-protected.

Before sign-in the form's CSRF token is a double-submit cookie; after sign-in it is the session's own token.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from api.deps import AdminPage, PageError, RuntimeDep, WorkerPage
from api.models import ROLES, Handover, Worker
from api.portal import accounts, casework, notice, totp
from api.portal.sessions import SignedIn
from api.repositories import audit, organisations, workers
from api.routes.portal_common import change_handover, end_session, set_strict_cookie, sign_in
from api.runtime import Runtime

router = APIRouter(prefix="/portal", tags=["portal"], include_in_schema=False)
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
LOGIN_CSRF_COOKIE = "portal_login_csrf"
NO_SUCH_HANDOVER = "There is no such handover. It may have been purged after its retention period."


@lru_cache
def _templates() -> Jinja2Templates:
    return Jinja2Templates(directory=TEMPLATES)


def _age(created_at: dt.datetime) -> str:
    minutes = int((dt.datetime.now(dt.UTC) - created_at).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} days"


def _render(request: Request, runtime: Runtime, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    content = runtime.content
    context.setdefault("signed_in", None)
    context.update(
        languages=content.catalog.languages,
        directory=content.directory,
        age=_age,
        outcomes=casework.OUTCOMES,
        roles=ROLES,
    )
    return _templates().TemplateResponse(request, f"portal/{name}", context, status_code=status_code)


def error_page(request: Request, error: Exception) -> HTMLResponse:
    """Refusals on portal pages, as a page with a way back (the same status code as the JSON API's)."""
    assert isinstance(error, PageError)
    runtime: Runtime = request.app.state.runtime
    return _render(request, runtime, "error.html", error.status_code, message=error.message)


def _check_form_csrf(signed_in: SignedIn, token: str) -> None:
    if not signed_in.csrf_ok(token):
        raise PageError(status.HTTP_403_FORBIDDEN, "This form has expired. Go back, reload the page and try again.")


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, runtime: RuntimeDep) -> HTMLResponse:
    return _login_form(request, runtime)


def _login_form(request: Request, runtime: Runtime, error: str | None = None, status_code: int = 200) -> HTMLResponse:
    csrf = secrets.token_urlsafe(32)
    response = _render(request, runtime, "login.html", status_code, csrf=csrf, error=error)
    set_strict_cookie(response, runtime.settings, LOGIN_CSRF_COOKIE, csrf, "/portal/login")
    return response


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    runtime: RuntimeDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1024)],
    totp: Annotated[str, Form(max_length=16)],
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), csrf.encode()):
        return _login_form(request, runtime, "This form has expired. Please try again.", status.HTTP_403_FORBIDDEN)
    response = _see_other("/portal")
    outcome = await sign_in(runtime, request, response, email=email, password=password, code=totp)
    if outcome.refusal is not None:
        code, message = outcome.refusal
        return _login_form(request, runtime, message, code)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/portal/login")
    return response


@router.post("/logout")
def logout(
    request: Request, signed_in: WorkerPage, runtime: RuntimeDep, csrf: Annotated[str, Form(max_length=128)] = ""
) -> Response:
    _check_form_csrf(signed_in, csrf)
    response = _see_other("/portal/login")
    end_session(runtime, request, response, signed_in)
    return response


@router.get("", response_class=HTMLResponse)
def queue(request: Request, signed_in: WorkerPage, runtime: RuntimeDep) -> HTMLResponse:
    with runtime.database.unit_of_work() as session:
        rows = casework.queue(session, signed_in.worker)
    return _render(request, runtime, "queue.html", signed_in=signed_in, handovers=rows)


@router.get("/handovers/{handover_id}", response_class=HTMLResponse)
def handover_detail(handover_id: str, request: Request, signed_in: WorkerPage, runtime: RuntimeDep) -> HTMLResponse:
    with runtime.database.unit_of_work() as session:
        found = casework.detail(session, runtime.cipher, signed_in.worker, handover_id)
    if found is None:
        raise PageError(status.HTTP_404_NOT_FOUND, NO_SUCH_HANDOVER)
    return _render(request, runtime, "detail.html", signed_in=signed_in, detail=found)


def _change(
    request: Request, runtime: Runtime, signed_in: SignedIn, handover_id: str, act: Callable[[Session, Handover], None]
) -> Response:
    """Back to the handover once the change is made; the page again with the reason when it is not allowed."""
    handover, why = change_handover(runtime, signed_in, handover_id, act)
    if handover is None:
        raise PageError(status.HTTP_404_NOT_FOUND, NO_SUCH_HANDOVER)
    if why is None:
        return _see_other(f"/portal/handovers/{handover_id}")
    with runtime.database.unit_of_work() as session:
        found = casework.detail(session, runtime.cipher, signed_in.worker, handover_id)
    return _render(
        request, runtime, "detail.html", status.HTTP_409_CONFLICT, signed_in=signed_in, detail=found, error=why
    )


@router.post("/handovers/{handover_id}/status")
def change_status(
    handover_id: str,
    request: Request,
    signed_in: WorkerPage,
    runtime: RuntimeDep,
    status_value: Annotated[str, Form(alias="status", max_length=16)],
    csrf: Annotated[str, Form(max_length=128)] = "",
    outcome: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    _check_form_csrf(signed_in, csrf)

    def change(session: Session, handover: Handover) -> None:
        casework.change_status(session, signed_in.worker, handover, status_value, outcome or None)

    return _change(request, runtime, signed_in, handover_id, change)


@router.post("/handovers/{handover_id}/notes")
def add_note(
    handover_id: str,
    request: Request,
    signed_in: WorkerPage,
    runtime: RuntimeDep,
    text: Annotated[str, Form(max_length=casework.MAX_NOTE_CHARS)],
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    _check_form_csrf(signed_in, csrf)

    def note(session: Session, handover: Handover) -> None:
        casework.add_note(session, runtime.cipher, runtime.redactor, signed_in.worker, handover, text)

    return _change(request, runtime, signed_in, handover_id, note)


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, signed_in: WorkerPage, runtime: RuntimeDep) -> HTMLResponse:
    return _render(request, runtime, "account.html", signed_in=signed_in)


@router.post("/account/password", response_class=HTMLResponse)
async def change_password(
    request: Request,
    signed_in: WorkerPage,
    runtime: RuntimeDep,
    current: Annotated[str, Form(max_length=1024)],
    new: Annotated[str, Form(max_length=1024)],
    repeated: Annotated[str, Form(max_length=1024)],
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> HTMLResponse:
    _check_form_csrf(signed_in, csrf)
    try:
        await accounts.change_password(
            runtime.database,
            runtime.settings,
            runtime.passwords,
            signed_in,
            current=current,
            new=new,
            repeated=repeated,
        )
    except accounts.AccountError as error:
        return _render(request, runtime, "account.html", 422, signed_in=signed_in, error=str(error))
    return _render(request, runtime, "account.html", signed_in=signed_in, changed=True)


@router.get("/audit", response_class=HTMLResponse)
def audit_log(
    request: Request, signed_in: AdminPage, runtime: RuntimeDep, before: Annotated[int | None, Query(ge=1)] = None
) -> HTMLResponse:
    with runtime.database.unit_of_work() as session:
        events = audit.of_org(session, signed_in.worker.org_id, before=before)
    older = events[-1].id if len(events) == audit.PAGE else None
    return _render(request, runtime, "audit.html", signed_in=signed_in, events=events, older=older)


def _admin_page(
    request: Request, runtime: Runtime, signed_in: SignedIn, status_code: int = 200, **context: Any
) -> HTMLResponse:
    with runtime.database.unit_of_work() as session:
        team = workers.of_org(session, signed_in.worker.org_id)
        webhook, email = organisations.notice_targets(session, signed_in.worker.org_id)
    return _render(
        request,
        runtime,
        "admin.html",
        status_code,
        signed_in=signed_in,
        team=team,
        webhook=webhook or "",
        email=email or "",
        mail_configured=bool(runtime.settings.smtp_host),
        qr=totp.qr_svg(context["created"].otpauth_uri) if "created" in context else None,
        **context,
    )


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request, signed_in: AdminPage, runtime: RuntimeDep) -> HTMLResponse:
    return _admin_page(request, runtime, signed_in)


@router.post("/admin/workers", response_class=HTMLResponse)
def add_worker(
    request: Request,
    signed_in: AdminPage,
    runtime: RuntimeDep,
    email: Annotated[str, Form(max_length=254)],
    role: Annotated[str, Form(max_length=16)],
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> HTMLResponse:
    """The new worker's first password and TOTP secret are shown once, to hand over in person."""
    _check_form_csrf(signed_in, csrf)
    admin_worker = signed_in.worker
    password = secrets.token_urlsafe(12)
    try:
        with runtime.database.unit_of_work() as session:
            created = accounts.create_worker(
                session,
                runtime.cipher,
                runtime.content.directory,
                org_id=admin_worker.org_id,
                email=email,
                role=role,
                password=password,
                by=admin_worker,
            )
    except accounts.AccountError as error:
        return _admin_page(request, runtime, signed_in, status.HTTP_422_UNPROCESSABLE_CONTENT, error=str(error))
    return _admin_page(request, runtime, signed_in, created=created, password=password)


def _team_member(session: Session, admin: Worker, raw_id: str) -> Worker:
    """A worker of the admin's own organisation other than herself; anyone else is 404."""
    target_id = casework.parse_id(raw_id)
    target = workers.in_org(session, admin.org_id, target_id) if target_id else None
    if target is None or target.id == admin.id:
        raise PageError(status.HTTP_404_NOT_FOUND, "There is no such worker in your organisation.")
    return target


@router.post("/admin/workers/{worker_id}/disabled")
def set_worker_disabled(
    worker_id: str,
    signed_in: AdminPage,
    runtime: RuntimeDep,
    disabled: Annotated[bool, Form()],
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    _check_form_csrf(signed_in, csrf)
    with runtime.database.unit_of_work() as session:
        target = _team_member(session, signed_in.worker, worker_id)
        accounts.set_disabled(session, signed_in.worker, target, disabled)
    return _see_other("/portal/admin")


@router.post("/admin/workers/{worker_id}/reset", response_class=HTMLResponse)
def reset_worker(
    worker_id: str,
    request: Request,
    signed_in: AdminPage,
    runtime: RuntimeDep,
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> HTMLResponse:
    """New sign-in details for a worker who lost her phone or password, shown once like a new account's."""
    _check_form_csrf(signed_in, csrf)
    password = secrets.token_urlsafe(12)
    with runtime.database.unit_of_work() as session:
        target = _team_member(session, signed_in.worker, worker_id)
        created = accounts.reset_credentials(session, runtime.cipher, signed_in.worker, target, password)
    return _admin_page(request, runtime, signed_in, created=created, password=password)


@router.post("/admin/notice", response_class=HTMLResponse)
def set_notice(
    request: Request,
    signed_in: AdminPage,
    runtime: RuntimeDep,
    csrf: Annotated[str, Form(max_length=128)] = "",
    webhook: Annotated[str, Form(max_length=500)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
) -> Response:
    _check_form_csrf(signed_in, csrf)
    try:
        url = notice.check_webhook_url(webhook, runtime.settings.notice_allow_local) if webhook.strip() else None
        address = notice.check_email(email) if email.strip() else None
    except ValueError as error:
        return _admin_page(request, runtime, signed_in, status.HTTP_422_UNPROCESSABLE_CONTENT, error=str(error))
    admin_worker = signed_in.worker
    with runtime.database.unit_of_work() as session:
        organisations.set_notice_targets(session, admin_worker.org_id, url, address)
        targets = "+".join(name for name, value in (("webhook", url), ("email", address)) if value) or "none"
        audit.record(session, "notice_set", worker=admin_worker, detail=targets)
    return _see_other("/portal/admin")
