"""Small builders shared by tests (fixtures live in conftest.py)."""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

from fastapi import FastAPI

from api.core.config import ROOT, Settings
from api.core.db import migrate
from api.main import create_app


def make_settings(var_dir: Path | None = None, **overrides: object) -> Settings:
    values: dict[str, object] = {"internal_secret": secrets.token_urlsafe(48), **overrides}
    if var_dir is not None:
        values["var_dir"] = var_dir
    return Settings(**values)  # type: ignore[arg-type]


def migrated_app(settings: Settings) -> FastAPI:
    """The gateway app over a database the migrate step has run on, as every deployment does before starting it."""
    migrate(settings.effective_database_url)
    return create_app(settings)


def run_cli(var_dir: Path, secret: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`python -m api.cli ...` as an operator runs it, with only the settings it needs in its environment."""
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "VAR_DIR": str(var_dir), "INTERNAL_SECRET": secret},
        check=False,
    )
