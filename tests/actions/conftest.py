"""Actions run with the gateway's real state: a conversation started in it, and a hand-made tracker."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.conversation import Conversation
from api.sessions import ChatSession


@pytest.fixture
def session(client: TestClient) -> ChatSession:
    started, _ = Conversation(client.app.state.runtime).start("en")  # type: ignore[attr-defined]
    return started
