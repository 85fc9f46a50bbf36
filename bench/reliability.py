"""Reliability table: faults injected at each step of a handover's submission, and memory under floods.

`make bench` runs, on one real stack whose database sits on a small filesystem (tests/support/faults.py):
- every fault scenario of the fault-injection test, with the requests tried, whether the stack survived, and the
  handovers she was told were sent, stored, lost (must be 0) and duplicated (must be 0);
- a sign-in flood (concurrent wrong sign-ins) and a session flood (concurrent new chats), with the gateway's
  peak resident memory against its idle memory and against Rasa's (bare Rasa, measured in the same run).

The stack runs with the harnesses' lifted chat limits (every request comes from 127.0.0.1), so the session flood
shows the memory of a flood the per-client limit did not stop; the sign-in limit is the real one.
Needs root (the small filesystem is a tmpfs mount).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.conversations import PeakMemory
from tests.support.faults import SCENARIOS, Faults, Outcome, fault_stack
from tests.support.limits import HARNESS_LIMITS_ENV

MIB = 1024 * 1024
FLOOD_SECONDS = 60.0


async def _flood(url: str, count: int, concurrency: int, body: dict[str, str]) -> Counter[int]:
    """`count` POSTs, `concurrency` at a time, bounded in time; the status codes they got (0: no answer)."""
    codes: Counter[int] = Counter()
    gate = asyncio.Semaphore(concurrency)

    async def one(http: httpx.AsyncClient) -> None:
        async with gate:
            try:
                codes[(await http.post(url, json=body)).status_code] += 1
            except httpx.HTTPError:
                codes[0] += 1

    async with httpx.AsyncClient(timeout=30) as http:
        await asyncio.wait_for(asyncio.gather(*(one(http) for _ in range(count))), FLOOD_SECONDS)
    return codes


@dataclass(frozen=True)
class FloodRow:
    name: str
    answers: str  # status code: how many
    idle: int  # the gateway's resident bytes before the flood
    peak: int  # ... and at its highest during it
    rasa: int

    def line(self) -> str:
        return (
            f"{self.name:14} {self.idle / MIB:>10.0f}Mi {self.peak / MIB:>6.0f}Mi "
            f"{self.peak / max(self.idle, 1):>9.2f} {self.rasa / MIB:>6.0f}Mi {self.peak / max(self.rasa, 1):>7.2f}  "
            f"{self.answers}"
        )


def _flood_row(faults: Faults, name: str, path: str, count: int, body: dict[str, str]) -> FloodRow:
    stack = faults.stack
    pids = {n: stack.processes[n].pid for n in ("gateway", "rasa")}
    with PeakMemory(pids) as idle:
        time.sleep(1)
    with PeakMemory(pids) as peak:
        codes = asyncio.run(_flood(stack.gateway_url + path, count, 32, body))
    answers = ", ".join(f"{code or 'none'}: {n}" for code, n in sorted(codes.items()))
    return FloodRow(name, answers, idle.peak["gateway"], peak.peak["gateway"], peak.peak["rasa"])


def _print_faults(outcomes: list[Outcome]) -> None:
    print("\nFaults injected during a handover's submission (one victim each, going on as a person would)")
    header = f"{'fault':58} {'requests':>8} {'survived':>8} {'told sent':>9} {'stored':>6} {'lost':>4} {'dup':>4}"
    print(header)
    print("-" * len(header))
    for o in outcomes:
        print(
            f"{o.fault:58} {o.requests:>8} {'yes' if o.survived else 'NO':>8} {len(set(o.told_sent)):>9} "
            f"{len(o.stored):>6} {o.lost:>4} {o.duplicated:>4}"
        )
    total = sum(o.requests for o in outcomes)
    survived = sum(o.survived for o in outcomes)
    print(
        f"\nrequests tried: {total}; faults injected: {len(outcomes)}, survived: {survived}; "
        f"handovers lost: {sum(o.lost for o in outcomes)}, duplicated: {sum(o.duplicated for o in outcomes)}, "
        f"stored after she was told it failed: {sum(o.stored_after_failure for o in outcomes)}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sign-ins", type=int, default=200)
    parser.add_argument("--sessions", type=int, default=2000)
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("bench.reliability needs root (a tmpfs mount for the small filesystem); skipped")
        return 0
    root = Path(tempfile.mkdtemp(prefix="bench-reliability-"))
    with fault_stack(root, root / "logs", HARNESS_LIMITS_ENV) as faults:
        outcomes = [faults.run(name, scenario) for name, scenario in SCENARIOS.items()]
        _print_faults(outcomes)
        wrong = {"email": "nobody@example.org", "password": "not the password", "totp": "000000"}
        rows = [
            _flood_row(faults, "sign-in flood", "/api/portal/login", args.sign_ins, wrong),
            _flood_row(faults, "session flood", "/api/chat/sessions", args.sessions, {"language": "en"}),
        ]
    print("\nPeak resident memory under floods (gateway with its children; Rasa alongside)")
    header = f"{'flood':14} {'gateway idle':>12} {'peak':>8} {'peak/idle':>9} {'Rasa':>8} {'gw/Rasa':>7}  answers"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(row.line())
    failed = any(o.lost or o.duplicated or o.stored_after_failure or not o.survived for o in outcomes)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
