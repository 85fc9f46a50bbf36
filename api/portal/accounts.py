"""Support-worker accounts and signing in: argon2id passwords, TOTP second factor, rate limits.

Every refusal looks the same from outside ("email, password or code is wrong"), whether the account exists, is
disabled, or only the code was wrong: nobody can learn from the portal who works where. Unknown emails still
cost one argon2 verification, so timing does not tell either.
"""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from dataclasses import dataclass
from functools import lru_cache

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import update
from sqlalchemy.orm import Session

from api.content.directory import Directory
from api.core.config import Settings
from api.core.crypto import Cipher
from api.core.db import Database
from api.core.formats import is_email
from api.core.logging import pseudonym
from api.models import ROLES, Worker
from api.portal import totp
from api.portal.passwords import HashingBusy, Passwords
from api.portal.sessions import SignedIn
from api.repositories import audit, portal_sessions, workers

MIN_PASSWORD_CHARS = 12
ISSUER = "Safe reporting portal"


class AccountError(ValueError):
    """A worker cannot be created as asked; the message says why, for the operator."""


class Refusal(enum.Enum):
    INVALID = "invalid"
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True)
class NewAccount:
    worker: Worker
    totp_secret: str
    otpauth_uri: str


@dataclass(frozen=True)
class SignIn:
    worker: Worker | None
    refusal: Refusal | None


@lru_cache
def hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id with the library's current recommended parameters


@lru_cache
def _dummy_hash() -> str:
    return hasher().hash(secrets.token_urlsafe(16))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_worker(
    session: Session,
    cipher: Cipher,
    directory: Directory,
    *,
    org_id: str,
    email: str,
    role: str,
    password: str,
    by: Worker | None = None,
) -> NewAccount:
    """`by` is the admin who adds the worker; None for the operator's command line."""
    service = directory.get(org_id)
    if service is None or not service.accepts_handover:
        choices = ", ".join(s.id for s in directory.services if s.accepts_handover)
        raise AccountError(f"{org_id!r} is not a service that accepts handovers (one of: {choices})")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    email = normalise_email(email)
    if not is_email(email):
        raise AccountError("that is not an email address")
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_CHARS} characters")
    if workers.by_email(session, email) is not None:
        raise AccountError("a worker with that email already exists")
    secret = totp.new_secret()
    worker = workers.create(
        session,
        org_id=org_id,
        email=email,
        role=role,
        password_hash=hasher().hash(password),
        totp_sealed=cipher.seal(secret),
    )
    audit.record(session, "worker_added", worker=by, org_id=org_id, detail=email)
    return NewAccount(worker, secret, totp.provisioning_uri(secret, email, ISSUER))


def _keys(settings: Settings, email: str, address: str) -> tuple[str, str]:
    secret = settings.internal_secret.get_secret_value()
    return f"account:{pseudonym(secret, email)}", f"address:{pseudonym(secret, address)}"


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _claim_step(session: Session, worker: Worker, step: int) -> bool:
    """Atomically move the worker's last TOTP step forward; False if a concurrent sign-in used this code."""
    result = session.execute(
        update(Worker).where(Worker.id == worker.id, Worker.totp_last_step < step).values(totp_last_step=step)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


async def sign_in(
    database: Database,
    cipher: Cipher,
    settings: Settings,
    passwords: Passwords,
    *,
    email: str,
    password: str,
    code: str,
    address: str,
) -> SignIn:
    """The attempt is counted before anything is checked, in its own committed write, and the limit is then read
    back: concurrent attempts see each other, so no more than the limit are ever checked (checking and then
    recording a failure let 8 concurrent guesses through a limit of 5). Hashing runs off the chat's threads."""
    email = normalise_email(email)
    account_key, address_key = _keys(settings, email, address)
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=settings.login_window_minutes)

    def reserve() -> tuple[Worker | None, list[int] | None]:
        with database.unit_of_work() as session:
            attempts = [portal_sessions.record_failure(session, key) for key in (account_key, address_key)]
        with database.unit_of_work() as session:
            worker = workers.by_email(session, email)
            over = (
                portal_sessions.failures_since(session, account_key, since) > settings.login_max_failures_per_account
                or portal_sessions.failures_since(session, address_key, since) > settings.login_max_failures_per_address
            )
            if over:
                portal_sessions.remove_failures(session, attempts)  # refused unchecked: not a guess
                audit.record_repeated(session, "login_rate_limited", worker=worker, within=since)
                return worker, None
            return worker, attempts

    worker, attempts = await anyio.to_thread.run_sync(reserve)
    if attempts is None:
        return SignIn(None, Refusal.RATE_LIMITED)
    try:
        matches = await passwords.verify(worker.password_hash if worker else None, password)
    except HashingBusy:
        return SignIn(None, Refusal.RATE_LIMITED)
    new_hash = (
        await passwords.hash(password) if matches and worker and passwords.needs_rehash(worker.password_hash) else None
    )

    def finish() -> SignIn:
        with database.unit_of_work() as session:
            current = workers.by_id(session, worker.id) if worker else None
            ok = matches and current is not None
            if ok and current is not None:
                step = totp.matching_step(cipher.open(current.totp_sealed), code, current.totp_last_step)
                ok = not current.disabled and step is not None and _claim_step(session, current, step)
            if not ok or current is None:
                audit.record(session, "login_failed", worker=current)
                return SignIn(None, Refusal.INVALID)  # the attempt stays counted as a failure
            if new_hash:
                current.password_hash = new_hash
            portal_sessions.clear_failures(session, account_key)
            portal_sessions.remove_failures(session, attempts)
            audit.record(session, "login", worker=current)
            return SignIn(current, None)

    return await anyio.to_thread.run_sync(finish)


def reset_credentials(session: Session, cipher: Cipher, admin: Worker, worker: Worker, password: str) -> NewAccount:
    """A lost phone or forgotten password: a new first password and a new TOTP secret; every session ends."""
    secret = totp.new_secret()
    worker.password_hash = hasher().hash(password)
    worker.totp_sealed = cipher.seal(secret)
    worker.totp_last_step = 0
    portal_sessions.remove_for_worker(session, worker.id)
    audit.record(session, "worker_reset", worker=admin, detail=worker.email)
    return NewAccount(worker, secret, totp.provisioning_uri(secret, worker.email, ISSUER))


async def change_password(
    database: Database,
    settings: Settings,
    passwords: Passwords,
    signed_in: SignedIn,
    *,
    current: str,
    new: str,
    repeated: str,
) -> None:
    """Raises AccountError with a message for the worker when the change cannot be made.

    Wrong current passwords count like failed sign-ins (a stolen session must not become a way to guess the
    password), and a change ends every other session of the account: whoever else was signed in is out.
    """
    key = f"password:{signed_in.worker.id}"
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=settings.login_window_minutes)

    def over_limit() -> bool:
        with database.unit_of_work() as session:
            return portal_sessions.failures_since(session, key, since) >= settings.login_max_failures_per_account

    if await anyio.to_thread.run_sync(over_limit):
        raise AccountError(f"Too many wrong passwords. Wait {settings.login_window_minutes} minutes, then try again.")
    try:
        matches = await passwords.verify(signed_in.worker.password_hash, current)
    except HashingBusy:
        raise AccountError("The portal is busy. Please try again in a moment.") from None
    if not matches:

        def count_failure() -> None:
            with database.unit_of_work() as session:
                portal_sessions.record_failure(session, key)

        await anyio.to_thread.run_sync(count_failure)
        raise AccountError("Your current password is not right.")
    if new != repeated:
        raise AccountError("The two new passwords are not the same.")
    if len(new) < MIN_PASSWORD_CHARS or new == current:
        raise AccountError(f"Choose a new password of at least {MIN_PASSWORD_CHARS} characters.")
    new_hash = await passwords.hash(new)

    def save() -> None:
        with database.unit_of_work() as session:
            worker = workers.by_id(session, signed_in.worker.id)
            if worker is None:
                raise AccountError("Your account no longer exists.")
            worker.password_hash = new_hash
            portal_sessions.remove_for_worker(session, worker.id, keep=signed_in.token_hash)
            portal_sessions.clear_failures(session, key)
            audit.record(session, "password_changed", worker=worker)

    await anyio.to_thread.run_sync(save)


def set_disabled(session: Session, admin: Worker, worker: Worker, disabled: bool) -> None:
    """Disabling also ends every session the worker has open."""
    worker.disabled = disabled
    if disabled:
        portal_sessions.remove_for_worker(session, worker.id)
    action = "worker_disabled" if disabled else "worker_enabled"
    audit.record(session, action, worker=admin, detail=worker.email)
