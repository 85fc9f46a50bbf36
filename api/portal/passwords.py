"""Password hashing off the victims' thread pool, with bounded concurrency.

Each argon2id hash takes about 64 MiB and tens of milliseconds. Run on the thread pool that also runs victims' chats
(as sync routes are), six concurrent sign-in attempts took the gateway from 350 to 735 MiB and a flood stalled the
chat. Here hashes run on their own few threads; attempts beyond a short queue are refused at once instead of piling
up, and a refused sign-in costs nothing.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

T = TypeVar("T")

# Sign-ins waiting for a hash, past which more are refused ("try again in a moment").
MAX_WAITING = 16


class HashingBusy(Exception):
    """Too many sign-ins at once: refused without hashing."""


class Passwords:
    def __init__(self, workers: int) -> None:
        self.hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="argon2")
        self._waiting = 0
        self._dummy: str | None = None

    async def _run(self, work: Callable[[], T]) -> T:
        if self._waiting >= MAX_WAITING:
            raise HashingBusy
        self._waiting += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, work)
        finally:
            self._waiting -= 1

    async def hash(self, password: str) -> str:
        return await self._run(partial(self.hasher.hash, password))

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """An unknown account still costs one verification (of a random hash), so timing tells nothing."""
        if password_hash is None:
            self._dummy = self._dummy or await self.hash(secrets.token_urlsafe(16))
            password_hash = self._dummy
            await self._run(partial(self._matches, password_hash, password))
            return False
        return await self._run(partial(self._matches, password_hash, password))

    def _matches(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self.hasher.check_needs_rehash(password_hash)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
