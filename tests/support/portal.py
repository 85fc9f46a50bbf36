"""A small world for portal tests: two organisations, their workers and handovers, and a way to sign in.

Each person signs in with a real TOTP code computed from her secret; `sign_in` first rewinds the worker's
last-used step so a test can sign the same person in again within one 30-second window.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from api.core.config import ROOT
from api.models import Worker
from api.portal import accounts, totp
from api.repositories import handovers
from api.runtime import Runtime

ORG = "harbour"
OTHER_ORG = "halo_project"
PASSWORD = "correct horse battery staple"


def create_worker_cli(var_dir: Path, secret: str, email: str, password: str, role: str = "admin") -> str:
    """A worker of harbour made as `make worker` makes one (the migrate step, then the command) in a stack's var/;
    returns the TOTP secret it prints once."""
    env = {**os.environ, "VAR_DIR": str(var_dir), "INTERNAL_SECRET": secret}
    for command, stdin in (
        (["migrate"], ""),
        (["create-worker", "--org", ORG, "--email", email, "--role", role], password),
    ):
        created = subprocess.run(
            [sys.executable, "-m", "api.cli", *command],
            cwd=ROOT,
            input=stdin + "\n",
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=False,
        )
        assert created.returncode == 0, created.stderr
    found = re.search(r"TOTP secret: ([A-Z2-7]+)", created.stdout)
    assert found, created.stdout
    return found.group(1)


@dataclass
class Person:
    email: str
    org: str
    role: str
    secret: str
    id: uuid.UUID

    def code(self, offset_steps: int = 0) -> str:
        return totp.code_at(self.secret, totp.current_step() + offset_steps)


@dataclass
class World:
    client: TestClient
    runtime: Runtime
    people: dict[str, Person] = field(default_factory=dict)

    def add_person(self, name: str, org: str = ORG, role: str = "worker") -> Person:
        email = f"{name}-{uuid.uuid4().hex[:8]}@{org.replace('_', '-')}.example.org"
        with self.runtime.database.unit_of_work() as session:
            created = accounts.create_worker(
                session,
                self.runtime.cipher,
                self.runtime.content.directory,
                org_id=org,
                email=email,
                role=role,
                password=PASSWORD,
            )
            person = Person(email, org, role, created.totp_secret, created.worker.id)
        self.people[name] = person
        return person

    def add_handover(self, org: str = ORG, language: str = "pl", transcript: list[dict[str, Any]] | None = None) -> str:
        turns = transcript or [
            {
                "role": "user",
                "text": "Mąż mnie bije",
                "text_en": "My husband beats me",
                "at": "2026-11-29T08:00:00+00:00",
            },
            {"role": "bot", "text": "Jestem tutaj, aby pomóc.", "text_en": None, "at": "2026-11-29T08:00:01+00:00"},
        ]
        contact = {
            "method": "phone",
            "detail": "07700 900123",
            "safe_times": "rano",
            "leave_message": "no",
            "nickname": "Ania",
        }
        with self.runtime.database.unit_of_work() as session:
            handover = handovers.create(
                session,
                self.runtime.cipher,
                service_id=org,
                need="domestic_abuse",
                language=language,
                contact=contact,
                transcript=turns,
            )
            return str(handover.id)

    def rewind_totp(self, person: Person) -> None:
        with self.runtime.database.unit_of_work() as session:
            session.execute(update(Worker).where(Worker.id == person.id).values(totp_last_step=0))

    def set_disabled(self, person: Person, disabled: bool = True) -> None:
        with self.runtime.database.unit_of_work() as session:
            session.execute(update(Worker).where(Worker.id == person.id).values(disabled=disabled))

    def sign_in(self, name: str) -> str:
        """Signs the client in as `name` through the JSON API; returns the CSRF token."""
        person = self.people[name]
        self.rewind_totp(person)
        self.client.cookies.clear()
        response = self.client.post(
            "/api/portal/login", json={"email": person.email, "password": PASSWORD, "totp": person.code()}
        )
        assert response.status_code == 200, response.text
        return str(response.json()["csrf_token"])

    def age_sessions(self, **delta: float) -> None:
        """Moves every session's timestamps back in time, as if the worker had been away."""
        from api.models import PortalSession

        shift = dt.timedelta(**delta)
        with self.runtime.database.unit_of_work() as session:
            for row in session.scalars(select(PortalSession)):
                row.created_at -= shift
                row.last_seen_at -= shift
