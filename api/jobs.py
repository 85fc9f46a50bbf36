"""The gateway's background purges, each run and failing on its own.

One failing purge (the tracker store is down) must not stop the others: handovers past retention still go, the
SMS reply cache is still cleared, expired portal sessions still end. A failure is logged (its kind, never data)
and shown in /healthz until the job next succeeds.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass
class JobState:
    runs: int = 0
    failures: int = 0
    # The kind of the last failure (an exception's class), while the job is failing; None once it succeeds again.
    error: str | None = None
    last_success: dt.datetime | None = None

    def report(self) -> dict[str, object]:
        state = "not run yet" if not self.runs else ("failing" if self.error else "ok")
        success = self.last_success.isoformat(timespec="seconds") if self.last_success else None
        return {"state": state, "error": self.error, "failures": self.failures, "last_success": success}


@dataclass
class Job:
    name: str
    run: Callable[[], Awaitable[object]]
    state: JobState = field(default_factory=JobState)


class Jobs:
    def __init__(self, jobs: list[Job]) -> None:
        self.jobs = jobs

    async def run_once(self) -> None:
        for job in self.jobs:
            job.state.runs += 1
            try:
                await job.run()
            except Exception as error:  # any failure: the next job still runs
                job.state.failures += 1
                job.state.error = type(error).__name__
                log.error("job.failed", extra={"job": job.name, "error": job.state.error})
            else:
                job.state.error = None
                job.state.last_success = dt.datetime.now(dt.UTC)

    @property
    def failing(self) -> list[str]:
        return [job.name for job in self.jobs if job.state.error]

    def report(self) -> dict[str, dict[str, object]]:
        return {job.name: job.state.report() for job in self.jobs}
