"""Encryption at rest for what a handover holds (contact details and transcript).

The key comes from ENCRYPTION_KEY, or, in the embedded default, from var/secret.key: created on first run with
mode 0600, and refused (the gateway does not start) if anyone but its owner can read it.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken


class KeyFileError(RuntimeError):
    """The key file is unsafe or unreadable: starting would expose or lose victims' data."""


def load_or_create_key(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(Fernet.generate_key())
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(f"{path} is readable by others (mode {mode:o}): run chmod 600 {path}")
    return path.read_bytes().strip()


class Cipher:
    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def seal(self, value: Any) -> str:
        return self._fernet.encrypt(json.dumps(value, ensure_ascii=False).encode()).decode()

    def open(self, token: str) -> Any:
        try:
            return json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken:
            raise KeyFileError("stored data cannot be decrypted with this key") from None
