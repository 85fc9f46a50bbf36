"""Fixtures shared by the whole suite.

Unit tests build the gateway in-process with a temporary var/ and no Rasa. Conversation and browser tests share
one real stack (Rasa server + gateway as separate processes), started once per test session.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis.configuration import set_hypothesis_home_dir
from sqlalchemy import create_engine, text

from api.core.config import ROOT, Settings
from api.runtime import Runtime
from api.stack import MODEL, Stack, free_port
from tests.helpers import migrated_app
from tests.support.limits import HARNESS_LIMITS_ENV
from tests.support.portal import World

OUTPUT = ROOT / "test-output"
# Twilio signs with the account's auth token over the URL it was given (a public one, not ours).
TWILIO_TOKEN = "test-auth-token-0123456789abcdef"
SMS_PUBLIC_URL = "https://assistant.example.org/sms/twilio"
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def pytest_configure(config: pytest.Config) -> None:
    """Hypothesis caches Unicode tables and constants in ./.hypothesis even without an example database: the
    property tests keep it out of the checkout (HYPOTHESIS_STORAGE_DIRECTORY still wins when set)."""
    if not os.getenv("HYPOTHESIS_STORAGE_DIRECTORY"):
        set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "hypothesis-safe-reporting-assistant")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for an in-process gateway whose Rasa is a closed port: the 'Rasa is down' case."""
    return Settings(
        internal_secret=secrets.token_urlsafe(48),
        var_dir=tmp_path,
        rasa_url=f"http://127.0.0.1:{free_port()}",
        rasa_timeout_seconds=2.0,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(migrated_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def runtime(client: TestClient) -> Runtime:
    """The in-process gateway's real state (what its routes and actions are given)."""
    built: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return built


@pytest.fixture
def internal_headers(settings: Settings) -> dict[str, str]:
    return {"X-Assistant-Secret": settings.internal_secret.get_secret_value()}


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this run, dropped afterwards."""
    name = f"sra_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding a tiny random-weight pl->en .argosmodel built on this machine."""
    from tests.support.tiny_argos import build_tiny_argosmodel

    folder = tmp_path_factory.mktemp("argos-models")
    build_tiny_argosmodel(folder, "pl", "en")
    return folder


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The real thing: Rasa serving the trained model, and the gateway, on free loopback ports."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (make test does it)")
    var_dir = tmp_path_factory.mktemp("stack-var")
    with Stack(
        gateway_port=free_port(),
        rasa_port=free_port(),
        var_dir=var_dir,
        log_dir=OUTPUT / "stack-logs",
        extra_env={
            "QUICK_EXIT_URL": "https://www.bbc.co.uk/weather",
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "SMS_PUBLIC_URL": SMS_PUBLIC_URL,
            **HARNESS_LIMITS_ENV,  # every conversation test talks from 127.0.0.1
        },
    ) as running:
        yield running


@pytest.fixture
def chat(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as http:
        yield http


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def portal_world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    """The gateway in-process over https (so the Secure cookie travels), on SQLite and on PostgreSQL."""
    database_url = "" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    test_settings = Settings(
        internal_secret=secrets.token_urlsafe(48),
        var_dir=tmp_path,
        rasa_url=f"http://127.0.0.1:{free_port()}",
        database_url=database_url,
    )
    with TestClient(migrated_app(test_settings), base_url="https://testserver") as test_client:
        yield World(test_client, test_client.app.state.runtime)  # type: ignore[attr-defined]
