"""The API contract, checked from outside: schemathesis with every check, against the gateway of the shared real
stack (Rasa answering), signed in as a portal admin so the portal's routes are reached past the sign-in.

Bounded: a fixed number of examples per operation and a fixed seed (the same cases every run, so a failure
reproduces), and a wall-clock timeout on the whole run. Any failure, server errors included, fails the test.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from api.portal import totp
from api.stack import Stack
from tests.conversations.chat import consented_handover
from tests.support.portal import create_worker_cli

pytestmark = pytest.mark.stack
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
EMAIL = "contract-admin@harbour.example.org"
PASSWORD = "a contract test's own long password"
EXAMPLES = "15"
SEED = "20261206"
TIMEOUT_SECONDS = 300
# Signing out ends the session the rest of the run uses, so it runs last, on its own.
LOGOUT = "/api/portal/logout"


def _sign_in(stack: Stack, secret: str) -> list[str]:
    """Headers that carry a signed-in admin: her session cookie and the CSRF token sign-in gave."""
    code = totp.code_at(secret, totp.current_step())
    response = httpx.post(
        f"{stack.gateway_url}/api/portal/login", json={"email": EMAIL, "password": PASSWORD, "totp": code}, timeout=30
    )
    assert response.status_code == 200, response.text
    cookie = "; ".join(f"{name}={value}" for name, value in response.cookies.items())
    assert cookie
    return ["-H", f"Cookie: {cookie}", "-H", f"X-CSRF-Token: {response.json()['csrf_token']}"]


def _config(stack: Stack, headers: list[str], folder: Path) -> Path:
    """Path parameters that reach past 404: the handover of this stack's own organisation."""
    cookie, csrf = headers[1].split(": ", 1)[1], headers[3].split(": ", 1)[1]
    listed = httpx.get(
        f"{stack.gateway_url}/api/portal/handovers", headers={"Cookie": cookie, "X-CSRF-Token": csrf}, timeout=30
    )
    assert listed.status_code == 200 and listed.json(), listed.text
    config = folder / "schemathesis.toml"
    config.write_text(f'[parameters]\n"path.handover_id" = "{listed.json()[0]["id"]}"\n', encoding="utf-8")
    return config


def _schemathesis(stack: Stack, config: Path, headers: list[str], *selection: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(config),
        "run",
        f"{stack.gateway_url}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        EXAMPLES,
        "--seed",
        SEED,
        "--generation-database",
        "none",
        "--request-timeout",
        "30",
        "--no-color",
        *headers,
        *selection,
    ]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, cwd=config.parent, check=False
    )


def test_every_operation_keeps_the_schema_it_publishes(stack: Stack, tmp_path: Path) -> None:
    consented_handover(stack, "en", "my husband hits me and I want help")  # a case for the portal's routes
    headers = _sign_in(stack, create_worker_cli(stack.var_dir, stack.internal_secret, EMAIL, PASSWORD))
    config = _config(stack, headers, tmp_path)
    operations = httpx.get(f"{stack.gateway_url}/openapi.json", timeout=30).json()["paths"]
    assert "/api/portal/handovers" in operations and "/portal/login" not in operations  # pages are not the API
    for selection in (("--exclude-path", LOGOUT), ("--include-path", LOGOUT)):
        run = _schemathesis(stack, config, headers, *selection)
        summary = run.stdout[-6000:]
        assert run.returncode == 0, summary
        assert re.search(r"Tested: [1-9]", run.stdout), summary
        assert "Server error" not in run.stdout, summary
