"""`python -m api.cli create-worker`: the password from stdin, the TOTP secret printed once, and the account works."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient

from api.core.db import MIGRATIONS, SchemaNotReady
from api.main import create_app
from api.portal import totp
from tests.helpers import make_settings, migrated_app, run_cli

SECRET = "x9" * 24 + "abcdefgh"


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return str(ScriptDirectory.from_config(config).get_current_head())


def cli(var_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return run_cli(var_dir, SECRET, *args, stdin=stdin)


def create_worker(var_dir: Path, *args: str, password: str) -> subprocess.CompletedProcess[str]:
    """As `make worker` does it: the migrate step, then the command."""
    assert cli(var_dir, "migrate").returncode == 0
    return cli(var_dir, "create-worker", *args, stdin=password + "\n")


def test_nothing_but_the_migrate_step_migrates_and_an_unmigrated_start_says_so_in_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Replicas starting together on PostgreSQL must not race to migrate: the gateway and the other commands only
    check the revision, and tell the operator what to run."""
    settings = make_settings(tmp_path, internal_secret=SECRET)
    with pytest.raises(SchemaNotReady, match="run the migrate step first"), TestClient(create_app(settings)):
        pass
    assert [r.getMessage() for r in caplog.records if r.levelname == "CRITICAL"] == [
        "cannot start: the database is at schema revision none (empty) but this code needs "
        f"{head_revision()}: run the migrate step first (make migrate, or python -m api.cli migrate)"
    ]
    refused = cli(tmp_path, "create-worker", "--org", "harbour", "--email", "a@b.example.org", "--role", "admin")
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1 and "migrate step" in refused.stderr
    assert cli(tmp_path, "migrate").returncode == 0
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").json()["components"]["database"] == "up"


def test_create_worker_prints_the_totp_secret_and_the_account_signs_in(tmp_path: Path) -> None:
    password = "a long pass phrase for ana"
    result = create_worker(
        tmp_path, "--org", "harbour", "--email", "Ana@Harbour.example.org", "--role", "admin", password=password
    )
    assert result.returncode == 0, result.stderr
    assert password not in result.stdout + result.stderr
    secret = re.search(r"TOTP secret: ([A-Z2-7]+)", result.stdout)
    assert secret is not None
    assert "otpauth://totp/" in result.stdout and f"secret={secret.group(1)}" in result.stdout
    settings = make_settings(tmp_path, internal_secret=SECRET)
    with TestClient(migrated_app(settings), base_url="https://testserver") as client:
        code = totp.code_at(secret.group(1), totp.current_step())
        body = {"email": "ana@harbour.example.org", "password": password, "totp": code}
        signed_in = client.post("/api/portal/login", json=body)
        assert signed_in.status_code == 200, signed_in.text
        assert signed_in.json()["worker"] == {"email": "ana@harbour.example.org", "org": "harbour", "role": "admin"}
        audit = client.get("/api/portal/audit").json()
        assert [e["action"] for e in audit][-1] == "worker_added"


def test_create_worker_refuses_an_organisation_that_takes_no_handovers(tmp_path: Path) -> None:
    result = create_worker(
        tmp_path,
        "--org",
        "national_domestic_abuse_helpline",
        "--email",
        "a@b.example.org",
        "--role",
        "worker",
        password="a long pass phrase",
    )
    assert result.returncode == 2
    assert "not a service that accepts handovers" in result.stderr and "harbour" in result.stderr
