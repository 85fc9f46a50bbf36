"""Small builders shared by tests (fixtures live in conftest.py)."""

from __future__ import annotations

import secrets
from pathlib import Path

from api.core.config import Settings


def make_settings(var_dir: Path | None = None, **overrides: object) -> Settings:
    values: dict[str, object] = {"internal_secret": secrets.token_urlsafe(48), **overrides}
    if var_dir is not None:
        values["var_dir"] = var_dir
    return Settings(**values)  # type: ignore[arg-type]
