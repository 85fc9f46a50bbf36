"""With RASA_TRACKER_URL=redis://..., Rasa keeps conversations in Redis with an expiry of the idle period,
"delete this chat" removes them at once (Redis on 127.0.0.1:6379 here), and they never hold her words."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis

from api.rasa_client import REDIS_KEY_PREFIX
from api.stack import Stack, free_port
from tests.conversations.chat import ChatClient

pytestmark = pytest.mark.stack
REDIS_URL = "redis://127.0.0.1:6379/7"


@pytest.fixture(scope="module")
def redis_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with Stack(
        gateway_port=free_port(),
        rasa_port=free_port(),
        var_dir=tmp_path_factory.mktemp("redis"),
        extra_env={"RASA_TRACKER_URL": REDIS_URL, "SESSION_IDLE_MINUTES": "30"},
    ) as stack:
        yield stack


def tracker_keys(client: redis.Redis) -> set[str]:
    return {key.decode() for key in client.scan_iter(REDIS_KEY_PREFIX + "*")}


def test_trackers_expire_and_are_erased(redis_stack: Stack) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    before = tracker_keys(client)
    canary = f"canary-{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=redis_stack.gateway_url, timeout=30) as http:
        bot = ChatClient(http)
        bot.send(f"{canary} my husband hits me")
        assert "Harbour Support Services" in bot.text
        new = tracker_keys(client) - before
        assert len(new) == 1, "Rasa stored the conversation in Redis"
        key = new.pop()
        held = client.get(key)
        assert b'"event": "user"' in held or b'"event":"user"' in held  # type: ignore[operator]
        assert canary.encode() not in held, "her words never reach Rasa's tracker"  # type: ignore[operator]
        assert 0 < client.ttl(key) <= 30 * 60, "every tracker expires after the idle period"
        assert http.delete(f"/api/chat/sessions/{bot.session_id}").status_code == 204
    assert client.exists(key) == 0, "erased at once"
    client.close()
