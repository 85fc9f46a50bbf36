"""The background purges run and fail one by one: a failure is shown in /healthz and the log, the rest still run."""

from __future__ import annotations

import datetime as dt
import logging

import anyio
import pytest
from fastapi.testclient import TestClient

from api.jobs import Job, Jobs
from api.repositories import handovers


async def succeeds() -> None:
    return None


async def fails() -> None:
    raise ConnectionError("redis is down")


def test_a_failing_job_is_reported_and_the_next_one_still_runs(caplog: pytest.LogCaptureFixture) -> None:
    ran: list[str] = []

    async def after() -> None:
        ran.append("after")

    jobs = Jobs([Job("trackers", fails), Job("handovers", after)])
    with caplog.at_level(logging.ERROR):
        anyio.run(jobs.run_once)
    assert ran == ["after"]
    assert jobs.failing == ["trackers"]
    report = jobs.report()
    assert report["trackers"]["state"] == "failing" and report["trackers"]["error"] == "ConnectionError"
    assert report["handovers"]["state"] == "ok" and report["handovers"]["last_success"]
    assert any(getattr(r, "job", None) == "trackers" for r in caplog.records)
    assert "redis is down" not in caplog.text, "the kind of failure is logged, not what it said"


def test_a_job_that_succeeds_again_is_no_longer_failing() -> None:
    job = Job("trackers", fails)
    jobs = Jobs([job])
    anyio.run(jobs.run_once)
    job.run = succeeds
    anyio.run(jobs.run_once)
    assert jobs.failing == [] and jobs.report()["trackers"] == {
        "state": "ok",
        "error": None,
        "failures": 1,
        "last_success": jobs.report()["trackers"]["last_success"],
    }


def test_the_tracker_store_down_does_not_stop_the_handover_purge(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gateway's own jobs, with its real runtime: Rasa's tracker store fails, old handovers still go."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    jobs: Jobs = client.app.state.jobs  # type: ignore[attr-defined]
    with runtime.database.unit_of_work() as db:
        old = handovers.create(
            db, runtime.cipher, service_id="harbour", need=None, language="en", contact={}, transcript=[]
        )
        old.created_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=runtime.settings.handover_retention_days + 1)
        reference = old.reference

    def down(_: float) -> int:
        raise ConnectionError("tracker store down")

    monkeypatch.setattr(runtime.trackers, "purge_idle", down)
    anyio.run(jobs.run_once)
    with runtime.database.unit_of_work() as db:
        assert handovers.by_reference(db, reference) is None
    assert jobs.failing == ["rasa_trackers"]
    health = client.get("/healthz")
    body = health.json()
    assert body["jobs"]["rasa_trackers"]["state"] == "failing" and body["jobs"]["handovers"]["state"] == "ok"
    assert body["status"] == "degraded"
    assert [name for name, job in body["jobs"].items() if job["state"] != "ok"] == ["rasa_trackers"]
