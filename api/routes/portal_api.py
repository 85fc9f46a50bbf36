"""The portal's JSON API: the same rules as its pages (api.portal.casework), for services' own tools.

State-changing calls need the X-CSRF-Token header that sign-in returned, on top of the SameSite=Strict cookie.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, StrictStr
from sqlalchemy.orm import Session

from api.deps import AdminApi, RuntimeDep, WorkerApi
from api.models import Handover
from api.portal import casework
from api.portal.sessions import SignedIn
from api.repositories import audit
from api.routes.contract import BODY_CODES, refusals
from api.routes.portal_common import INVALID_MESSAGE, change_handover, end_session, sign_in
from api.runtime import Runtime

router = APIRouter(prefix="/api/portal", tags=["portal"])
NOT_FOUND = "no such handover"


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: StrictStr = Field(max_length=254)
    password: StrictStr = Field(max_length=1024)
    totp: StrictStr = Field(max_length=16)


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["accepted", "closed"]
    outcome: StrictStr | None = None


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: StrictStr = Field(min_length=1, max_length=casework.MAX_NOTE_CHARS)


class WorkerOut(BaseModel):
    email: str
    org: str
    role: str


class LoginOut(BaseModel):
    csrf_token: str
    worker: WorkerOut


class HandoverOut(BaseModel):
    id: str
    reference: str
    service: str
    need: str | None
    language: str
    status: str
    outcome: str | None
    created_at: str


class TurnOut(BaseModel):
    role: str | None
    text: str | None
    text_en: str | None
    at: str | None


class NoteOut(BaseModel):
    text: str
    author: str | None
    at: str


class HandoverDetailOut(HandoverOut):
    """Reading this decrypts her contact details, and is recorded in the audit trail."""

    contact: dict[str, str | None]
    transcript: list[TurnOut]
    notes: list[NoteOut]


class AuditEventOut(BaseModel):
    id: int
    at: str
    action: str
    worker: str | None
    handover: str | None
    detail: str | None


# Every route but login needs a signed-in worker; every change also needs the CSRF token.
SIGNED_IN = refusals(401)
CHANGES = refusals(401, 403, 404, *BODY_CODES)


def _check_csrf(signed_in: SignedIn, token: str | None) -> None:
    if not signed_in.csrf_ok(token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or wrong X-CSRF-Token")


CsrfHeader = Annotated[str | None, Header(alias="X-CSRF-Token")]


def _summary(handover: Handover) -> dict[str, Any]:
    return {
        "id": str(handover.id),
        "reference": handover.reference,
        "service": handover.service_id,
        "need": handover.need,
        "language": handover.language,
        "status": handover.status,
        "outcome": handover.outcome,
        "created_at": handover.created_at.isoformat(),
    }


@router.post("/login", response_model=LoginOut, responses=refusals(401, 429, *BODY_CODES))
async def login(body: LoginIn, request: Request, response: Response, runtime: RuntimeDep) -> LoginOut:
    outcome = await sign_in(runtime, request, response, email=body.email, password=body.password, code=body.totp)
    if outcome.refusal is not None or outcome.worker is None or outcome.csrf_token is None:
        raise HTTPException(*(outcome.refusal or (status.HTTP_401_UNAUTHORIZED, INVALID_MESSAGE)))
    worker = outcome.worker
    return LoginOut(
        csrf_token=outcome.csrf_token, worker=WorkerOut(email=worker.email, org=worker.org_id, role=worker.role)
    )


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=refusals(401, 403))
def logout(request: Request, signed_in: WorkerApi, runtime: RuntimeDep, csrf: CsrfHeader = None) -> Response:
    _check_csrf(signed_in, csrf)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    end_session(runtime, request, response, signed_in)
    return response


@router.get("/handovers", response_model=list[HandoverOut], responses=SIGNED_IN)
def list_handovers(signed_in: WorkerApi, runtime: RuntimeDep) -> list[dict[str, Any]]:
    with runtime.database.unit_of_work() as session:
        return [_summary(h) for h in casework.queue(session, signed_in.worker)]


@router.get("/handovers/{handover_id}", response_model=HandoverDetailOut, responses=refusals(401, 404))
def get_handover(handover_id: str, signed_in: WorkerApi, runtime: RuntimeDep) -> dict[str, Any]:
    with runtime.database.unit_of_work() as session:
        found = casework.detail(session, runtime.cipher, signed_in.worker, handover_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return {
        **_summary(found.handover),
        "contact": found.contact,
        "transcript": [
            {"role": t.get("role"), "text": t.get("text"), "text_en": t.get("text_en"), "at": t.get("at")}
            for t in found.transcript
        ],
        "notes": [{"text": n.text, "author": n.author, "at": n.at.isoformat()} for n in found.notes],
    }


def _act(
    runtime: Runtime, signed_in: SignedIn, handover_id: str, act: Callable[[Session, Handover], None], refused: int
) -> dict[str, Any]:
    """404 for any handover but the worker's own, `refused` when the change is not allowed."""
    handover, why = change_handover(runtime, signed_in, handover_id, act)
    if handover is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    if why is not None:
        raise HTTPException(refused, why)
    return _summary(handover)


@router.post("/handovers/{handover_id}/status", response_model=HandoverOut, responses={**CHANGES, **refusals(409)})
def set_status(
    handover_id: str, body: StatusIn, signed_in: WorkerApi, runtime: RuntimeDep, csrf: CsrfHeader = None
) -> dict[str, Any]:
    _check_csrf(signed_in, csrf)

    def change(session: Session, handover: Handover) -> None:
        casework.change_status(session, signed_in.worker, handover, body.status, body.outcome)

    return _act(runtime, signed_in, handover_id, change, status.HTTP_409_CONFLICT)


@router.post(
    "/handovers/{handover_id}/notes", status_code=status.HTTP_201_CREATED, response_model=HandoverOut, responses=CHANGES
)
def add_note(
    handover_id: str, body: NoteIn, signed_in: WorkerApi, runtime: RuntimeDep, csrf: CsrfHeader = None
) -> dict[str, Any]:
    _check_csrf(signed_in, csrf)

    def note(session: Session, handover: Handover) -> None:
        casework.add_note(session, runtime.cipher, runtime.redactor, signed_in.worker, handover, body.text)

    return _act(runtime, signed_in, handover_id, note, status.HTTP_422_UNPROCESSABLE_CONTENT)


@router.get("/audit", response_model=list[AuditEventOut], responses=refusals(401, 403, 422))
def read_audit(
    signed_in: AdminApi, runtime: RuntimeDep, before: Annotated[int | None, Query(ge=1)] = None
) -> list[dict[str, Any]]:
    """A page of the trail, newest first; for the next, pass the last event's id as `before`."""
    with runtime.database.unit_of_work() as session:
        events = audit.of_org(session, signed_in.worker.org_id, before=before)
        return [
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "action": e.action,
                "worker": e.worker_email,
                "handover": e.handover_reference,
                "detail": e.detail,
            }
            for e in events
        ]
