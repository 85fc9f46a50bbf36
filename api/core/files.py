"""Where the gateway writes under var/: a folder only its owner can enter, files only its owner can read.

The embedded default keeps nothing on disk but consented handovers (and the key that seals them). What is
written there anyway (the database, its WAL, the logs) is the owner's alone: 0700 folders, 0600 files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

PRIVATE_UMASK = 0o077


def private_dir(path: Path) -> Path:
    """Create the folder (and its parents) if needed, and make it the owner's alone, even if it existed."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    return path


def private_file(path: Path) -> Path:
    """Create the file empty if it is missing; either way, only its owner may read or write it.

    SQLite gives its -wal and -shm files the database file's mode, so creating the database file this way first
    keeps them private too.
    """
    private_dir(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(descriptor)
    path.chmod(0o600)
    return path


def sqlite_path(url: str) -> Path | None:
    """The file behind a sqlite:/// URL (None for other databases or an in-memory SQLite)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == prefix + ":memory:":
        return None
    return Path(url[len(prefix) :])


def read_yaml(path: Path) -> Any:
    """A YAML file, parsed by libyaml where PyYAML has it (several times faster than the pure-Python parser:
    the catalogs, word lists and training data are read at every gateway start)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader either way
