"""Latency, throughput and memory of the assistant: the gateway against bare Rasa, measured in the same run.

`make bench` starts the real stack (Rasa server + gateway), then drives the same scripted conversations at 1
and 20 concurrent users twice: through the gateway's web chat API, and straight to Rasa's REST channel (bare Rasa:
its domain responses are named custom JSON, with no callback, and its actions still run in the gateway, as in
production). Rounds alternate between the
two paths and the medians are reported, because this machine is noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from api.stack import Stack, free_port
from tests.support.limits import HARNESS_LIMITS_ENV

SCRIPT: list[dict[str, str]] = [
    {"text": "hello"},
    {"text": "my husband hits me and takes my money"},
    {"text": "is it safe to report? will the police tell immigration?"},
    {"payload": "/request_handover"},
    {"payload": '/inform{"handover_service":"harbour"}'},
    {"payload": '/inform{"contact_method":"self"}'},
    {"text": "he is outside the door"},
    {"text": "thank you"},
]
MAX_SECONDS_PER_LEVEL = 120.0


@dataclass
class Sample:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) * 1000

    @property
    def p95(self) -> float:
        return (
            statistics.quantiles(self.latencies, n=20)[18] * 1000
            if len(self.latencies) >= 20
            else max(self.latencies) * 1000
        )

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


class PeakMemory:
    """Samples the resident memory of each process (with its children) until stopped."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.peak = dict.fromkeys(pids, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self, pid: int) -> int:
        try:
            process = psutil.Process(pid)
            return process.memory_info().rss + sum(c.memory_info().rss for c in process.children(recursive=True))
        except psutil.Error:
            return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, pid in self.pids.items():
                self.peak[name] = max(self.peak[name], self._rss(pid))
            self._stop.wait(0.1)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


async def via_gateway(http: httpx.AsyncClient, stack: Stack, sample: Sample) -> None:
    started = await http.post(f"{stack.gateway_url}/api/chat/sessions", json={})
    session_id = started.json()["session_id"]
    for step in SCRIPT:
        began = time.perf_counter()
        response = await http.post(f"{stack.gateway_url}/api/chat/sessions/{session_id}/messages", json=step)
        sample.latencies.append(time.perf_counter() - began)
        sample.errors += response.status_code != 200 or not response.json()["messages"]
    await http.delete(f"{stack.gateway_url}/api/chat/sessions/{session_id}")


async def via_rasa(http: httpx.AsyncClient, stack: Stack, sample: Sample) -> None:
    sender = secrets.token_urlsafe(16)
    for step in SCRIPT:
        began = time.perf_counter()
        response = await http.post(
            f"{stack.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": step.get("text") or step["payload"]},
        )
        sample.latencies.append(time.perf_counter() - began)
        sample.errors += response.status_code != 200 or not response.json()


SMS_TOKEN = "bench-auth-token-0123456789abcdef"  # noqa: S105  (a local bench's own token)
SMS_URL = "https://bench.example.org/sms/twilio"
SMS_SCRIPT = ["hello", "my husband hits me and takes my money", "is it safe to report?", "he is outside the door"]


async def via_sms(http: httpx.AsyncClient, stack: Stack, sample: Sample) -> None:
    """One phone texting the signed Twilio webhook (numbers are random, never real)."""
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(SMS_TOKEN)
    sender = "+44770" + str(secrets.randbelow(10**7)).zfill(7)
    for body in SMS_SCRIPT:
        params = {"MessageSid": "SM" + secrets.token_hex(16), "From": sender, "To": "+447700900000", "Body": body}
        headers = {"X-Twilio-Signature": validator.compute_signature(SMS_URL, params)}
        began = time.perf_counter()
        response = await http.post(f"{stack.gateway_url}/sms/twilio", data=params, headers=headers)
        sample.latencies.append(time.perf_counter() - began)
        sample.errors += response.status_code != 200 or "<Message>" not in response.text
    await http.post(
        f"{stack.gateway_url}/sms/twilio",
        data=(params := {"MessageSid": "SM" + secrets.token_hex(16), "From": sender, "Body": "STOP"}),
        headers={"X-Twilio-Signature": validator.compute_signature(SMS_URL, params)},
    )


Driver = Callable[[httpx.AsyncClient, Stack, Sample], Awaitable[None]]


async def run_level(driver: Driver, stack: Stack, users: int, conversations: int) -> Sample:
    sample = Sample()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(conversations):
        queue.put_nowait(number)
    deadline = time.monotonic() + MAX_SECONDS_PER_LEVEL

    async def user(http: httpx.AsyncClient) -> None:
        while not queue.empty() and time.monotonic() < deadline:
            queue.get_nowait()
            await driver(http, stack, sample)

    limits = httpx.Limits(max_connections=users * 2)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        began = time.perf_counter()
        await asyncio.gather(*(user(http) for _ in range(users)))
        sample.seconds = time.perf_counter() - began
    return sample


def median_of(samples: list[Sample], attribute: str) -> float:
    return statistics.median(getattr(s, attribute) for s in samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--conversations", type=int, default=20, help="conversations per round at 20 users")
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory() as var,
        Stack(
            gateway_port=free_port(),
            rasa_port=free_port(),
            var_dir=Path(var),
            log_dir=Path(var) / "logs",
            extra_env={"TWILIO_AUTH_TOKEN": SMS_TOKEN, "SMS_PUBLIC_URL": SMS_URL, **HARNESS_LIMITS_ENV},
        ) as stack,
    ):
        pids = {name: process.pid for name, process in stack.processes.items()}
        print(f"Scripted conversation: {len(SCRIPT)} messages. Rounds: {args.rounds} (medians shown).\n")
        header = f"{'path':8s} {'users':>5s} {'msgs':>5s} {'p50 ms':>8s} {'p95 ms':>8s} {'msg/s':>7s} {'errors':>6s}"
        results: dict[tuple[str, int], list[Sample]] = {}
        with PeakMemory(pids) as memory:
            asyncio.run(run_level(via_gateway, stack, 1, 2))  # warm-up, not counted
            for users, conversations in ((1, max(3, args.conversations // 4)), (20, args.conversations)):
                for _ in range(args.rounds):
                    for name, driver in (("rasa", via_rasa), ("gateway", via_gateway), ("sms", via_sms)):
                        sample = asyncio.run(run_level(driver, stack, users, conversations))
                        results.setdefault((name, users), []).append(sample)
        print(header)
        for (name, users), samples in results.items():
            messages = sum(len(s.latencies) for s in samples)
            errors = sum(s.errors for s in samples)
            print(
                f"{name:8s} {users:5d} {messages:5d} {median_of(samples, 'p50'):8.1f} "
                f"{median_of(samples, 'p95'):8.1f} {median_of(samples, 'rate'):7.1f} {errors:6d}"
            )
        print()
        for users in (1, 20):
            gateway, rasa = results[("gateway", users)], results[("rasa", users)]
            sms = results[("sms", users)]
            print(f"sms/rasa at {users:2d} users: p95 x{median_of(sms, 'p95') / median_of(rasa, 'p95'):.2f}")
            print(
                f"gateway/rasa at {users:2d} users: p50 x{median_of(gateway, 'p50') / median_of(rasa, 'p50'):.2f}, "
                f"p95 x{median_of(gateway, 'p95') / median_of(rasa, 'p95'):.2f}, "
                f"throughput x{median_of(gateway, 'rate') / median_of(rasa, 'rate'):.2f}"
            )
        print()
        for name, peak in memory.peak.items():
            print(f"peak RSS {name:8s} {peak / 2**20:8.1f} MiB")
        failed = sum(s.errors for samples in results.values() for s in samples)
        return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
