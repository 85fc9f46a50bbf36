"""The gateway in this process (uvicorn in a thread, so its state can be inspected) beside the real Rasa
server in its own process: shared by the privacy tests, which read every store, and by the realistic-writing
measurement (tests/nlu/real_writing.py), which watches what the gateway decides."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from api.core.config import Settings
from api.stack import Stack, free_port
from tests.helpers import make_settings, migrated_app
from tests.support.limits import HARNESS_LIMITS


@dataclass
class Gateway:
    app: Any
    url: str
    settings: Settings
    rasa_url: str
    var_dir: Path

    @property
    def runtime(self) -> Any:
        return self.app.state.runtime

    def tracker(self, sender_id: str) -> str:
        """Everything Rasa's tracker store holds for this conversation, as Rasa's HTTP API returns it."""
        response = httpx.get(
            f"{self.rasa_url}/conversations/{sender_id}/tracker",
            params={"token": self.settings.effective_rasa_token},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return response.text


@contextmanager
def inprocess_gateway(var_dir: Path, log_dir: Path, **overrides: object) -> Iterator[Gateway]:
    """Start the gateway here and Rasa beside it; stop both on leaving."""
    port, rasa_port = free_port(), free_port()
    # Many conversations from one address: the per-client limits are lifted unless the caller sets them.
    settings = make_settings(var_dir, rasa_url=f"http://127.0.0.1:{rasa_port}", **{**HARNESS_LIMITS, **overrides})
    app = migrated_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    rasa = Stack(
        gateway_port=port,
        rasa_port=rasa_port,
        var_dir=var_dir,
        start_gateway=False,
        extra_env={"INTERNAL_SECRET": settings.internal_secret.get_secret_value()},
        log_dir=log_dir,
    )
    try:
        with rasa:
            yield Gateway(app, f"http://127.0.0.1:{port}", settings, f"http://127.0.0.1:{rasa_port}", var_dir)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
