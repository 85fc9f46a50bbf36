"""Structured logs (one JSON object a line). They carry events and pseudonyms, never what anyone wrote,
a phone number, or a session id that could be used to drive a chat."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import sys
from typing import Any

RESERVED = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in RESERVED and not k.startswith("_")})
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__  # the type only: exception text can quote input
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("api")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = True


def pseudonym(secret: str, value: str) -> str:
    """A stable, unlinkable stand-in for a session id in logs."""
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()[:12]
