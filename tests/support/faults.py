"""Faults injected into a real stack at each step of a handover's submission, and what she was told after each.

Each scenario is one victim who wants one handover, writing from one or more chats (a crash that loses the
gateway's memory makes her start again). After the fault she goes on as she would: she starts again, presses
"try again", or writes again. Then the database is read back: each handover is matched to the chat that made it
by the phone number she gave (a different one per chat), so what she was told can be compared with what is
stored. tests/conversations/test_handover_faults.py asserts on the outcomes; bench/reliability.py tabulates them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import select

from api.core.crypto import Cipher
from api.core.db import Database
from api.models import Handover
from api.repositories import handovers
from api.stack import Stack
from tests.conversations.chat import REFERENCE, ChatClient

TRY_AGAIN = "/request_handover"
HARBOUR = '/inform{"handover_service":"harbour"}'
# The small filesystem that holds the gateway's database, so a test can fill it.
SMALL_FS_BYTES = 16 * 1024 * 1024
REACHED_SECONDS = 60.0


@dataclass
class Outcome:
    """One scenario, from her side and from the database's."""

    fault: str
    requests: int = 0
    told_sent: list[str] = field(default_factory=list)  # references she was shown
    told_failed: int = 0  # "it was not sent" messages she got
    stored: dict[str, str] = field(default_factory=dict)  # reference -> the chat (phone number) that made it
    failed_chats: set[str] = field(default_factory=set)  # chats whose last word on the handover was "not sent"
    survived: bool = True  # every request that could be answered got an answer, and the stack came back

    @property
    def lost(self) -> int:
        """Handovers she was told were sent that the database does not hold."""
        return sum(1 for reference in set(self.told_sent) if reference not in self.stored)

    @property
    def duplicated(self) -> int:
        """Handovers beyond one per chat: a retry that stored a second copy of the same consent."""
        return sum(count - 1 for count in Counter(self.stored.values()).values() if count > 1)

    @property
    def stored_after_failure(self) -> int:
        """Handovers stored for a chat whose last word to her was that nothing was sent."""
        return sum(1 for chat in self.stored.values() if chat in self.failed_chats)


class Victim:
    """One chat of hers: a unique phone number, everything she was shown, every request she tried."""

    def __init__(self, stack: Stack, outcome: Outcome, number: int) -> None:
        self.http = httpx.Client(base_url=stack.gateway_url, timeout=60)
        self.outcome = outcome
        self.phone = f"07700 9{number:05d}"
        self.bot = ChatClient(self.http, "en")
        outcome.requests += 1

    def send(self, text: str | None = None, payload: str | None = None) -> None:
        self.outcome.requests += 1
        self.bot.send(text, payload)
        self._read()

    def try_send(self, payload: str) -> bool:
        """Send, and say whether an answer came (a killed gateway answers nothing)."""
        self.outcome.requests += 1
        try:
            response = self.http.post(f"/api/chat/sessions/{self.bot.session_id}/messages", json={"payload": payload})
        except httpx.HTTPError:
            return False
        if response.status_code != 200:
            return False
        self.bot.last = response.json()
        self._read()
        return True

    def _read(self) -> None:
        texts = self.bot.text
        self.outcome.told_sent += REFERENCE.findall(texts)
        if TRY_AGAIN in self.bot.payloads and "could not be sent" in texts:
            self.outcome.told_failed += 1
            self.outcome.failed_chats.add(self.phone)
        elif REFERENCE.search(texts):
            self.outcome.failed_chats.discard(self.phone)

    def to_consent(self) -> None:
        self.send("my husband hits me and I need help")
        self.send(payload="/request_handover")
        self.send(payload=HARBOUR)
        self.send(payload='/inform{"contact_method":"phone"}')
        self.send(self.phone)
        self.send(payload="/skip")
        self.send(payload="/deny")
        self.send(payload="/skip")
        assert "/affirm" in self.bot.payloads, self.bot.text

    def close(self) -> None:
        self.http.close()


class Faults:
    """The stack under test, its failpoints, and the small filesystem its database lives on."""

    def __init__(self, stack: Stack, failpoints: Path, small_fs: Path, cipher: Callable[[], Cipher]) -> None:
        self.stack = stack
        self.failpoints = failpoints
        self.small_fs = small_fs
        self.database = Database(f"sqlite:///{small_fs / 'assistant.db'}")
        self._cipher = cipher
        self._chats = 0

    def victim(self, outcome: Outcome) -> Victim:
        self._chats += 1
        return Victim(self.stack, outcome, self._chats)

    @contextlib.contextmanager
    def armed(self, point: str) -> Iterator[Path]:
        """Hold the gateway at `point` until the block ends (or the gateway dies there)."""
        arm, reached = self.failpoints / point, self.failpoints / f"{point}.reached"
        reached.unlink(missing_ok=True)
        arm.touch()
        try:
            yield reached
        finally:
            arm.unlink(missing_ok=True)
            reached.unlink(missing_ok=True)

    def stored(self) -> dict[str, str]:
        """Every handover in the database: its reference, and the phone number of the chat that made it."""
        cipher = self._cipher()
        with self.database.unit_of_work() as session:
            rows = session.scalars(select(Handover)).all()
            return {h.reference: str(handovers.contact_of(h, cipher).get("detail")) for h in rows}

    def run(self, fault: str, scenario: Callable[[Faults, Outcome], None]) -> Outcome:
        outcome = Outcome(fault)
        before = set(self.stored())
        try:
            scenario(self, outcome)
        finally:
            for name in ("gateway", "rasa"):
                if name not in self.stack.processes or self.stack.processes[name].poll() is not None:
                    self.stack.restart(name)
        outcome.stored = {ref: chat for ref, chat in self.stored().items() if ref not in before}
        return outcome


@contextlib.contextmanager
def locked(database: Path) -> Iterator[None]:
    """Another writer holds an exclusive lock on the SQLite file for as long as the block runs."""
    locker = sqlite3.connect(database, isolation_level=None)
    try:
        locker.execute("BEGIN EXCLUSIVE")
        yield
    finally:
        locker.rollback()
        locker.close()


def _wait(reached: Path) -> None:
    deadline = time.monotonic() + REACHED_SECONDS
    while not reached.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"the gateway never reached {reached.stem}")
        time.sleep(0.05)


def _consent_and_kill(faults: Faults, victim: Victim, point: str, process: str) -> bool | None:
    """She presses yes while the gateway is held at `point`; `process` is killed there, then the point released.
    Whether an answer reached her (None: the request never came back)."""
    victim.to_consent()
    answered: list[bool] = []
    thread = threading.Thread(target=lambda: answered.append(victim.try_send("/affirm")), daemon=True)
    with faults.armed(point) as reached:
        thread.start()
        _wait(reached)
        faults.stack.kill(process)
    thread.join(60)
    return answered[0] if answered else None


def kill_gateway_at(point: str) -> Callable[[Faults, Outcome], None]:
    """The gateway dies (kill -9) at `point` while she consents; it comes back with an empty memory, so her chat
    is gone and she starts again from the beginning."""

    def scenario(faults: Faults, outcome: Outcome) -> None:
        answered = _consent_and_kill(faults, faults.victim(outcome), point, "gateway")
        outcome.survived = answered is False  # nothing reached her from a dead gateway
        faults.stack.restart("gateway")
        again = faults.victim(outcome)
        again.to_consent()
        again.send(payload="/affirm")

    return scenario


def kill_rasa_at(point: str) -> Callable[[Faults, Outcome], None]:
    """Rasa dies (kill -9) while the gateway is at `point`; the gateway answers with the safe fallback. Rasa comes
    back with no memory of her; her chat on the gateway lives on, so whatever the action told her arrives with
    her next message, and if nothing was stored she asks again."""

    def scenario(faults: Faults, outcome: Outcome) -> None:
        victim = faults.victim(outcome)
        answered = _consent_and_kill(faults, victim, point, "rasa")
        outcome.survived = answered is True and "999" in victim.bot.texts[0]
        faults.stack.restart("rasa")
        victim.send("hello, did it go?")
        if not outcome.told_sent:
            victim.to_consent()
            victim.send(payload="/affirm")

    return scenario


def slow_rasa(faults: Faults, outcome: Outcome) -> None:
    """Rasa stops answering (SIGSTOP) for longer than the gateway waits, then wakes up; she presses yes again."""
    victim = faults.victim(outcome)
    victim.to_consent()
    rasa = faults.stack.processes["rasa"]
    os.killpg(rasa.pid, signal.SIGSTOP)
    try:
        answered = victim.try_send("/affirm")
    finally:
        os.killpg(rasa.pid, signal.SIGCONT)
    outcome.survived = answered and "999" in victim.bot.texts[0]
    time.sleep(2)  # Rasa works through what queued up while it was stopped
    victim.send(payload="/affirm")
    if not outcome.told_sent:
        victim.send("hello, did it go?")


def database_locked(faults: Faults, outcome: Outcome) -> None:
    """Another writer holds the database for longer than a write waits; then lets go, and she tries again."""
    victim = faults.victim(outcome)
    victim.to_consent()
    with locked(faults.small_fs / "assistant.db"):
        victim.send(payload="/affirm")
    victim.send(payload=TRY_AGAIN)
    victim.send(payload="/affirm")


def disk_full(faults: Faults, outcome: Outcome) -> None:
    """The filesystem holding the database fills up; space comes back, and she tries again."""
    victim = faults.victim(outcome)
    victim.to_consent()
    filler = faults.small_fs / "filler"
    with filler.open("wb") as out, contextlib.suppress(OSError):
        while True:
            out.write(b"\0" * 65536)
            out.flush()
    try:
        victim.send(payload="/affirm")
    finally:
        filler.unlink()
    victim.send(payload=TRY_AGAIN)
    victim.send(payload="/affirm")


SCENARIOS: dict[str, Callable[[Faults, Outcome], None]] = {
    "gateway killed before the handover is stored": kill_gateway_at("handover.before_store"),
    "gateway killed after it is stored, before she is told": kill_gateway_at("handover.after_store"),
    "gateway killed after Rasa answered, before she is told": kill_gateway_at("reply.after_rasa"),
    "Rasa killed while the action runs, before the store": kill_rasa_at("handover.before_store"),
    "Rasa killed after the store, before it answers": kill_rasa_at("handover.after_store"),
    "Rasa too slow (stopped past the gateway's timeout)": slow_rasa,
    "database locked past the write's wait": database_locked,
    "disk full": disk_full,
}


@contextlib.contextmanager
def small_filesystem(folder: Path) -> Iterator[Path]:
    """A tmpfs of SMALL_FS_BYTES mounted on `folder` (root only), unmounted afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SMALL_FS_BYTES},mode=0700", "tmpfs", str(folder)],
        check=True,
        capture_output=True,
    )
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False, capture_output=True)


@contextlib.contextmanager
def fault_stack(root: Path, log_dir: Path, extra_env: dict[str, str]) -> Iterator[Faults]:
    """A real stack whose database is on a small filesystem and whose gateway honours failpoints."""
    from api.stack import free_port
    from tests.conversations.chat import stack_cipher

    failpoints = root / "failpoints"
    failpoints.mkdir(parents=True)
    with small_filesystem(root / "small") as small:
        env = {
            **extra_env,
            "DATABASE_URL": f"sqlite:///{small / 'assistant.db'}",
            "FAILPOINTS_DIR": str(failpoints),
            "RASA_TIMEOUT_SECONDS": "4",
        }
        with Stack(
            gateway_port=free_port(), rasa_port=free_port(), var_dir=root / "var", log_dir=log_dir, extra_env=env
        ) as stack:
            yield Faults(stack, failpoints, small, lambda: stack_cipher(stack))
