"""Named points where a fault-injection test can hold the gateway, to kill a process at an exact step.

A point is armed by a file of its name in FAILPOINTS_DIR. On reaching an armed point the gateway writes
`<name>.reached` and waits while the arm file exists: the test then kills the gateway or Rasa (kill -9), or
removes the file to let the step go on. Without FAILPOINTS_DIR, or with ENVIRONMENT=production, every point is
passed at once.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

POLL_SECONDS = 0.05
# How long an armed point holds at most: a test that forgets to release it must not hang a gateway for ever.
HOLD_SECONDS = 120.0


class Failpoints:
    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    async def reach(self, name: str) -> None:
        if self.folder is None:
            return
        armed = self.folder / name
        if not armed.exists():
            return
        (self.folder / f"{name}.reached").touch()
        waited = 0.0
        while armed.exists() and waited < HOLD_SECONDS:
            await asyncio.sleep(POLL_SECONDS)
            waited += POLL_SECONDS


def failpoints(folder: Path | None, environment: str) -> Failpoints:
    return Failpoints(folder if environment != "production" else None)
