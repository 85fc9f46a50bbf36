"""The portal under a flood: the sign-in limit holds under concurrency, hashing is bounded and off the chat's
threads, a password change ends the other sessions and cannot be guessed at, and the audit log pages and folds
repeated refusals. On SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy import func, select

from api.models import AuditEvent, PortalSession
from api.portal import accounts, passwords
from api.portal.accounts import Refusal
from api.portal.passwords import HashingBusy, Passwords
from api.portal.sessions import cookie_name
from api.repositories import audit
from tests.support.portal import ORG, PASSWORD, World

CONCURRENT = 8


async def guesses(world: World, email: str, count: int) -> list[Refusal | None]:
    runtime = world.runtime

    async def one() -> Refusal | None:
        result = await accounts.sign_in(
            runtime.database,
            runtime.cipher,
            runtime.settings,
            runtime.passwords,
            email=email,
            password="wrong password entirely",
            code="000000",
            address="198.51.100.7",
        )
        return result.refusal

    return list(await asyncio.gather(*(one() for _ in range(count))))


def test_concurrent_wrong_guesses_never_get_past_the_limit(portal_world: World) -> None:
    person = portal_world.add_person("concurrent")
    limit = portal_world.runtime.settings.login_max_failures_per_account
    refusals = asyncio.run(guesses(portal_world, person.email, CONCURRENT))
    checked = refusals.count(Refusal.INVALID)
    assert checked <= limit and refusals.count(Refusal.RATE_LIMITED) == CONCURRENT - checked
    # How many of a burst get checked depends on how the writes interleave (all may be refused when all record
    # before any counts): what must hold is that refused guesses do not count, so the limit stays live.
    (after,) = asyncio.run(guesses(portal_world, person.email, 1))
    assert after == (Refusal.INVALID if checked < limit else Refusal.RATE_LIMITED)


def test_hashing_runs_on_its_own_threads_and_refuses_past_its_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    pool = Passwords(workers=1)
    seen: set[str] = set()
    release = threading.Event()

    def slow_verify(password_hash: str, password: str) -> bool:
        seen.add(threading.current_thread().name)
        release.wait(5)
        return False

    monkeypatch.setattr(pool, "_matches", slow_verify)

    async def flood() -> list[object]:
        attempts = [
            asyncio.ensure_future(pool.verify("$argon2id$x", "guess")) for _ in range(passwords.MAX_WAITING + 4)
        ]
        await asyncio.sleep(0.2)
        release.set()
        return list(await asyncio.gather(*attempts, return_exceptions=True))

    results = asyncio.run(flood())
    pool.close()
    assert sum(isinstance(r, HashingBusy) for r in results) == 4
    assert all(name.startswith("argon2") for name in seen), "never on the thread pool that serves victims' chats"


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(portal_world: World) -> None:
    person = portal_world.add_person("changer")
    name = cookie_name(portal_world.runtime.settings)
    portal_world.sign_in("changer")
    other_device = portal_world.client.cookies.get(name)
    portal_world.client.cookies.clear()
    csrf = portal_world.sign_in("changer")
    form = {
        "csrf": csrf,
        "current": PASSWORD,
        "new": "a brand new long password",
        "repeated": "a brand new long password",
    }
    assert portal_world.client.post("/portal/account/password", data=form).status_code == 200
    assert portal_world.client.get("/portal").status_code == 200, "this session goes on"
    with portal_world.runtime.database.unit_of_work() as session:
        left = session.scalar(
            select(func.count()).select_from(PortalSession).where(PortalSession.worker_id == person.id)
        )
    assert left == 1
    portal_world.client.cookies.clear()
    portal_world.client.cookies.set(name, str(other_device))
    assert portal_world.client.get("/portal", follow_redirects=False).status_code == 303, "the other device is out"


def test_guessing_the_current_password_is_limited(portal_world: World) -> None:
    portal_world.add_person("guesser")
    csrf = portal_world.sign_in("guesser")
    limit = portal_world.runtime.settings.login_max_failures_per_account
    wrong = {
        "csrf": csrf,
        "current": "not it at all",
        "new": "another long password",
        "repeated": "another long password",
    }
    for _ in range(limit):
        assert "current password is not right" in portal_world.client.post("/portal/account/password", data=wrong).text
    right = {**wrong, "current": PASSWORD}
    assert "Too many wrong passwords" in portal_world.client.post("/portal/account/password", data=right).text


def test_a_flood_of_refused_sign_ins_is_one_row_that_counts_them(portal_world: World) -> None:
    person = portal_world.add_person("flooded")
    limit = portal_world.runtime.settings.login_max_failures_per_account
    for _ in range(limit + 30):
        portal_world.client.post("/api/portal/login", json={"email": person.email, "password": "x", "totp": "1"})
    with portal_world.runtime.database.unit_of_work() as session:
        query = select(AuditEvent).where(AuditEvent.action == "login_rate_limited", AuditEvent.worker_id == person.id)
        rows = list(session.scalars(query))
    assert len(rows) == 1 and rows[0].detail == "30"


def test_the_audit_log_pages_through_every_event(portal_world: World) -> None:
    with portal_world.runtime.database.unit_of_work() as session:
        for i in range(audit.PAGE * 2 + 50):
            audit.record(session, "viewed", org_id=ORG, detail=str(i))
    seen: list[int] = []
    before = None
    with portal_world.runtime.database.unit_of_work() as session:
        while page := audit.of_org(session, ORG, before=before):
            seen += [e.id for e in page]
            before = page[-1].id
    assert len(seen) == len(set(seen)) >= audit.PAGE * 2 + 50 and seen == sorted(seen, reverse=True)
