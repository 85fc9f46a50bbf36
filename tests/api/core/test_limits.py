"""Bodies over the limit are refused before they are parsed, with the safe answer; smaller ones pass untouched."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.helpers import make_settings, migrated_app

LIMIT = 8192


@pytest.fixture
def small(tmp_path) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(migrated_app(make_settings(tmp_path, max_body_bytes=LIMIT))) as client:
        yield client


def test_rasas_own_calls_carry_the_whole_tracker_and_get_a_larger_limit(small: TestClient) -> None:
    """A long conversation's tracker and the domain, as Rasa posts them to the action webhook."""
    secret = small.app.state.runtime.settings.internal_secret.get_secret_value()  # type: ignore[attr-defined]
    big = {"next_action": "action_listen", "tracker": {"events": [{"event": "bot", "text": "x" * 4000}] * 50}}
    wrong = small.post("/actions/webhook", json=big, headers={"X-Assistant-Secret": "not-it"})
    right = small.post("/actions/webhook", json=big, headers={"X-Assistant-Secret": secret})
    assert wrong.status_code == 413 and right.status_code != 413


def test_a_body_over_the_limit_is_refused_with_999_before_it_is_read(small: TestClient) -> None:
    response = small.post("/api/chat/sessions", content=b'{"language": "en", "x": "' + b"a" * LIMIT + b'"}')
    assert response.status_code == 413
    assert "999" in response.json()["safe_answer"]


def test_a_chunked_body_over_the_limit_is_refused_as_it_arrives(small: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"language": "en", "x": "'
        for _ in range(LIMIT // 1024 + 2):
            yield b"a" * 1024
        yield b'"}'

    response = small.post("/api/chat/sessions", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413 and "999" in response.json()["safe_answer"]


@pytest.mark.parametrize("length", ["abc", "-1"])
def test_a_length_that_is_not_a_number_is_refused(small: TestClient, length: str) -> None:
    response = small.post("/api/chat/sessions", content=b"{}", headers={"content-length": length})
    assert response.status_code == 413


def test_a_body_under_the_limit_is_served(small: TestClient) -> None:
    response = small.post("/api/chat/sessions", json={"language": "en"})
    assert response.status_code == 201
