"""`python -m api.cli create-worker`: the password from stdin, the TOTP secret printed once, and the account works."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from api.core.config import ROOT
from api.main import create_app
from api.portal import totp
from tests.helpers import make_settings

SECRET = "x9" * 24 + "abcdefgh"


def create_worker(var_dir: Path, *args: str, password: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", "create-worker", *args],
        cwd=ROOT,
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "VAR_DIR": str(var_dir), "INTERNAL_SECRET": SECRET},
    )


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
    with TestClient(create_app(settings), base_url="https://testserver") as client:
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
