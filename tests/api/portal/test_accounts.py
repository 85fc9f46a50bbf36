"""Creating support-worker accounts: only for services that accept handovers; secrets never stored in clear."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.models import Worker
from api.portal import accounts
from tests.support.portal import ORG, World


@pytest.mark.parametrize(
    ("org", "email", "role", "password", "reason"),
    [
        ("no_such_service", "a@b.example.org", "worker", "long enough password", "not a service"),
        ("national_domestic_abuse_helpline", "a@b.example.org", "worker", "long enough password", "not a service"),
        (ORG, "a@b.example.org", "owner", "long enough password", "role must be"),
        (ORG, "not-an-email", "worker", "long enough password", "not an email"),
        (ORG, "a@b.example.org", "worker", "short", "at least 12"),
    ],
)
def test_refuses_what_it_cannot_create(
    portal_world: World, org: str, email: str, role: str, password: str, reason: str
) -> None:
    runtime = portal_world.runtime
    with pytest.raises(accounts.AccountError, match=reason), runtime.database.unit_of_work() as session:
        accounts.create_worker(
            session, runtime.cipher, runtime.content.directory, org_id=org, email=email, role=role, password=password
        )


def test_one_account_per_email_whatever_its_case(portal_world: World) -> None:
    person = portal_world.add_person("ana")
    runtime = portal_world.runtime
    with pytest.raises(accounts.AccountError, match="already exists"), runtime.database.unit_of_work() as session:
        accounts.create_worker(
            session,
            runtime.cipher,
            runtime.content.directory,
            org_id=ORG,
            email=person.email.upper(),
            role="worker",
            password="another long password",
        )


def test_password_is_argon2id_and_totp_secret_is_encrypted(portal_world: World) -> None:
    person = portal_world.add_person("ana")
    with portal_world.runtime.database.unit_of_work() as session:
        worker = session.scalar(select(Worker).where(Worker.id == person.id))
        assert worker is not None
        assert worker.password_hash.startswith("$argon2id$")
        assert person.secret not in worker.totp_sealed
        assert portal_world.runtime.cipher.open(worker.totp_sealed) == person.secret
