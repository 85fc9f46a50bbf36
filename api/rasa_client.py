"""The gateway's ways into Rasa (127.0.0.1 only): its NLU parse and REST channel, and its tracker store (to erase).

Rasa never receives a character she typed in a way it keeps: her (redacted) words go only to `/model/parse`,
which answers with an intent and stores nothing; the dialogue is then driven with a payload the gateway composes
from that intent (`/intent`), so Rasa's tracker, lock store and log hold only intent names and fixed values.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import Engine, create_engine, inspect, text


class RasaUnavailable(Exception):
    """Rasa did not answer in time or answered with an error; the caller shows the safe fallback."""


@dataclass(frozen=True)
class Parsed:
    intent: str
    confidence: float
    # NLU was unsure (its fallback) and danger was only its likeliest guess: enough to lead with 999 on an open
    # message, not to interrupt the answer to a question the form just asked (her name is not danger).
    guessed: bool = False
    # What NLU would have said were danger not its answer, and its confidence: the likeliest other intent, or its
    # fallback when it was unsure. Used when the gateway's danger model contradicts Rasa's danger
    # (api/conversation.py).
    otherwise: str = "nlu_fallback"
    otherwise_confidence: float = 0.0

    def instead(self) -> Parsed:
        """NLU's answer were danger set aside."""
        return Parsed(self.otherwise, self.otherwise_confidence)


FALLBACK = "nlu_fallback"
DANGER = "immediate_danger"


def likeliest_other(ranking: list[Any]) -> tuple[str, float]:
    """The likeliest intent that is neither danger nor the fallback, with its confidence."""
    for entry in ranking:
        name = entry.get("name") if isinstance(entry, dict) else None
        if isinstance(name, str) and name not in (DANGER, FALLBACK):
            return name, _confidence(entry)
    return FALLBACK, 0.0


def _confidence(entry: Any) -> float:
    value = entry.get("confidence") if isinstance(entry, dict) else None
    return float(value) if isinstance(value, int | float) else 0.0


def danger_guessed(name: str, ranking: list[Any]) -> bool:
    """Safety first: when NLU is unsure, but thinks danger the likeliest, the answer is the danger guidance."""
    if name != FALLBACK:
        return False
    candidates = [r.get("name") for r in ranking if isinstance(r, dict) and r.get("name") != FALLBACK]
    return bool(candidates) and candidates[0] == DANGER


class RasaClient:
    def __init__(self, base_url: str, timeout: float, token: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._client = httpx.AsyncClient(timeout=timeout, limits=httpx.Limits(max_connections=100))

    async def parse(self, text: str) -> Parsed:
        """The intent the assistant acts on for this text: Rasa NLU's (after its danger and fallback
        components), except that a message NLU was unsure about whose likeliest intent is danger is danger."""
        try:
            response = await self._client.post(
                f"{self.base_url}/model/parse", params={"token": self.token}, json={"text": text}
            )
            response.raise_for_status()
            parsed = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise RasaUnavailable(type(error).__name__) from error
        intent = parsed.get("intent") if isinstance(parsed, dict) else None
        name = intent.get("name") if isinstance(intent, dict) else None
        if not isinstance(name, str):
            raise RasaUnavailable("unexpected parse")
        confidence = _confidence(intent)
        ranking = parsed.get("intent_ranking") or []
        guessed = danger_guessed(name, ranking)
        otherwise, otherwise_confidence = (FALLBACK, confidence) if guessed else likeliest_other(ranking)
        return Parsed(
            DANGER if guessed else name,
            confidence,
            guessed=guessed,
            otherwise=otherwise,
            otherwise_confidence=otherwise_confidence,
        )

    async def send(self, sender_id: str, message: str) -> list[dict[str, Any]]:
        try:
            response = await self._client.post(
                f"{self.base_url}/webhooks/rest/webhook", json={"sender": sender_id, "message": message}
            )
            response.raise_for_status()
            replies = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise RasaUnavailable(type(error).__name__) from error
        if not isinstance(replies, list):
            raise RasaUnavailable("unexpected reply")
        return [r for r in replies if isinstance(r, dict)]

    async def is_up(self) -> bool:
        try:
            response = await self._client.get(f"{self.base_url}/", timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def close(self) -> None:
        await self._client.aclose()


REDIS_KEY_PREFIX = "assistant:tracker:"  # bot/endpoints.redis.yml's key_prefix, as Rasa composes it


class RedisTrackerEraser:
    """Rasa's Redis tracker store: conversations expire by themselves (record_exp); erasing deletes the key."""

    def __init__(self, url: str) -> None:
        import redis

        self.url = url
        self._client = redis.Redis.from_url(url, socket_timeout=2)

    def erase(self, sender_id: str) -> int:
        return int(self._client.delete(REDIS_KEY_PREFIX + sender_id))

    def purge_idle(self, idle_seconds: float) -> int:
        return 0  # Redis expires every tracker after the idle period itself

    def dispose(self) -> None:
        self._client.close()


class MemoryTrackerEraser:
    """Rasa's in-memory tracker store (the embedded default): erasing replaces the conversation's events with
    none, through Rasa's HTTP API. Idle trackers hold only intents and fixed texts, and go with Rasa's process."""

    def __init__(self, base_url: str, token: str, timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        # One client for every erase: a new one builds a TLS context each time (10 ms, a tenth of the gateway's
        # time in a py-spy profile of conversations that end with "delete this chat").
        self._client = httpx.Client(timeout=timeout)

    def erase(self, sender_id: str) -> int:
        try:
            response = self._client.put(
                f"{self.base_url}/conversations/{sender_id}/tracker/events", params={"token": self.token}, json=[]
            )
        except httpx.HTTPError:
            return 0
        return 1 if response.status_code == 200 else 0

    def purge_idle(self, idle_seconds: float) -> int:
        return 0  # the gateway erases each idle session's tracker itself (Conversation.purge_idle)

    def dispose(self) -> None:
        self._client.close()


class TrackerEraser:
    """Deletes conversations from Rasa's SQL tracker store (table `events`, keyed by sender_id)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = create_engine(self.url, pool_pre_ping=True)
        return self._engine

    def _has_events(self) -> bool:
        return inspect(self.engine).has_table("events")

    def erase(self, sender_id: str) -> int:
        if not self._has_events():
            return 0
        with self.engine.begin() as connection:
            result = connection.execute(text("DELETE FROM events WHERE sender_id = :sender"), {"sender": sender_id})
        return int(result.rowcount or 0)

    def purge_idle(self, idle_seconds: float) -> int:
        """Erase every conversation whose newest event is older than the idle period."""
        if not self._has_events():
            return 0
        cutoff = time.time() - idle_seconds
        with self.engine.begin() as connection:
            result = connection.execute(
                text(
                    "DELETE FROM events WHERE sender_id IN ("
                    " SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff)"
                ),
                {"cutoff": cutoff},
            )
        return int(result.rowcount or 0)

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


Eraser = TrackerEraser | RedisTrackerEraser | MemoryTrackerEraser


def tracker_eraser(url: str, rasa_url: str = "", token: str = "") -> Eraser:
    """The eraser for the tracker store Rasa was started with: memory (no URL), Redis, or SQL."""
    if not url:
        return MemoryTrackerEraser(rasa_url, token)
    return RedisTrackerEraser(url) if url.startswith("redis://") else TrackerEraser(url)
