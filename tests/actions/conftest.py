"""Actions run with the gateway's real state: a conversation started in it, and a hand-made tracker."""

from __future__ import annotations

import secrets

import pytest
from fastapi.testclient import TestClient

from api.content.renderer import Content
from api.conversation import Conversation
from api.core.config import Settings
from api.runtime import load_content
from api.sessions import ChatSession
from tests.actions.fakes import FakeState


@pytest.fixture
def session(client: TestClient) -> ChatSession:
    started, _ = Conversation(client.app.state.runtime).start("en")  # type: ignore[attr-defined]
    return started


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Content:
    """The real catalogs and directory, read once per module (no runtime is built)."""
    settings = Settings(internal_secret=secrets.token_urlsafe(48), var_dir=tmp_path_factory.mktemp("var"))
    return load_content(settings)


@pytest.fixture
def state(content: Content) -> FakeState:
    return FakeState(content)
