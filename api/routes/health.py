"""Component status for operators and load balancers."""

from __future__ import annotations

import anyio
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from api.deps import JobsDep, RuntimeDep
from api.routes.sms import sms_state

router = APIRouter(tags=["health"])


class JobOut(BaseModel):
    state: str
    error: str | None
    failures: int
    last_success: str | None


class TranslationOut(BaseModel):
    installed: list[str]
    missing: list[str]


class HealthOut(BaseModel):
    status: str
    components: dict[str, str]
    jobs: dict[str, JobOut]
    translation: TranslationOut
    sms: str


HEALTH_RESPONSES: dict[int | str, dict[str, object]] = {
    503: {"model": HealthOut, "description": "Rasa or the database is down: victims cannot be served here"}
}


def _database_up(runtime: RuntimeDep) -> bool:
    try:
        with runtime.database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any driver error means "down"; the reason goes to no one
        return False
    return True


@router.get("/healthz", response_model=HealthOut, responses=HEALTH_RESPONSES)
async def healthz(runtime: RuntimeDep, jobs: JobsDep) -> JSONResponse:
    """503 only when victims cannot be served here (a load balancer then sends them elsewhere). A failing purge is
    for an operator to mend, not a reason to turn victims away: it makes the status "degraded" with a 200."""
    components = {
        "rasa": "up" if await runtime.rasa.is_up() else "down",
        "database": "up" if await anyio.to_thread.run_sync(_database_up, runtime) else "down",
    }
    healthy = all(state == "up" for state in components.values())
    # Machine translation is optional: a missing pair is shown here, while victims get the no-MT path.
    translator = runtime.translator
    installed = translator.available()
    translation = {"installed": sorted(installed), "missing": sorted(translator.wanted - installed)}
    body = HealthOut.model_validate(
        {
            "status": "ok" if healthy and not jobs.failing else "degraded",
            "components": components,
            "jobs": jobs.report(),
            "translation": translation,
            "sms": sms_state(runtime.settings),
        }
    )
    return JSONResponse(body.model_dump(), status_code=200 if healthy else 503)
