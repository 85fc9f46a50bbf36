"""The key file is created private, and an exposed key stops the gateway."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.core.crypto import Cipher, KeyFileError, load_or_create_key
from tests.helpers import make_settings, migrated_app


def test_key_file_is_created_with_mode_0600_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    key = load_or_create_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_key(path) == key


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660])
def test_a_key_readable_by_others_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "secret.key"
    load_or_create_key(path)
    os.chmod(path, mode)
    with pytest.raises(KeyFileError, match="readable by others"):
        load_or_create_key(path)


def test_the_gateway_refuses_to_start_with_an_exposed_key(tmp_path: Path) -> None:
    load_or_create_key(tmp_path / "secret.key")
    os.chmod(tmp_path / "secret.key", 0o644)
    with pytest.raises(KeyFileError), TestClient(migrated_app(make_settings(tmp_path))):
        pass


def test_sealed_values_are_unreadable_without_the_key(tmp_path: Path) -> None:
    cipher = Cipher(load_or_create_key(tmp_path / "a.key"))
    sealed = cipher.seal({"detail": "07700 900123"})
    assert "07700" not in sealed and cipher.open(sealed) == {"detail": "07700 900123"}
    with pytest.raises(KeyFileError):
        Cipher(load_or_create_key(tmp_path / "b.key")).open(sealed)
